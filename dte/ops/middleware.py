"""Request id for log correlation (issue 12 item 7): taken from a well-formed X-Request-ID set by the
reverse proxy, otherwise generated; echoed in the response header and put on every log line of the request.
With DTE_REQUEST_LOG on (production), one `dte.request` line per request: method, route pattern (never the
raw path, which can carry tokens or identifiers), status and duration."""

from __future__ import annotations

import time

from .logging import request_id_var
from .wsgi import log_request, request_id_of


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_of(request.META)
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            match = getattr(request, "resolver_match", None)
            log_request(request.method, (match.route if match else None) or "(unresolved)", response.status_code, started,
                        request_id)
            return response
        finally:
            request_id_var.reset(token)
