"""The check-in's WSGI layer (dte/training/wsgi.py, issue 12 item 2) against Django's whole stack: the same
requests, one set through the layer and one straight to Django, give the same status, headers, body and rows
— each accepted, repeated or refused check-in on its own session of the same class, so that the rows compare
enrolment by enrolment; and what the layer must not answer (bad CSRF, no or stale session, inactive user,
malformed body, Idempotency-Key, staff …) reaches Django unchanged."""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _mask_cipher_secret
from django.test import Client
from django.utils import timezone

from dte.training.models import Attendance, AttendanceFlag, CheckInAttempt, CheckInCount, Session
from dte.training.services import checkin_sql
from dte.training.wsgi import CheckInLean, payload_of

from .factories import VENUE_LAT, VENUE_LON, SessionFactory, staff, trainee

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"
INSIDE = {"lat": VENUE_LAT + 0.0002, "lon": VENUE_LON, "accuracy": 15}
OUTSIDE = {"lat": VENUE_LAT + 0.05, "lon": VENUE_LON, "accuracy": 15}
CSRF = secrets.token_hex(16)  # a 32-character secret, as the browser's csrftoken cookie holds it


@pytest.fixture
def stack(settings):
    """Production's session and user cache set-up (cached sessions, the shared user-row cache), a fresh
    cache; (the layer in front of Django, Django alone)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.DTE_USER_CACHE = True
    settings.TRAINING_SHARED_IP_THRESHOLD = 2
    cache.clear()
    django_app = WSGIHandler()
    return CheckInLean(django_app), django_app


def sign_in(user, backend: str = BACKEND) -> str:
    client = Client()
    client.force_login(user, backend=backend)
    return client.cookies["sessionid"].value


def call(app, path: str, body: bytes, *, cookie: str = "", csrf: str | None = CSRF, **extra) -> tuple[int, dict, bytes]:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
               "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
               "wsgi.errors": io.StringIO(), "REMOTE_ADDR": "198.51.100.7", "SCRIPT_NAME": "", "QUERY_STRING": "",
               "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
               "HTTP_COOKIE": f"csrftoken={CSRF}; sessionid={cookie}" if cookie else f"csrftoken={CSRF}", **extra}
    if csrf is not None:
        environ["HTTP_X_CSRFTOKEN"] = csrf
    started = []
    # as Django's test client: the request signals must not close the test's transaction-wrapped connection
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = app(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
        content = b"".join(response)
        if hasattr(response, "close"):
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    status, headers = started[0]
    return int(status[:3]), {name.lower(): value for name, value in headers}, content


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def path(session) -> str:
    return f"/api/training/sessions/{session if isinstance(session, int) else session.pk}/check-in"


def now_session(training_class=None, venue=None, **kw) -> Session:
    now = timezone.now()
    fields = {"starts_at": now - timedelta(minutes=5), "ends_at": now + timedelta(hours=3), **kw}
    if training_class is not None:
        fields["training_class"] = training_class
    if venue is not None:
        fields["venue"] = venue
    return SessionFactory(**fields)


def same_answer(lean, django):
    """Status, body and headers alike; only the per-request X-Request-ID differs."""
    assert lean[0] == django[0]
    assert lean[2] == django[2]
    strip = lambda headers: {k: v for k, v in headers.items() if k != "x-request-id"}  # noqa: E731
    assert strip(lean[1]) == strip(django[1])
    assert lean[1]["x-request-id"] and lean[1]["x-request-id"] != django[1]["x-request-id"]


def rows(session) -> dict:
    """A session's check-in evidence, without ids, the session and the moments (compared apart)."""
    return {
        "attendance": list(Attendance.objects.filter(session=session).order_by("enrolment_id").values(
            "enrolment_id", "status", "source", "lat", "lon", "accuracy_m", "distance_m", "device_id", "ip")),
        "attempts": list(CheckInAttempt.objects.filter(session=session).order_by("pk").values(
            "enrolment_id", "user_id", "action", "lat", "lon", "accuracy_m", "distance_m", "device_id", "ip", "code",
            "accepted", "reason")),
        "flags": sorted(AttendanceFlag.objects.filter(session=session).values_list("kind", "value")),
        "counts": sorted(CheckInCount.objects.filter(session=session).values_list("kind", "value", "trainees")),
    }


