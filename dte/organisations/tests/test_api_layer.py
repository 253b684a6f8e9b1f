"""Issue 8, finding 9: token clients can write, one error shape, clean 4xx, Idempotency-Key, token scope.

The clients here enforce CSRF checks as a browser's server does (Django's test Client skips them by
default, which is how the old `Bearer` test passed while real clients got 403)."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.test import Client

from dte.api import api
from dte.privacy.idnumber import InvalidIdNumber

from dte.audit.models import AuditEvent
from dte.organisations.idempotency import IdempotencyRecord
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory
from dte.organisations.tokens import ApiToken, api_token_create
from dte.training.models import Attendance, Session
from dte.training.tests.factories import SessionFactory, staff, trainee

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"code", "message", "field", "errors"}


@pytest.fixture
def setup():
    session = SessionFactory(delivery=Session.Delivery.ONLINE)
    enrolment = trainee(session.training_class)
    user = staff(session.training_class.institution)
    return session, enrolment, user


def push(client, session, enrolment, minutes=90, **headers):
    return client.post(f"/api/training/sessions/{session.pk}/online-time",
                       json.dumps({"entries": [{"enrolment_id": enrolment.pk, "minutes": minutes}]}),
                       content_type="application/json", **headers)


def bearer(clear):
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def test_bearer_writes_pass_without_csrf_but_session_writes_still_need_it(setup):
    session, enrolment, user = setup
    _, clear = api_token_create(user, "学习平台")
    client = Client(enforce_csrf_checks=True)
    assert push(client, session, enrolment, **bearer(clear)).status_code == 200
    client.force_login(user)
    refused = push(client, session, enrolment)
    assert refused.status_code == 403 and set(refused.json()) == ERROR_KEYS and "CSRF" in refused.json()["message"]


def test_token_writes_are_audited_as_the_tokens_user(setup):
    session, enrolment, user = setup
    _, clear = api_token_create(user, "学习平台")
    assert push(Client(enforce_csrf_checks=True), session, enrolment, **bearer(clear)).status_code == 200
    event = AuditEvent.objects.get(action="training.online_time.push")
    assert (event.actor_id, event.actor_label) == (user.pk, user.username)


def test_read_token_cannot_write_and_group_limits_apply(setup):
    session, enrolment, user = setup
    _, read_only = api_token_create(user, "只读", access=ApiToken.Access.READ, groups=["training"])
    client = Client(enforce_csrf_checks=True)
    refused = push(client, session, enrolment, **bearer(read_only))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert client.get(f"/api/training/sessions/{session.pk}/attendance", **bearer(read_only)).status_code == 200
    assert client.get("/api/policy/packs", **bearer(read_only)).status_code == 403  # not its group
    assert not Attendance.objects.filter(session=session).exists()


def test_errors_share_one_shape(setup, client):
    session, enrolment, user = setup
    anonymous = client.get("/api/policy/packs")
    assert anonymous.status_code == 401 and set(anonymous.json()) == ERROR_KEYS and anonymous.json()["code"] == "unauthenticated"
    client.force_login(user)
    missing = client.get("/api/training/sessions/999999/attendance")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    invalid = client.post(f"/api/training/sessions/{session.pk}/online-time", "{}", content_type="application/json")
    assert invalid.status_code == 422 and invalid.json()["field"] == "entries"


def test_permission_refusal_is_403_not_500(client):
    """Before: PermissionDenied from a service escaped the API as a 500 with a traceback."""
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER))
    response = client.post("/api/registry/people", json.dumps({"name": "张三", "id_number": "110101199003074477", "phone": "13900000000", "division": "140105"}),
                           content_type="application/json")
    assert response.status_code == 403 and set(response.json()) == ERROR_KEYS


@pytest.mark.parametrize("minutes", [2**63, 10**30])
def test_overflowing_numbers_are_4xx_not_500(setup, minutes):
    session, enrolment, user = setup
    _, clear = api_token_create(user, "学习平台")
    response = push(Client(), session, enrolment, minutes=minutes, **bearer(clear))
    assert response.status_code < 500
    if response.status_code == 200:  # the service refuses the entry itself
        assert response.json()["accepted"] == 0 and response.json()["refused"]
    else:
        assert set(response.json()) == ERROR_KEYS


@pytest.mark.parametrize("exc, status, code", [
    (PermissionDenied("不在您的管辖范围内"), 403, "forbidden"),
    (Http404("No Person matches the given query."), 404, "not_found"),
    (DjangoValidationError({"name": ["太长了"]}), 422, "invalid"),
    (IntegrityError("duplicate key value violates unique constraint"), 409, "conflict"),
    (DataError("value too long for type character varying(64)"), 422, "invalid"),
    (DataError("integer out of range"), 422, "invalid"),
    (OverflowError("Python int too large to convert to SQLite INTEGER"), 422, "invalid"),
    (InvalidIdNumber("校验码错误", "id_number"), 422, "invalid"),
])
def test_refusals_and_database_errors_become_clean_4xx(rf, exc, status, code):
    """Before: each of these escaped the API as a 500 with a traceback."""
    response = api.on_exception(rf.post("/api/x"), exc)
    body = json.loads(response.content)
    assert response.status_code == status and body["code"] == code and set(body) == ERROR_KEYS
    assert "Traceback" not in body["message"] and "No Person matches" not in body["message"]
    if isinstance(exc, DjangoValidationError):
        assert body["field"] == "name" and body["message"] == "太长了"
    if isinstance(exc, InvalidIdNumber):
        assert body["field"] == "id_number"


def test_programming_errors_stay_server_errors(rf):
    with pytest.raises(KeyError):
        api.on_exception(rf.get("/api/x"), KeyError("bug"))


def test_idempotency_key_replays_and_refuses_a_different_body(setup):
    session, enrolment, user = setup
    _, clear = api_token_create(user, "学习平台")
    client = Client(enforce_csrf_checks=True)
    headers = {**bearer(clear), "HTTP_IDEMPOTENCY_KEY": "push-2024-09-02-1"}
    first = push(client, session, enrolment, minutes=90, **headers)
    again = push(client, session, enrolment, minutes=90, **headers)
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert AuditEvent.objects.filter(action="training.online_time.push").count() == 1  # the write ran once
    conflict = push(client, session, enrolment, minutes=45, **headers)
    assert conflict.status_code == 409 and conflict.json()["field"] == "Idempotency-Key"
    assert Attendance.objects.get(session=session, enrolment=enrolment).online_minutes == 90


def test_idempotency_keys_are_per_user_and_failures_are_not_stored(setup):
    session, enrolment, user = setup
    other = staff(session.training_class.institution)
    _, mine = api_token_create(user, "a")
    _, theirs = api_token_create(other, "b")
    key = {"HTTP_IDEMPOTENCY_KEY": "same-key"}
    bad = Client().post(f"/api/training/sessions/{session.pk}/online-time", "{}", content_type="application/json",
                        **bearer(mine), **key)
    assert bad.status_code == 422 and not IdempotencyRecord.objects.exists()  # a refused write may be retried
    assert push(Client(), session, enrolment, **bearer(mine), **key).status_code == 200
    assert push(Client(), session, enrolment, minutes=30, **bearer(theirs), **key).status_code == 200
    assert IdempotencyRecord.objects.filter(key="same-key").count() == 2


def test_a_refused_write_leaves_nothing_behind(rf):
    """Every API request is one transaction, rolled back when the answer is an error: a view that wrote and
    then answered 4xx (a service refusing half-way) leaves no row, and a successful one keeps its rows."""
    from django.http import HttpResponse

    from dte.api import _run_atomically
    from dte.audit.services import audit_record

    def view(request, status):
        audit_record("test.half_way")
        return HttpResponse(status=status)

    assert _run_atomically(view, rf.post("/api/x"), 409).status_code == 409
    assert not AuditEvent.objects.filter(action="test.half_way").exists()
    assert _run_atomically(view, rf.post("/api/x"), 201).status_code == 201
    assert AuditEvent.objects.filter(action="test.half_way").count() == 1


def test_openapi_documents_errors_and_idempotency(client):
    schema = client.get("/api/openapi.json").json()
    assert "Error" in schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert {"400", "401", "403", "404", "409", "422", "429"} <= set(operation["responses"]), (method, path)
            names = {p["name"] for p in operation.get("parameters", [])}
            assert ("Idempotency-Key" in names) == (method in {"post", "put", "patch", "delete"}), (method, path)


def test_idempotency_key_in_flight_is_409_and_expired_keys_are_forgotten(setup):
    from datetime import timedelta

    from django.utils import timezone

    session, enrolment, user = setup
    _, clear = api_token_create(user, "学习平台")
    now = timezone.now()
    IdempotencyRecord.objects.create(user=user, key="busy", fingerprint="x", expires_at=now + timedelta(hours=1))
    busy = push(Client(), session, enrolment, **bearer(clear), HTTP_IDEMPOTENCY_KEY="busy")
    assert busy.status_code == 409
    IdempotencyRecord.objects.create(user=user, key="old", fingerprint="x", status_code=200, expires_at=now - timedelta(seconds=1))
    fresh = push(Client(), session, enrolment, **bearer(clear), HTTP_IDEMPOTENCY_KEY="old")
    assert fresh.status_code == 200 and "Idempotent-Replayed" not in fresh
    assert IdempotencyRecord.objects.get(key="old").status_code == 200


def test_malformed_idempotency_key_is_400(setup):
    session, enrolment, user = setup
    _, clear = api_token_create(user, "学习平台")
    response = push(Client(), session, enrolment, **bearer(clear), HTTP_IDEMPOTENCY_KEY="k" * 300)
    assert response.status_code == 400 and response.json()["field"] == "Idempotency-Key"


def test_api_messages_follow_the_request_language(rf):
    """Issue 13 item 12: an API message is in the request's language only (default Chinese), never
    "中文 / English"."""
    from django.utils import translation

    from dte.web.middleware import MESSAGE

    with translation.override("zh-hans"):
        body = json.loads(api.on_exception(rf.post("/api/x"), Http404("x")).content)
        assert body["message"] == "不存在或不在您的范围内"
        assert str(MESSAGE) == "输入包含不允许的空字符（\\0）"
    with translation.override("en"):
        body = json.loads(api.on_exception(rf.post("/api/x"), Http404("x")).content)
        assert body["message"] == "Not found within your scope"
        assert "NUL character" in str(MESSAGE) and "空字符" not in str(MESSAGE)
