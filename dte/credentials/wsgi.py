"""The WSGI layer of the public verification's lean path (issue 9 §6): a GET by QR token — the page a
certificate's QR code opens, or the API — whose complete HTTP answer this process gave moments ago is
replayed here, before Django builds a request, sends its signals and runs the middleware.

What a replayed answer keeps:
- the bytes and headers Django's whole stack produced for the same token and request variant (API, or
  page with the same language cookie and Accept-Language): security headers, Content-Security-Policy,
  Vary, cache control; only X-Request-ID is per request (the supplied one when well formed, as
  dte.ops.middleware does, else a new one), and the request log line of dte.ops is written alike;
- the per-client rate limit: counted here; a refused request goes on to Django, which answers 429
  (and the refusal is logged here, once);
- the verification log: one row per verification, as in the Django path;
- freshness: entries live as long as the rendered answers in verification.py and are dropped with them
  when a certificate's status changes (in every process, through the change channel).
Anything else (a miss, another method or path) is Django's, unchanged."""

from __future__ import annotations

import logging
import re
import time
import uuid
from types import SimpleNamespace

from django.conf import settings

from . import ratelimit, verification
from .links import VERIFY_PREFIX
from .middleware import API_PREFIX, _token
from .models import VerificationLog

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")  # as dte.ops.middleware
_PER_REQUEST = {"x-request-id"}
request_log = logging.getLogger("dte.request")


def _variant(environ, api: bool) -> tuple:
    if api:
        return ("api",)
    cookie = environ.get("HTTP_COOKIE", "")
    language = ""
    name = settings.LANGUAGE_COOKIE_NAME
    if name in cookie:
        for part in cookie.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                language = value
    return ("web", language, environ.get("HTTP_ACCEPT_LANGUAGE", ""))


class VerifyReplay:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            path = environ.get("PATH_INFO", "")
            if path.startswith(VERIFY_PREFIX):
                token = _token(path, VERIFY_PREFIX)
                if token is not None:
                    return self._verify(environ, start_response, token, api=False)
            elif path.startswith(API_PREFIX):
                token = _token(path, API_PREFIX)
                if token is not None:
                    return self._verify(environ, start_response, token, api=True)
        return self.app(environ, start_response)

    def _verify(self, environ, start_response, token: str, *, api: bool):
        started = time.perf_counter()
        variant = _variant(environ, api)
        answer = verification.replay_get(token, variant)
        if answer is None:
            return self._through_django(environ, start_response, token, variant)
        ip = verification.client_ip(SimpleNamespace(META=environ))
        channel = "api" if api else "web"
        retry = ratelimit.throttle(ip)
        if retry:
            verification.record(method=VerificationLog.Method.TOKEN, outcome=VerificationLog.Outcome.THROTTLED,
                                channel=channel, ip=ip)
            environ[verification.GATE_KEY] = retry
            return self.app(environ, start_response)  # Django's 429 page / JSON error with Retry-After
        status, headers, body, kind, number = answer
        verification.record(method=VerificationLog.Method.TOKEN, facts={"kind": kind, "number": number} if kind else None,
                            channel=channel, ip=ip)
        supplied = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex
        start_response(status, [*headers, ("X-Request-ID", request_id)])
        if getattr(settings, "DTE_REQUEST_LOG", False) and request_log.isEnabledFor(logging.INFO):
            request_log.info("request", extra={"method": "GET", "route": "(unresolved)", "status": int(status[:3]),
                                               "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                                               "request_id": request_id})
        return [body]

    def _through_django(self, environ, start_response, token: str, variant: tuple):
        captured = []

        def capture(status, headers, exc_info=None):
            captured.append((status, headers))
            return start_response(status, headers) if exc_info is None else start_response(status, headers, exc_info)

        response = self.app(environ, capture)
        try:
            body = b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()
        answered = environ.get(verification.ANSWER_KEY)
        if answered is not None and captured and captured[0][0][:3] in ("200", "404"):
            status, headers = captured[0]
            kept = [(name, value) for name, value in headers if name.lower() not in _PER_REQUEST]
            verification.replay_put(token, variant, (status, kept, body, *answered))
        return [body]