def warm(lean, **extra):
    """The first plain check-in of each kind (language, HTTPS) goes to Django: the layer keeps its headers."""
    session = now_session()
    cookie = sign_in(trainee(session.training_class).person.user)
    before = lean.answered
    assert call(lean, path(session), body(**INSIDE), cookie=cookie, **extra)[0] == 200
    assert lean.answered == before  # Django answered it


def test_accepted_repeated_and_refused_check_ins_answer_and_write_alike(stack):
    lean, django = stack
    warm(lean)
    first = now_session()
    tc = first.training_class
    second = now_session(tc, first.venue)
    later = now_session(tc, first.venue, starts_at=timezone.now() + timedelta(days=1),
                        ends_at=timezone.now() + timedelta(days=1, hours=3))
    later_twin = now_session(tc, first.venue, starts_at=later.starts_at, ends_at=later.ends_at)
    elsewhere = now_session()
    people = [trainee(tc) for _ in range(4)]
    outsider = trainee(elsewhere.training_class)
    cookies = {e.pk: sign_in(e.person.user) for e in [*people, outsider]}
    a, b, c, d = people
    steps = [  # (enrolment, the session of the pair, fields)
        (a, 0, {**INSIDE, "device_id": "phone-1"}),
        (b, 0, {**INSIDE, "device_id": "phone-1"}),  # a second trainee on phone-1: shared device, flagged
        (a, 0, {**INSIDE, "device_id": "phone-1"}),  # again: refused as a repeat, kept as evidence
        (c, 0, {**OUTSIDE, "device_id": "phone-3"}),  # outside the fence
        (c, 0, {**INSIDE, "device_id": "phone-3", "code": "123456", "extra": [1, 2]}),  # unknown keys ignored
        (d, 1, {**INSIDE, "device_id": "phone-4"}),  # the session has not opened yet
        (d, 0, {"lat": int(VENUE_LAT), "lon": None, "device_id": "phone-4"}),  # no accuracy: refused
        (outsider, 0, {**INSIDE, "device_id": "phone-5"}),  # not enrolled in this class
    ]
    answers = []
    for enrolment, pair, fields in steps:
        lean_session, django_session = ((first, second), (later, later_twin))[pair]
        before = lean.answered
        phone = {"REMOTE_ADDR": f"198.51.100.{enrolment.pk % 200}", "HTTP_X_FORWARDED_FOR": "10.9.9.9"}
        via_lean = call(lean, path(lean_session), body(**fields), cookie=cookies[enrolment.pk], **phone)
        assert lean.answered == before + 1, fields
        via_django = call(django, path(django_session), body(**fields), cookie=cookies[enrolment.pk], **phone)
        same_answer(via_lean, via_django)
        answers.append(json.loads(via_lean[2]))
    assert [(x["accepted"], x["flagged"]) for x in answers] == [(True, False), (True, True), (False, False), (False, False),
                                                                (True, False), (False, False), (False, False), (False, False)]
    assert answers[2]["reason"] == checkin_sql.ALREADY and "不在签到范围内" in answers[3]["reason"]
    assert answers[0]["status"] == answers[4]["status"] == "present" and "尚未开始" in answers[5]["reason"]
    assert "未在本班" in answers[7]["reason"]
    for lean_session, django_session in ((first, second), (later, later_twin)):
        assert rows(lean_session) == rows(django_session)
    evidence = rows(first)
    assert len(evidence["attendance"]) == 3 and {x["source"] for x in evidence["attendance"]} == {"api"}
    assert evidence["flags"] == [("shared_device", "phone-1")]
    assert {x["ip"] for x in evidence["attempts"]} == {f"198.51.100.{e.pk % 200}" for e in [*people, outsider]}  # X-Forwarded-For
    # from an untrusted peer is ignored
    assert Attendance.objects.filter(session=first, checked_in_at__isnull=True).count() == 0


