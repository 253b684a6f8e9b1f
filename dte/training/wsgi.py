"""The WSGI layer of the check-in hot path (issue 12 item 2: ≥ 1,000 accepted check-ins/s over HTTP), in front
of Django like dte/credentials/wsgi.py's VerifyReplay: a trainee's `POST /api/training/sessions/<id>/check-in`
with a browser session is answered here, before Django builds its request, resolves the URL and runs the
middleware stack and django-ninja; everything else — and anything unusual about this request — goes to Django
unchanged, which then answers exactly as it always did (the layer has written nothing at that point).

What the layer does, each step Django's own code or the same reading of the same data:
- authentication as django.contrib.auth.get_user with dte/organisations/usercache.py: the session cookie →
  the session from the cache key Django's cached_db/cache session store uses (a miss → Django, which reads the
  database), its user id and backend (one of AUTHENTICATION_BACKENDS), the user's row (usercache.cached_user,
  or the backend's get_user), `user_can_authenticate` (active), the session auth hash compared in constant
  time. Only a signed-in trainee (role trainee, no administrator, no OTP device in the session: trainees are
  never asked for a second factor, dte/web/mfa.py) is answered here: every other role's check-in is scoped
  by the ORM path in the service and goes to Django; so do a stale hash (Django flushes the session or
  rotates it to a fallback key), `Authorization` headers (API tokens) and `Idempotency-Key` (dte/api.py);
- CSRF as django-ninja's SessionAuth does it for a cookie-authenticated POST (ninja.utils.check_csrf):
  django.middleware.csrf.CsrfViewMiddleware's own process_request/process_view — Origin, the Referer over
  HTTPS, the masked or unmasked token in the header against the cookie — with its refusal handed to Django,
  which answers 403 and logs it (once);
- the checks of the middleware stack that could change the answer: the HTTPS redirect (SECURE_SSL_REDIRECT),
  ALLOWED_HOSTS (request.get_host), NUL characters (dte/web/middleware.py), the language as LocaleMiddleware
  chooses it (cookie, Accept-Language) for the messages and Content-Language; a CSRF cookie to renew or
  DISALLOWED_USER_AGENTS, PREPEND_WWW, CSRF_USE_SESSIONS, SESSION_SAVE_EVERY_REQUEST or i18n URL prefixes
  configured → Django;
- the body as django-ninja parses it for PositionIn (json.loads), accepted here only in its plain form (an
  object whose lat/lon/accuracy are JSON numbers or null and device_id/code strings; unknown keys ignored as
  pydantic does): anything else → Django, which answers 422 in the API's error shape;
- the check itself through the same service, dte.training.services.check_in (checkin_sql: one SELECT, one
  statement), with the client IP as dte.audit.middleware.client_ip reads it and the audit actor and request
  id set as the middleware sets them; the same JSON body (CheckInOut) and, for an unknown session, the same
  404 in the error shape of dte/api_errors.py; an exception from the service → Django (nothing was written:
  the write is one statement, the last step);
- the response headers Django's stack gave this process for the same kind of answer (language, HTTPS),
  copied from the first check-in it answered (security headers, Content-Security-Policy, Vary,
  Content-Language …), with X-Request-ID per request and the `dte.request` log line as RequestIdMiddleware
  gives them (the same functions, dte/ops/wsgi.py);
- the request signals (request_started / request_finished: database connections closed when obsolete or
  broken), as Django's WSGI handler sends them.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from functools import lru_cache
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import request_finished, request_started, setting_changed
from django.dispatch import receiver
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import resolve
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.utils import translation
from django.utils.crypto import constant_time_compare

from dte.api_errors import error_body
from dte.audit.context import actor_from_user, reset_actor, set_actor
from dte.audit.middleware import client_ip
from dte.ops.logging import request_id_var
from dte.ops.wsgi import Capture, log_request, request_id_of, to_django, without
from dte.organisations import usercache
from dte.organisations.roles import Role

from .models import Attendance
from .services import TrainingError, check_in

PATH = re.compile(r"^/api/training/sessions/([0-9]{1,18})/check-in$")
CACHED_SESSION_ENGINES = frozenset({"django.contrib.sessions.backends.cached_db", "django.contrib.sessions.backends.cache"})
OTP_DEVICE_SESSION_KEY = "otp_device_id"  # django_otp.DEVICE_ID_SESSION_KEY
MAX_BODY = 4096  # a check-in body is ~100 bytes; larger ones go to Django (DATA_UPLOAD_MAX_MEMORY_SIZE)
_PER_RESPONSE = {"x-request-id", "content-length"}
_NUMBERS = ("lat", "lon", "accuracy")
_TEXTS = ("device_id", "code")
_REASON = {200: "200 OK", 404: "404 Not Found"}


class _Csrf(CsrfViewMiddleware):
    """Django's CSRF check; a refusal is only reported here (Django refuses and logs it when handed the request)."""

    def _reject(self, request, reason):
        return reason


def _no_view(request):  # pragma: no cover - never called: process_view only inspects it
    return None


