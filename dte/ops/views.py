"""Liveness and readiness probes for load balancers and orchestrators (issue 12 item 7).

/healthz  — the process answers (no database, no Redis): restart it if this fails.
/readyz   — database reachable, migrations applied, Redis reachable, queue depths: send traffic only when 200.

Both are anonymous, unthrottled, never cached, and carry no personal data (counts and timings only)."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import readiness


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    report = readiness()
    return JsonResponse(report, status=200 if report["status"] == "ready" else 503)