def test_unknown_session_and_english_messages(stack, settings):
    lean, django = stack
    warm(lean)
    warm(lean, HTTP_ACCEPT_LANGUAGE="en")
    session = now_session()
    twin = now_session(session.training_class, session.venue)
    enrolment = trainee(session.training_class)
    cookie = sign_in(enrolment.person.user)
    missing = Session.objects.order_by("-pk").first().pk + 1000
    via_lean, via_django = (call(app, path(missing), body(**INSIDE), cookie=cookie) for app in (lean, django))
    same_answer(via_lean, via_django)
    assert via_lean[0] == 404 and json.loads(via_lean[2])["code"] == "not_found"
    for extra in ({"HTTP_ACCEPT_LANGUAGE": "en"}, {"HTTP_COOKIE": f"csrftoken={CSRF}; sessionid={cookie}; django_language=en"}):
        vague = {**INSIDE, "accuracy": None}
        answers = [call(app, path(s), body(**vague), cookie=cookie, **extra) for app, s in ((lean, session), (django, twin))]
        same_answer(*answers)
        assert answers[0][1]["content-language"] == "en" and json.loads(answers[0][2])["reason"] == "No accuracy reported."
    english = call(lean, path(missing), body(**INSIDE), cookie=cookie, HTTP_ACCEPT_LANGUAGE="en")
    assert english[0] == 404 and json.loads(english[2])["message"] == "No such session."
    assert rows(session) == rows(twin)


def test_trusted_proxy_address_and_the_request_log_line(stack, settings, caplog):
    settings.DTE_TRUSTED_PROXIES = ["198.51.100.0/24"]
    settings.DTE_REQUEST_LOG = True
    django = WSGIHandler()  # its request-id middleware reads DTE_REQUEST_LOG when the stack is built
    lean = CheckInLean(django)
    warm(lean)
    session = now_session()
    twin = now_session(session.training_class, session.venue)
    cookie = sign_in(trainee(session.training_class).person.user)
    with caplog.at_level(logging.INFO, logger="dte.request"):
        via_lean = call(lean, path(session), body(**INSIDE), cookie=cookie, HTTP_X_FORWARDED_FOR="203.0.113.5",
                        HTTP_X_REQUEST_ID="req-12345678")
        via_django = call(django, path(twin), body(**INSIDE), cookie=cookie, HTTP_X_FORWARDED_FOR="203.0.113.5")
    same_answer(via_lean, via_django)
    assert via_lean[1]["x-request-id"] == "req-12345678" and len(via_django[1]["x-request-id"]) == 32
    assert rows(session) == rows(twin) and rows(session)["attempts"][0]["ip"] == "203.0.113.5"
    lines = [(r.method, r.route, r.status) for r in caplog.records if r.name == "dte.request"]
    assert lines[-2] == lines[-1] == ("POST", "api/training/sessions/<session_id>/check-in", 200)