# One instance, as Django's handler keeps one: CsrfViewMiddleware (Django 5.2) keeps nothing of a request on itself
# (the request's state goes on request/META), only CSRF_TRUSTED_ORIGINS parsed once (cached_property): made anew
# when that setting changes (tests).
_csrf = _Csrf(_no_view)


@receiver(setting_changed, dispatch_uid="dte.training.wsgi.csrf")
def _csrf_settings_changed(setting, **kwargs):
    global _csrf
    if setting == "CSRF_TRUSTED_ORIGINS":
        _csrf = _Csrf(_no_view)


def _csrf_refusal(request) -> str | None:
    """ninja.utils.check_csrf with Django's CsrfViewMiddleware: None when the request passes."""
    request.csrf_processing_done = False
    _csrf.process_request(request)
    return _csrf.process_view(request, _no_view, (), {})


def _number(value):
    """A JSON number as pydantic's float field takes it (None stays None); anything unusual: KeyError."""
    if value is None:
        return None
    kind = type(value)
    if kind is float:
        if math.isfinite(value):
            return value
    elif kind is int and -(2 ** 53) <= value <= 2 ** 53:
        return float(value)
    raise KeyError


def _text(value) -> str:
    if type(value) is not str:
        raise KeyError
    value.encode()  # a lone surrogate (UnicodeEncodeError) is Django's to answer
    return value


def payload_of(body: bytes) -> dict | None:
    """PositionIn's fields from a plain body, or None for anything Django should parse and answer."""
    if b"\x00" in body or b"\\u0000" in body:  # dte.web.middleware.RejectNulMiddleware answers 400
        return None
    try:
        data = json.loads(body)
        if type(data) is not dict:
            return None
        out = {name: _number(data.get(name)) for name in _NUMBERS}
        out.update((name, _text(data.get(name, ""))) for name in _TEXTS)
    except (ValueError, KeyError, UnicodeError, RecursionError):
        return None
    return out


@lru_cache(maxsize=4)
def _session_store(engine: str):
    return import_module(engine).SessionStore


def _enabled() -> bool:
    return (settings.SESSION_ENGINE in CACHED_SESSION_ENGINES and not settings.SESSION_SAVE_EVERY_REQUEST
            and not settings.CSRF_USE_SESSIONS and not settings.DISALLOWED_USER_AGENTS and not settings.PREPEND_WWW
            and not is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0])


