"""Plumbing shared by the WSGI layers in front of Django (dte/credentials/wsgi.py VerifyReplay, dte/training/wsgi.py
CheckInLean) and by RequestIdMiddleware: an answer given before Django must carry the request id and write the
request log line exactly as Django's stack would (issue 12 item 7), and a request a layer declines must reach Django
as it came."""

from __future__ import annotations

import io
import logging
import re
import time
import uuid

from django.conf import settings

WELL_FORMED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")  # a proxy's id put on log lines: no spaces, newlines, quotes
request_log = logging.getLogger("dte.request")


def request_id_of(environ) -> str:
    """The reverse proxy's X-Request-ID when well formed, else a new id (environ: WSGI's, or a request's META)."""
    supplied = environ.get("HTTP_X_REQUEST_ID", "")
    return supplied if WELL_FORMED.match(supplied) else uuid.uuid4().hex


def log_request(method: str, route: str, status: int, started: float, request_id: str) -> None:
    """The one `dte.request` line of a request (with DTE_REQUEST_LOG): the route pattern, never the raw path, which
    can carry tokens or identifiers; `started` is the request's time.perf_counter()."""
    if getattr(settings, "DTE_REQUEST_LOG", False) and request_log.isEnabledFor(logging.INFO):
        request_log.info("request", extra={"method": method, "route": route, "status": status,
                                           "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                                           "request_id": request_id})


def without(headers, names: set[str]) -> list[tuple[str, str]]:
    """Django's response headers less the per-response ones (`names`, lower case): a template for later answers."""
    return [(name, value) for name, value in headers if name.lower() not in names]


class Capture:
    """A start_response for Django that passes everything on and keeps the first status and headers it gave."""

    __slots__ = ("start_response", "status", "headers")

    def __init__(self, start_response):
        self.start_response = start_response
        self.status: str | None = None
        self.headers: list = []

    def __call__(self, status, headers, exc_info=None):
        if self.status is None:
            self.status, self.headers = status, headers
        return self.start_response(status, headers) if exc_info is None else self.start_response(status, headers, exc_info)


def to_django(app, environ, start_response, body: bytes):
    """The request to Django as it came: the body the layer read put back."""
    environ["wsgi.input"] = io.BytesIO(body)
    return app(environ, start_response)