def test_https_referer_and_origin_checks_as_django(stack, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    lean, django = stack
    https = {"wsgi.url_scheme": "https", "SERVER_PORT": "443"}
    warm(lean, HTTP_REFERER="https://testserver/", **https)
    session = now_session()
    twin = now_session(session.training_class, session.venue)
    cookie = sign_in(trainee(session.training_class).person.user)
    before = lean.answered
    good = [call(app, path(s), body(**INSIDE), cookie=cookie, HTTP_REFERER="https://testserver/x", **https)
            for app, s in ((lean, session), (django, twin))]
    same_answer(*good)
    assert good[0][0] == 200
    assert lean.answered == before + 1
    for extra in ({"HTTP_REFERER": "https://evil.example/"}, {}, {"HTTP_REFERER": "http://testserver/"},
                  {"HTTP_ORIGIN": "https://evil.example", "HTTP_REFERER": "https://testserver/"}):
        refused = [call(app, path(s), body(**INSIDE), cookie=cookie, **https, **extra) for app, s in ((lean, session), (django, twin))]
        same_answer(*refused)
        assert refused[0][0] == 403 and json.loads(refused[0][2])["code"] == "forbidden"
    assert lean.answered == before + 1  # every refusal was Django's
    assert rows(session) == rows(twin)


def test_the_kept_csrf_check_follows_trusted_origins(stack, settings):
    """The layer keeps one CsrfViewMiddleware, which parses CSRF_TRUSTED_ORIGINS once: a changed setting is read."""
    lean, _django = stack
    warm(lean)
    session = now_session()
    cookie = sign_in(trainee(session.training_class).person.user)
    before = lean.answered
    assert call(lean, path(session), body(**INSIDE), cookie=cookie, HTTP_ORIGIN="http://app.example")[0] == 403
    settings.CSRF_TRUSTED_ORIGINS = ["http://app.example"]
    assert call(lean, path(session), body(**INSIDE), cookie=cookie, HTTP_ORIGIN="http://app.example")[0] == 200
    assert lean.answered == before + 1  # the refusal was Django's, the trusted origin's check-in the layer's


@pytest.mark.parametrize("case", ["wrong csrf", "no csrf header", "masked csrf", "no session", "inactive user",
                                  "stale session hash", "another trainee's cookie", "malformed json", "not an object",
                                  "string latitude", "nul character", "idempotency key", "staff", "mobile backend",
                                  "unknown session cookie"])
def test_what_the_layer_leaves_to_django_is_answered_alike(stack, case):
    lean, django = stack
    warm(lean)
    session = now_session()
    twin = now_session(session.training_class, session.venue)
    enrolment, other = trainee(session.training_class), trainee(session.training_class)
    user = enrolment.person.user
    cookie, kwargs, fields, answered_here = sign_in(user), {}, dict(INSIDE), False
    payload = None
    if case == "wrong csrf":
        kwargs["csrf"] = secrets.token_hex(16)
    elif case == "no csrf header":
        kwargs["csrf"] = None
    elif case == "masked csrf":  # the token as the page's form carries it: Django accepts it, and so does the layer
        kwargs["csrf"] = _mask_cipher_secret(CSRF)
        answered_here = True
    elif case == "no session":
        cookie = ""
    elif case == "unknown session cookie":
        cookie = "x" * 32
    elif case == "inactive user":
        user.is_active = False
        user.save(update_fields=["is_active"])
    elif case == "stale session hash":  # the password changed since the sign-in
        user.set_password("another-Passw0rd")
        user.save()
    elif case == "another trainee's cookie":  # the check-in is the cookie's owner's, in both paths
        cookie = sign_in(other.person.user)
        answered_here = True
    elif case == "malformed json":
        payload = b'{"lat": 39.08,'
    elif case == "not an object":
        payload = b"[1, 2]"
    elif case == "string latitude":
        fields["lat"] = str(VENUE_LAT + 0.0002)
    elif case == "nul character":
        fields["device_id"] = "phone\x00"
    elif case == "idempotency key":
        kwargs["HTTP_IDEMPOTENCY_KEY"] = "key-1"
    elif case == "staff":
        cookie = sign_in(staff(session.training_class.institution))
    elif case == "mobile backend":  # trainees sign in with their mobile number: same user row, same checks
        cookie = sign_in(user, backend="dte.web.auth.MobileNumberBackend")
        answered_here = True
    payload = payload if payload is not None else body(**fields)
    before = lean.answered
    via_lean = call(lean, path(session), payload, cookie=cookie, **kwargs)
    assert lean.answered == before + answered_here
    if case == "idempotency key":  # a key belongs to one request of its user: the twin's request gets its own
        kwargs["HTTP_IDEMPOTENCY_KEY"] = "key-2"
    via_django = call(django, path(twin), payload, cookie=cookie, **kwargs)
    same_answer(via_lean, via_django)
    assert rows(session) == rows(twin)
    expected = {"wrong csrf": 403, "no csrf header": 403, "no session": 401, "unknown session cookie": 401,
                "inactive user": 401, "stale session hash": 401, "malformed json": 400, "nul character": 400}
    if case in expected:
        assert via_lean[0] == expected[case] and {"code", "message", "field", "errors"} <= set(json.loads(via_lean[2]))
    if case == "another trainee's cookie":
        assert rows(session)["attempts"][0]["enrolment_id"] == other.pk
    if case == "idempotency key":  # the same key again replays Django's stored answer, through the layer too
        again = call(lean, path(session), payload, cookie=cookie, **{**kwargs, "HTTP_IDEMPOTENCY_KEY": "key-1"})
        assert again[2] == via_lean[2] and again[1].get("idempotent-replayed") == "true"
        assert CheckInAttempt.objects.filter(session=session).count() == 1


def test_plain_bodies_only():
    assert payload_of(b'{"lat": 1, "lon": 2.5, "accuracy": null}') == {"lat": 1.0, "lon": 2.5, "accuracy": None,
                                                                        "device_id": "", "code": ""}
    for odd in (b'{"lat": true}', b'{"lat": NaN}', b'{"lat": 1e400}', b'{"lat": "1"}', b'{"device_id": 5}',
                b'{"code": null}', b'{"device_id": "\\ud800"}', b'"x"', b"", b'{"device_id": "a\\u0000"}',
                b'{"lat": 123456789012345678901234567890}'):
        assert payload_of(odd) is None, odd


def _redis_url() -> str | None:
    url = os.environ.get("DTE_TEST_REDIS_URL") or "redis://127.0.0.1:6379/14"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001
        return None
    return url


def test_with_the_shared_redis_cache_as_in_production(settings):
    """Sessions and user rows in Redis (production): the layer reads them with one MGET per lookup, decoded by the
    cache's own serializer; a deactivation reaches the layer at once (the user's entry is replaced)."""
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                                   "KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.DTE_USER_CACHE = True
    django_app = WSGIHandler()
    lean = CheckInLean(django_app)
    warm(lean)
    session = now_session()
    twin = now_session(session.training_class, session.venue)
    enrolment, other = trainee(session.training_class), trainee(session.training_class)
    cookie, other_cookie = sign_in(enrolment.person.user), sign_in(other.person.user)
    for fields in ({**INSIDE, "device_id": "p1"}, {**INSIDE, "device_id": "p1"}):  # accepted, then a repeat
        before = lean.answered
        answers = [call(app, path(s), body(**fields), cookie=cookie) for app, s in ((lean, session), (django_app, twin))]
        assert lean.answered == before + 1
        same_answer(*answers)
    (pid, held), = lean._local.redis.values()  # read through one kept connection of the cache's pool, not get_many
    import redis

    def broken():
        raise redis.ConnectionError("gone")

    held.read_response = broken  # the kept connection fails: Django answers, the layer closes the connection
    answers = [call(app, path(s), body(**{**INSIDE, "device_id": "p1"}), cookie=cookie) for app, s in ((lean, session), (django_app, twin))]
    same_answer(*answers)
    assert lean.answered == before + 1 and held._sock is None
    del held.read_response
    call(lean, path(now_session(session.training_class, session.venue)), body(**INSIDE), cookie=cookie)
    assert lean.answered == before + 2 and lean._local.redis[caches["default"]] == (pid, held)  # reconnected
    pool = caches["default"]._cache.get_client(None).connection_pool
    assert held not in pool._in_use_connections  # never checked out of the pool: nothing stays listed as in use
    user = other.person.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    before = lean.answered
    refused = [call(app, path(s), body(**INSIDE), cookie=other_cookie) for app, s in ((lean, session), (django_app, twin))]
    same_answer(*refused)
    assert refused[0][0] == 401 and lean.answered == before
    assert rows(session) == rows(twin) and len(rows(session)["attempts"]) == 3
    cache.clear()  # this test's Redis database (14)


def test_a_failing_lookup_leaves_the_request_to_django(stack, monkeypatch):
    lean, _ = stack
    warm(lean)
    session = now_session()
    cookie = sign_in(trainee(session.training_class).person.user)

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(CheckInLean, "_cached_user", unreachable)
    before = lean.answered
    status, _, content = call(lean, path(session), body(**INSIDE), cookie=cookie)
    assert status == 200 and json.loads(content)["accepted"] is True and lean.answered == before  # Django's answer
    assert Attendance.objects.filter(session=session).count() == 1
