"""Request id for log correlation (issue 12 item 7): taken from a well-formed X-Request-ID set by the
reverse proxy, otherwise generated; echoed in the response header and put on every log line of the request.
With DTE_REQUEST_LOG on (production), one `dte.request` line per request: method, route pattern (never the
raw path, which can carry tokens or identifiers), status and duration."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings

from .logging import request_id_var

_WELL_FORMED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
logger = logging.getLogger("dte.request")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.log_requests = getattr(settings, "DTE_REQUEST_LOG", False)

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
        request_id = supplied if _WELL_FORMED.match(supplied) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if self.log_requests and logger.isEnabledFor(logging.INFO):
                match = getattr(request, "resolver_match", None)
                logger.info("request", extra={
                    "method": request.method,
                    "route": (match.route if match else None) or "(unresolved)",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                })
            return response
        finally:
            request_id_var.reset(token)
