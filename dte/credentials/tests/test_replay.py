"""The lean path of public verification (issue 9 §6): the WSGI layer replays this process's fresh answers
with the same headers (CSP included), still rate-limited and logged; a status change drops them at once,
here and — through the Redis change channel — in every other process; the log is written off the request."""

import io
import os
import time
import uuid

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from dte.credentials import verification
from dte.credentials.models import VerificationLog
from dte.credentials.services import level_certificate_set_status
from dte.credentials.wsgi import VerifyReplay

from .factories import evaluation_staff, issue_one

pytestmark = pytest.mark.django_db
APP = VerifyReplay(WSGIHandler())


def wsgi_get(path: str, **extra) -> tuple[int, dict, bytes]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
               "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(),
               "REMOTE_ADDR": "198.51.100.7", "SCRIPT_NAME": "", "QUERY_STRING": "", **extra}
    started = []
    # as Django's test client: the request signals must not close the test's transaction-wrapped connection
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(APP(environ, lambda status, headers, exc_info=None: started.append((status, headers))))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    status, headers = started[0]
    return int(status[:3]), {name.lower(): value for name, value in headers}, body


def test_replayed_answer_has_the_same_bytes_and_headers_and_is_logged():
    cert = issue_one()
    first = wsgi_get(f"/credentials/v/{cert.token}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert verification.replay_get(cert.token, ("web", "", "zh-hans")) is not None
    second = wsgi_get(f"/credentials/v/{cert.token}/", HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_X_REQUEST_ID="bench-req-0001")
    assert first[0] == second[0] == 200 and first[2] == second[2] and "张三".encode() in second[2]
    assert "content-security-policy" in first[1] and "frame-ancestors 'none'" in first[1]["content-security-policy"]
    assert "'nonce-" not in first[1]["content-security-policy"]
    same = {k: v for k, v in first[1].items() if k != "x-request-id"}
    assert same == {k: v for k, v in second[1].items() if k != "x-request-id"}
    assert second[1]["x-request-id"] == "bench-req-0001" and len(first[1]["x-request-id"]) == 32
    english = wsgi_get(f"/credentials/v/{cert.token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"Certificate verification" in english[2] and english[2] != first[2]  # another variant, not the Chinese bytes
    api = [wsgi_get(f"/api/credentials/verify/token/{cert.token}") for _ in range(2)]
    assert api[0][2] == api[1][2] and b'"found": true' in api[1][2] and api[1][1]["content-type"] == "application/json"
    verification.flush()
    assert VerificationLog.objects.filter(method="token", outcome="found", certificate_number=cert.number).count() == 5


def test_revocation_drops_the_replayed_answer_at_once():
    cert = issue_one()
    for _ in range(2):
        assert b'"status": "valid"' in wsgi_get(f"/api/credentials/verify/token/{cert.token}")[2]
        assert wsgi_get(f"/credentials/v/{cert.token}/", HTTP_ACCEPT_LANGUAGE="en")[0] == 200
    level_certificate_set_status(cert, "revoked", by=evaluation_staff(cert.issuer), reason="考试舞弊")
    assert verification.replay_get(cert.token, ("api",)) is None
    assert b'"status": "revoked"' in wsgi_get(f"/api/credentials/verify/token/{cert.token}")[2]
    page = wsgi_get(f"/credentials/v/{cert.token}/", HTTP_ACCEPT_LANGUAGE="en")[2].decode()
    assert "考试舞弊" not in page and "evoked" in page


def test_replayed_requests_are_rate_limited(settings):
    settings.DTE_VERIFY_RATE = "2/60"
    cert = issue_one()
    assert [wsgi_get(f"/api/credentials/verify/token/{cert.token}")[0] for _ in range(2)] == [200, 200]
    status, headers, body = wsgi_get(f"/api/credentials/verify/token/{cert.token}")
    assert status == 429 and 1 <= int(headers["retry-after"]) <= 60 and b"retry_after" in body
    assert wsgi_get(f"/api/credentials/verify/token/{cert.token}", REMOTE_ADDR="203.0.113.9")[0] == 200  # per client
    verification.flush()
    assert VerificationLog.objects.filter(outcome="throttled", channel="api").count() == 1  # logged once


@pytest.mark.django_db(transaction=True)
def test_background_writer_writes_the_log_off_the_request(settings):
    verification.flush()  # rows an earlier test left in this process's buffer are not this test's
    VerificationLog.objects.all().delete()
    settings.DTE_VERIFY_LOG_BACKGROUND = True
    settings.DTE_VERIFY_LOG_BATCH = 3
    for n in range(3):
        verification.record(method="token", facts={"kind": "level", "number": f"N{n}"}, channel="api", ip="198.51.100.7")
    try:
        deadline = time.monotonic() + 10
        while VerificationLog.objects.count() < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(VerificationLog.objects.values_list("certificate_number", flat=True)) == ["N0", "N1", "N2"]
    finally:
        verification.stop_writer()


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001
        return None
    return url


def test_a_change_announced_by_another_process_drops_this_process_answers(settings):
    """A revocation in one gunicorn worker reaches the others through Redis (publish → every listener)."""
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis at REDIS_URL / 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                                   "KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}"}}
    from django.core.cache import cache

    saved = dict(verification._listener), verification._client[0]
    verification._client[0] = None
    verification._listener.update(pid=None, live=False)
    try:
        verification.replay_put("T" * 20, ("api",), (b"200 OK", [], b"{}", "level", "N1"))
        deadline = time.monotonic() + 10
        while not verification._listener["live"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert verification._listener["live"] and verification.local_seconds() == verification.cache_seconds()
        verification.replay_put("T" * 20, ("api",), (b"200 OK", [], b"{}", "level", "N1"))
        # what forget_cached does in ANOTHER process: publish the token on the change channel
        verification.shared_client().publish(cache.make_and_validate_key(verification.CHANNEL), "T" * 20)
        deadline = time.monotonic() + 5
        while verification.replay_get("T" * 20, ("api",)) is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert verification.replay_get("T" * 20, ("api",)) is None
    finally:
        verification._listener.update(saved[0] | {"pid": None, "live": False, "run": None})  # this test's listener ends
        verification._client[0] = saved[1]
