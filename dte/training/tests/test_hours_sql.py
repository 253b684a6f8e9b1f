"""The two forms of the credited-hours rule (selectors.credited_hours in Python, credited_hours_summed in
SQL) on the same records, on whichever database the tests run (SQLite, and PostgreSQL with DATABASE_URL):
a record the SQL form sums in full earns exactly its session's hours, and a trainee with no record set
aside gets the hours class_summaries gives."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dte.training.models import ATTENDED, Attendance, Session
from dte.training.selectors import class_summaries, credited_hours, credited_hours_summed

from .factories import SessionFactory, TrainingClassFactory, at, trainee

pytestmark = pytest.mark.django_db


def _session(tc, day: int, hour: int, length: timedelta, hours: str, **extra) -> Session:
    start = at(tc.start_date + timedelta(days=day), hour)
    return SessionFactory(training_class=tc, starts_at=start, ends_at=start + length, hours=Decimal(hours), **extra)


def _scenario():
    """One trainee per way of earning hours: whole sessions (present, late), a check-out exactly at the
    late threshold (full), an early check-out, an online session, an absence made up, only excused
    records, and a record in another class's session."""
    tc, other_class = TrainingClassFactory(), TrainingClassFactory()
    first = _session(tc, 1, 9, timedelta(hours=3), "4")
    second = _session(tc, 3, 14, timedelta(hours=2), "2.5")
    online = _session(tc, 4, 9, timedelta(hours=3), "3", delivery=Session.Delivery.ONLINE)
    makeup = _session(tc, 5, 9, timedelta(hours=3), "4", makeup_for=first)
    elsewhere = _session(other_class, 2, 9, timedelta(hours=2), "2")
    e = [trainee(tc) for _ in range(7)]

    def record(session, enrolment, status="present", **fields):
        Attendance.objects.create(session=session, enrolment=enrolment, status=status, source="teacher", **fields)

    threshold = first.ends_at - timedelta(minutes=first.late_after_minutes)
    record(first, e[0])
    record(second, e[0], "late")
    record(first, e[1], checked_in_at=first.starts_at, checked_out_at=threshold)  # at the threshold: full hours
    record(second, e[1])
    record(first, e[2], checked_in_at=first.starts_at, checked_out_at=first.starts_at + timedelta(hours=1, minutes=7))
    record(online, e[3], online_minutes=100)
    record(first, e[4], "absent")
    record(makeup, e[4])
    record(first, e[5], "excused")
    record(first, e[6])
    record(elsewhere, e[6])
    return tc, e


@pytest.mark.parametrize("stage_day", [None, 3])
def test_the_sql_form_sums_exactly_what_credited_hours_credits_in_full(stage_day):
    tc, e = _scenario()
    stage_end = tc.start_date + timedelta(days=stage_day) if stage_day is not None else None
    records = Attendance.objects.filter(enrolment__in=e)
    rows = {(enrolment_id, class_id): (days, hours, others)
            for enrolment_id, class_id, days, hours, others in credited_hours_summed(records, stage_end)}
    tz = timezone.get_current_timezone()
    in_stage = [r for r in records.filter(status__in=ATTENDED).select_related("session")
                if stage_end is None or r.session.starts_at.astimezone(tz).date() <= stage_end]
    for r in in_stage:  # each record on its own: summed in full only where credited_hours gives the full hours
        (_, _, _, hours, others), = credited_hours_summed(Attendance.objects.filter(pk=r.pk), stage_end)
        if not others:
            assert credited_hours(r.session, r) == r.session.hours == hours
    for (enrolment_id, class_id), (days, hours, others) in rows.items():
        mine = [r for r in in_stage if r.enrolment_id == enrolment_id and r.session.training_class_id == class_id]
        assert days == len({r.session.starts_at.astimezone(tz).date() for r in mine})
        assert Decimal(hours or 0) == sum((r.session.hours for r in mine), Decimal(0))
    sessions = [s for s in tc.sessions.order_by("starts_at", "pk")
                if stage_end is None or s.starts_at.astimezone(tz).date() <= stage_end]
    summaries = {s.enrolment.pk: s for s in class_summaries(tc, enrolments=e, sessions=sessions)}
    own = {enrolment_id: (days, hours, others) for (enrolment_id, class_id), (days, hours, others) in rows.items()
           if class_id == tc.pk}
    for enrolment_id, (_, hours, others) in own.items():
        if not others:  # credited in full: the sum is the rule's total
            assert Decimal(hours or 0) == summaries[enrolment_id].hours["total"]
    set_aside = {enrolment_id for enrolment_id, (_, _, others) in own.items() if others}
    assert set_aside == ({e[2].pk} if stage_day is not None else {e[2].pk, e[3].pk, e[4].pk})
    assert e[5].pk not in own and (e[6].pk, tc.pk) in rows and len([k for k in rows if k[0] == e[6].pk]) == 2
