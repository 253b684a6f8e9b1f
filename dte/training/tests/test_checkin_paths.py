"""The check-in hot path (issue 12, item 2) against the ORM path it replaced, on the same data:
the trainee's one-SELECT lookup, the one-statement write on PostgreSQL, the incremental device/IP counts
(also under concurrency) and the counts' backfill for check-ins recorded before them."""

from __future__ import annotations

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, connections

from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory
from dte.registry.models import Enrolment
from dte.training.models import Attendance, AttendanceFlag, CheckInAttempt, CheckInCount, Session
from dte.training.selectors import flag_members
from dte.training.services import attendance, check_in, checkin_sql

from .factories import VENUE_LAT, VENUE_LON, SessionFactory, VenueFactory, staff, trainee

pytestmark = pytest.mark.django_db
INSIDE = dict(lat=VENUE_LAT + 0.0002, lon=VENUE_LON, accuracy=15)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's")


def _session_state(session: Session | None) -> dict | None:
    if session is None:
        return None
    state = {name: getattr(session, name) for name in checkin_sql.SESSION_FIELDS}
    venue = session.venue
    state["venue"] = None if venue is None else {name: getattr(venue, name) for name in checkin_sql.VENUE_FIELDS}
    return state


def test_trainee_lookup_matches_the_orm_path():
    radius = SessionFactory()
    polygon = SessionFactory(training_class=radius.training_class,
                             venue=VenueFactory(radius_m=None, uses_rotating_qr=True, max_accuracy_m=40,
                                                polygon=[[39.08, 117.20], [39.09, 117.20], [39.09, 117.21]]))
    online = SessionFactory(delivery=Session.Delivery.ONLINE)
    enrolled, withdrawn = trainee(radius.training_class), trainee(radius.training_class)
    withdrawn.status = Enrolment.Status.WITHDRAWN
    withdrawn.save(update_fields=["status"])
    elsewhere, online_trainee = trainee(SessionFactory().training_class), trainee(online.training_class)
    no_person = UserFactory(role=Role.TRAINEE, organisation=None)
    users = [e.person.user for e in (enrolled, withdrawn, elsewhere, online_trainee)] + [no_person]
    for session_id in (radius.pk, polygon.pk, online.pk, 10**9):
        for user in users:
            fast_session, fast_enrolment = checkin_sql.own_session_and_enrolment(session_id, user.pk)
            orm = attendance._session_and_enrolment_orm(session_id, user)
            assert _session_state(fast_session) == _session_state(orm)
            assert fast_enrolment == (orm.my_enrolment if orm is not None else None)
    assert checkin_sql.own_session_and_enrolment(radius.pk, enrolled.person.user.pk)[1] == enrolled.pk
    assert checkin_sql.own_session_and_enrolment(polygon.pk, enrolled.person.user.pk)[0].venue.polygon[2] == [39.09, 117.21]


def test_staff_still_go_through_the_scoped_orm_path():
    session = SessionFactory()
    result = check_in(session_id=session.pk, user=staff(session.training_class.institution), at=session.starts_at, **INSIDE)
    assert not result.accepted and "未在本班" in result.reason


def _rows(session: Session) -> dict:
    """The check-in evidence of a session, without ids and the session itself."""
    return {
        "attendance": list(Attendance.objects.filter(session=session).order_by("enrolment_id").values(
            "enrolment_id", "status", "source", "checked_in_at", "lat", "lon", "accuracy_m", "distance_m", "device_id", "ip")),
        "attempts": list(CheckInAttempt.objects.filter(session=session).order_by("at", "pk").values(
            "enrolment_id", "user_id", "action", "at", "lat", "lon", "accuracy_m", "distance_m", "device_id", "ip", "code",
            "accepted", "reason")),
        "flags": sorted((f.kind, f.value, tuple(flag_members(f))) for f in AttendanceFlag.objects.filter(session=session)),
        "counts": sorted(CheckInCount.objects.filter(session=session).values_list("kind", "value", "trainees")),
    }


def _scenario(session, people, results):
    moments = iter(range(100))

    def go(enrolment, **kw):
        at = session.starts_at + timedelta(minutes=next(moments) - 5)
        results.append(check_in(session_id=session.pk, user=enrolment.person.user, at=at, **(INSIDE | kw)))

    a, b, c, d, e = people
    go(a, device_id="phone-1", ip="10.1.1.1")
    go(b, device_id="phone-1", ip="10.1.1.2")          # a second trainee on phone-1: shared device
    go(c, device_id="phone-3", ip="10.1.1.1")          # a second trainee on 10.1.1.1: shared IP (threshold 2)
    go(a, device_id="phone-1", ip="10.1.1.1")          # again: refused as a duplicate, kept as evidence
    go(d, device_id="", ip=None)                       # no device, no address: counted nowhere
    go(e, device_id="phone-1", ip="2001:DB8::1")       # a third on phone-1; IPv6 kept in one spelling
    go(e, device_id="phone-9", ip="10.1.1.9", lat=VENUE_LAT + 0.05)  # outside the fence: refused, kept


