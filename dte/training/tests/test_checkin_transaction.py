"""The check-in endpoint runs without the API's per-request transaction (dte/api.py `own_transaction`; issue 12
item 2): its write is one statement, so BEGIN and COMMIT were two round trips for nothing. Every other endpoint
keeps the transaction; the check-in's answers and rows stay what they were."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from dte.training.models import Attendance, CheckInAttempt

from .factories import VENUE_LAT, VENUE_LON, SessionFactory, trainee

pytestmark = pytest.mark.django_db


def callback_of(path: str):
    return resolve(path).func


def test_only_the_check_in_is_marked():
    assert callback_of("/api/training/sessions/1/check-in").own_transaction is True
    for path in ("/api/training/sessions/1/check-out", "/api/training/sessions/1/online-time",
                 "/api/training/sessions/1/attendance"):
        assert callback_of(path).own_transaction is False


def test_check_in_runs_outside_a_request_transaction_and_others_inside(client, monkeypatch):
    now = timezone.now()
    session = SessionFactory(starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=2))
    enrolment = trainee(session.training_class)
    client.force_login(enrolment.person.user)
    seen = []
    atomic = transaction.Atomic.__enter__

    def spy(self):
        seen.append(self)
        return atomic(self)

    monkeypatch.setattr(transaction.Atomic, "__enter__", spy)
    ok = client.post(f"/api/training/sessions/{session.pk}/check-in",
                     {"lat": VENUE_LAT, "lon": VENUE_LON, "accuracy": 10, "device_id": "p"}, content_type="application/json")
    assert ok.json()["accepted"] is True
    assert seen == [] if connection.vendor == "postgresql" else len(seen) >= 1  # SQLite: the ORM path's own block
    seen.clear()
    assert client.get(f"/api/training/sessions/{session.pk}/attendance").status_code == 200
    assert len(seen) == 1  # the request transaction


def test_refusals_are_kept_and_errors_write_nothing(client):
    now = timezone.now()
    session = SessionFactory(starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=2))
    enrolment = trainee(session.training_class)
    client.force_login(enrolment.person.user)
    url = f"/api/training/sessions/{session.pk}/check-in"
    far = client.post(url, {"lat": VENUE_LAT + 0.05, "lon": VENUE_LON, "accuracy": 10}, content_type="application/json")
    assert far.status_code == 200 and far.json()["accepted"] is False
    assert CheckInAttempt.objects.filter(session=session, accepted=False).count() == 1
    before = CheckInAttempt.objects.count()
    with CaptureQueriesContext(connection) as queries:
        missing = client.post("/api/training/sessions/999999/check-in", {}, content_type="application/json")
    assert missing.status_code == 404 and set(missing.json()) == {"code", "message", "field", "errors"}
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    invalid = client.post(url, {"lat": "north"}, content_type="application/json")
    assert invalid.status_code == 422 and set(invalid.json()) == {"code", "message", "field", "errors"}
    assert CheckInAttempt.objects.count() == before and not Attendance.objects.filter(session=session).exists()