class CheckInLean:
    def __init__(self, app):
        self.app = app
        self.templates: dict[tuple, list] = {}  # (language, https) → the response headers Django gave
        self.route: str | None = None
        self.answered = 0  # check-ins answered here (tests, benchmarks)
        self._local = threading.local()  # per thread: {cache: (process id, its Redis connection)} for _values

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith("/api/training/sessions/"):
            match = PATH.match(environ["PATH_INFO"])
            if match is not None:
                return self._check_in(environ, start_response, int(match[1]))
        return self.app(environ, start_response)

    # --- the lean path -------------------------------------------------------------------------------------

    def _check_in(self, environ, start_response, session_id: int):
        started = time.perf_counter()
        if ("HTTP_AUTHORIZATION" in environ or "HTTP_IDEMPOTENCY_KEY" in environ
                or not environ.get("CONTENT_TYPE", "").startswith("application/json") or not _enabled()):
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self.app(environ, start_response)
        if not 0 < length <= MAX_BODY:
            return self.app(environ, start_response)
        request_started.send(sender=WSGIHandler, environ=environ)
        request = WSGIRequest(dict(environ))
        try:
            body = request.body  # read once: handed to Django as it came when the layer does not answer
        except Exception:  # noqa: BLE001 - an unreadable body (client gone): Django meets it as it always did
            return self.app(environ, start_response)
        try:
            user, language, template = self._eligible(request)
        except Exception:  # noqa: BLE001 - e.g. the cache unreachable: Django answers (and logs) it as it always did
            user = language = template = None
        payload = payload_of(body) if user is not None else None
        if payload is None:
            return self._django(environ, start_response, body)
        if template is None:  # this process has not seen Django's headers for this kind of answer yet
            return self._django(environ, start_response, body, capture=(language, request.is_secure()))
        ip = client_ip(request)
        request_id = request_id_of(environ)
        id_token, actor_token = request_id_var.set(request_id), set_actor(actor_from_user(user, ip))
        try:
            with translation.override(language):
                try:
                    result = check_in(session_id=session_id, user=user, ip=ip, source=Attendance.Source.API, **payload)
                except TrainingError as error:
                    status, answer = 404, error_body(404, str(error))
                except Exception:  # noqa: BLE001 - Django answers it (and logs it) as it always did
                    status = None
                else:
                    status, answer = 200, {"accepted": result.accepted, "reason": result.reason, "status": result.status,
                                           "flagged": result.flagged}
            if status is not None:
                content = json.dumps(answer).encode()
                start_response(_REASON[status], [*template, ("Content-Length", str(len(content))), ("X-Request-ID", request_id)])
                self.answered += 1
                log_request("POST", self._route(environ), status, started, request_id)
        finally:
            reset_actor(actor_token)
            request_id_var.reset(id_token)
        if status is None:  # nothing was written (the write is the service's last statement): Django's answer
            return self._django(environ, start_response, body)
        request_finished.send(sender=WSGIHandler)
        return [content]

    def _eligible(self, request):
        """(the signed-in trainee, the language, the headers template) — user None when Django must answer."""
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None, None, None  # SecurityMiddleware redirects
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it
        except Exception:  # noqa: BLE001 - DisallowedHost and its kin: Django answers 400
            return None, None, None
        language = translation.get_language_from_request(request)
        user = self._user(request)
        if user is None or _csrf_refusal(request) is not None or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return None, None, None
        return user, language, self.templates.get((language, request.is_secure()))

    def _user(self, request):
        """django.contrib.auth.get_user (as dte/organisations/usercache.py does it) for a trainee's cached
        session, read only: None for anything else (Django then answers, flushing a stale session itself)."""
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not key or len(key) < 8:
            return None
        session_cache = caches[settings.SESSION_CACHE_ALIAS]
        try:  # the key the session store reads (SessionStore.cache_key); a miss is the database's: Django's
            data = self._values(session_cache, [_session_store(settings.SESSION_ENGINE).cache_key_prefix + key])[0]
        except Exception:  # noqa: BLE001 - as the store's load(): an unreadable entry is a miss
            return None
        if type(data) is not dict or OTP_DEVICE_SESSION_KEY in data:
            return None
        backend_path, session_hash = data.get(BACKEND_SESSION_KEY), data.get(HASH_SESSION_KEY)
        if backend_path not in settings.AUTHENTICATION_BACKENDS or not session_hash or SESSION_KEY not in data:
            return None
        User = get_user_model()
        try:
            user_id = User._meta.pk.to_python(data[SESSION_KEY])
        except Exception:  # noqa: BLE001
            return None
        backend = load_backend(backend_path)
        if usercache.enabled() and usercache.cacheable(backend):
            user = self._cached_user(backend, user_id)
        else:
            user = backend.get_user(user_id)
        if user is None or not user.is_active or user.role != Role.TRAINEE or user.is_superuser or user.is_platform_admin:
            return None
        expected = getattr(user, "_cached_session_auth_hash", None) or user.get_session_auth_hash()
        return user if constant_time_compare(session_hash, expected) else None

    def _cached_user(self, backend, user_id):
        """usercache.cached_user: the generation and the user's entry read together (through this thread's
        connection); a current entry makes the user, anything else is usercache.cached_user's to handle (database,
        add)."""
        user = usercache.user_from_entry(*self._values(caches[DEFAULT_CACHE_ALIAS], usercache.entry_keys(user_id)))
        if user is None:
            return usercache.cached_user(backend, user_id)
        return user if backend.user_can_authenticate(user) else None

    def _values(self, cache_obj, keys: list[str]) -> list:
        """cache_obj.get_many(keys)'s values in key order (None when missing). Django's Redis cache with one
        server: one MGET on a connection of the cache's own pool that this thread keeps (taking a connection from
        the pool and giving it back, as redis-py does per command, cost more than the MGET itself), the values
        decoded by the cache's own serializer; any other cache: get_many. A connection that fails is closed
        (the error goes up: Django answers the request) and opens again for the next check-in."""
        inner = getattr(cache_obj, "_cache", None)
        if not isinstance(cache_obj, RedisCache) or len(getattr(inner, "_servers", ())) != 1:
            found = cache_obj.get_many(keys)
            return [found.get(k) for k in keys]
        kept = self._local.__dict__.setdefault("redis", {})  # cache objects are per thread, like Django's caches
        entry = kept.get(cache_obj)
        if entry is None or entry[0] != os.getpid():
            # made by the pool but not checked out of it: nothing is left listed as in use when a thread ends
            entry = kept[cache_obj] = (os.getpid(), inner.get_client(None).connection_pool.make_connection())
        connection = entry[1]
        try:
            connection.send_command("MGET", *[cache_obj.make_key(k) for k in keys])
            raw = connection.read_response()
        except BaseException:
            connection.disconnect()  # the same connection reconnects on its next command
            raise
        loads = inner._serializer.loads
        return [None if value is None else loads(value) for value in raw]

    def _route(self, environ) -> str:
        if self.route is None:
            self.route = resolve(environ["PATH_INFO"]).route
        return self.route

    # --- Django ------------------------------------------------------------------------------------------

    def _django(self, environ, start_response, body: bytes, capture: tuple | None = None):
        """The request to Django as it came (its body put back); with `capture`, keep the headers of its answer."""
        if capture is None:
            return to_django(self.app, environ, start_response, body)
        kept = Capture(start_response)
        response = to_django(self.app, environ, kept, body)
        if kept.status == "200 OK" and not any(name.lower() == "set-cookie" for name, _ in kept.headers):
            self.templates[capture] = without(kept.headers, _PER_RESPONSE)
        return response