@postgres_only
@pytest.mark.parametrize("threshold", [2, 3])
def test_one_statement_write_matches_the_orm_path(threshold, settings, monkeypatch):
    settings.TRAINING_SHARED_IP_THRESHOLD = threshold
    sql_session = SessionFactory()
    orm_session = SessionFactory(training_class=sql_session.training_class, starts_at=sql_session.starts_at,
                                 ends_at=sql_session.ends_at, venue=sql_session.venue)
    people = [trainee(sql_session.training_class) for _ in range(5)]
    sql_results, orm_results = [], []
    _scenario(sql_session, people, sql_results)
    monkeypatch.setattr(attendance, "connection", SimpleNamespace(vendor="portable"))
    _scenario(orm_session, people, orm_results)
    strip = [(r.accepted, r.reason, r.status, r.flagged) for r in sql_results]
    assert strip == [(r.accepted, r.reason, r.status, r.flagged) for r in orm_results]
    assert [r.flagged for r in sql_results] == [False, True, threshold == 2, False, False, True, False]
    sql_rows, orm_rows = _rows(sql_session), _rows(orm_session)
    assert sql_rows == orm_rows
    assert ("shared_ip", "2001:db8::1", 1) in sql_rows["counts"]
    assert len(sql_rows["attempts"]) == 7 and sum(a["accepted"] for a in sql_rows["attempts"]) == 5


def test_counts_and_flags_on_this_database(settings):
    settings.TRAINING_SHARED_IP_THRESHOLD = 2
    session = SessionFactory()
    people = [trainee(session.training_class) for _ in range(5)]
    results = []
    _scenario(session, people, results)
    rows = _rows(session)
    assert [r.accepted for r in results] == [True, True, True, False, True, True, False]
    assert [r.flagged for r in results] == [False, True, True, False, False, True, False]
    assert rows["counts"] == sorted([("shared_device", "phone-1", 3), ("shared_device", "phone-3", 1),
                                     ("shared_ip", "10.1.1.1", 2), ("shared_ip", "10.1.1.2", 1), ("shared_ip", "2001:db8::1", 1)])
    a, b, c, _, e = people
    assert rows["flags"] == [("shared_device", "phone-1", tuple(sorted([a.pk, b.pk, e.pk]))),
                             ("shared_ip", "10.1.1.1", tuple(sorted([a.pk, c.pk])))]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_on_one_phone_are_all_counted():
    """Eight trainees on one phone at once, each in its own connection and transaction: the count's row
    lock orders them, so exactly one (the first) is not flagged — a COUNT per check-in could miss them all."""
    session = SessionFactory()
    people = [trainee(session.training_class) for _ in range(8)]
    barrier, results = threading.Barrier(len(people)), []

    def one(enrolment):
        try:
            barrier.wait()
            results.append(check_in(session_id=session.pk, user=enrolment.person.user, at=session.starts_at,
                                    device_id="shared-phone", ip=f"10.2.0.{enrolment.pk % 250}", **INSIDE))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(r.accepted for r in results)
    assert sorted(r.flagged for r in results) == [False] + [True] * 7
    assert CheckInCount.objects.get(session=session, kind="shared_device").trainees == 8
    assert AttendanceFlag.objects.filter(session=session, kind="shared_device", value="shared-phone").count() == 1


def test_backfill_counts_the_check_ins_recorded_before():
    backfill = __import__("dte.training.migrations.0003_checkin_count", fromlist=["backfill"]).backfill
    session = SessionFactory()
    rows = [("p1", "10.0.0.1"), ("p1", "10.0.0.2"), ("", "10.0.0.1"), ("p2", None)]
    for device, ip in rows:
        Attendance.objects.create(session=session, enrolment=trainee(session.training_class), status="present",
                                  device_id=device, ip=ip)
    backfill(apps, SimpleNamespace(connection=connection))
    assert sorted(CheckInCount.objects.filter(session=session).values_list("kind", "value", "trainees")) == [
        ("shared_device", "p1", 2), ("shared_device", "p2", 1), ("shared_ip", "10.0.0.1", 2), ("shared_ip", "10.0.0.2", 1)]
