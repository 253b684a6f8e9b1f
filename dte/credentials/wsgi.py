"""The WSGI layer of the public verification's lean path (issue 9 §6): a GET by QR token — the page a
certificate's QR code opens, or the API — whose complete HTTP answer this process gave moments ago is
replayed here, before Django builds a request, sends its signals and runs the middleware.

What a replayed answer keeps:
- the bytes and headers Django's whole stack produced for the same token and request variant (API, or
  page with the same language cookie and Accept-Language): security headers, Content-Security-Policy,
  Vary, cache control; only X-Request-ID is per request, and it and the request log line are made by
  the functions RequestIdMiddleware uses (dte/ops/wsgi.py);
- the per-client rate limit: counted here; a refused request goes on to Django, which answers 429
  (and the refusal is logged here, once);
- the verification log: one row per verification, as in the Django path;
- freshness: entries live as long as the rendered answers in verification.py and are dropped with them
  when a certificate's status changes (in every process, through the change channel).
Anything else (a miss, another method or path) is Django's, unchanged."""

from __future__ import annotations

import time
from types import SimpleNamespace

from django.conf import settings

from dte.ops.wsgi import Capture, log_request, request_id_of, without

from . import ratelimit, verification
from .links import VERIFY_PREFIX
from .middleware import API_PREFIX, _token
from .models import VerificationLog

_PER_REQUEST = {"x-request-id"}


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
        request_id = request_id_of(environ)
        start_response(status, [*headers, ("X-Request-ID", request_id)])
        log_request("GET", "(unresolved)", int(status[:3]), started, request_id)
        return [body]

    def _through_django(self, environ, start_response, token: str, variant: tuple):
        captured = Capture(start_response)
        response = self.app(environ, captured)
        try:
            body = b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()
        answered = environ.get(verification.ANSWER_KEY)
        if answered is not None and captured.status is not None and captured.status[:3] in ("200", "404"):
            verification.replay_put(token, variant, (captured.status, without(captured.headers, _PER_REQUEST), body, *answered))
        return [body]
