"""Login with a brake on password guessing (issue 8 finding 4).

django-axes (settings.AXES_*) guards every login view, /admin/login/ included, through the
authentication backend: failures are counted in the database per username AND client IP
(SELECT … FOR UPDATE and F() increments, so concurrent wrong passwords all count), so a
stranger can only lock an account from their own address, never for everyone. Why axes and
not the former cache counter: its counting is atomic on every backend, it covers every view
that calls `authenticate()`, and it is maintained. The cool-off grows: 15 minutes, doubled
for every further run of failures, at most a day. Usernames are stored keyed-hashed (a trainee
may type their mobile number) and the client IP is the one dte.audit trusts (no spoofable
header unless a trusted proxy is configured).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dte.audit.middleware import client_ip
from dte.audit.services import audit_record
from dte.privacy.crypto import blind_index

BASE_COOL_OFF = timedelta(minutes=15)
MAX_COOL_OFF = timedelta(hours=24)


def axes_username(request, credentials) -> str | None:
    raw = (credentials or {}).get("username") or (request.POST.get("username") if request is not None else None)
    if not raw:
        return None
    return "h:" + blind_index(str(raw).strip().lower(), "login")[:40]


def axes_client_ip(request) -> str | None:
    return client_ip(request)


def cool_off(request) -> timedelta:
    """15 minutes for the first lockout, doubled for each further one (AXES_FAILURE_LIMIT failures each)."""
    from django.conf import settings

    failures = getattr(request, "axes_failures_since_start", None) or 0
    limit = settings.AXES_FAILURE_LIMIT
    lockouts = min(max(failures // limit, 1), 8)  # 15 min × 2^7 already exceeds the cap
    return min(BASE_COOL_OFF * (2 ** (lockouts - 1)), MAX_COOL_OFF)


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with the lockout message, status 429; the lockout is audited."""
    from django.contrib.auth.forms import AuthenticationForm

    minutes = int(cool_off(request).total_seconds() // 60)
    audit_record("web.login.locked", ip=client_ip(request),
                 after={"account": axes_username(request, credentials), "path": request.path,
                        "failures": getattr(request, "axes_failures_since_start", None), "cool_off_minutes": minutes})
    form = AuthenticationForm(request, data=None)
    message = _("Too many failed attempts for this account from your address. Try again in %(minutes)s minutes.") % {
        "minutes": minutes}
    return render(request, "web/login.html", {"form": form, "locked": True, "lock_message": message,
                                                        "next": request.POST.get("next", "")}, status=429)


class ThrottledLoginView(LoginView):
    """The one login page; axes counts and locks through the authentication backend."""

    template_name = "web/login.html"
    redirect_authenticated_user = False


def admin_login(request):
    """/admin/login/ goes through the same login (lockout and MFA) instead of its own form."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(reverse("web:login") + "?" + urlencode({"next": target}))
