"""Demo data for training delivery: one finished class gets a venue, a schedule, attendance
(with a late arrival, absences, a refused check-in and a shared-device flag), assessments, the
completion decision and certificates; the 30-day report is left unsubmitted so its flag shows.
Does nothing when the registry demo created no finished class with trainees."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dte.organisations.roles import Role
from dte.organisations.models import User
from dte.registry.models import Enrolment, TrainingClass

from .models import Attendance, AttendanceFlag, CheckInAttempt, Session, Venue
from .services import (
    TrainingError, assessment_record, certificates_issue, completion_decide, online_time_push, schedule_confirm, session_save,
    venue_save,
)

VENUE_POSITION = (37.7990, 112.5830)  # 山西大学坞城校区 (approximate)


def _finished_class():
    today = timezone.localdate()
    return (TrainingClass.objects.filter(end_date__lt=today, enrolments__status=Enrolment.Status.ENROLLED)
            .select_related("institution").distinct().order_by("end_date", "pk").first())


def _moment(day, hour) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def generate(context) -> None:
    tc = _finished_class()
    if tc is None:
        context.log.append("training: no finished class with trainees, no delivery demo")
        return
    if Session.objects.filter(training_class=tc).exists():
        return
    staff = User.objects.filter(organisation=tc.institution, role=Role.TRAINING_STAFF).order_by("pk").first()
    if staff is None:
        context.log.append("training: the class's institution has no staff account, no delivery demo")
        return
    rng = random.Random(context.seed)
    venue = Venue.objects.filter(institution=tc.institution).first() or venue_save(
        institution=tc.institution, by=staff, name="实训楼 301 机房", address="坞城路92号", division=tc.division,
        lat=VENUE_POSITION[0], lon=VENUE_POSITION[1], radius_m=150, uses_rotating_qr=True)
    sessions = []
    for i in range(10):
        day = tc.start_date + timedelta(days=(tc.end_date - tc.start_date).days * i // 10)  # spread over the period
        online = i in (1, 4, 7)
        sessions.append(session_save(
            tc, by=staff, title=f"第{i + 1}次课 {'线上直播' if online else '集中授课'}", starts_at=_moment(day, 9),
            ends_at=_moment(day, 17), hours=Decimal(8), delivery="online" if online else "offline",
            kind="practice" if i % 2 else "theory", teacher=staff, venue=None if online else venue,
            platform="山西大学在线学习平台" if online else ""))
    try:
        schedule_confirm(tc, by=staff)
    except TrainingError as error:
        context.log.append(f"training: schedule not confirmed ({error})")
    enrolments = list(tc.enrolments.filter(status=Enrolment.Status.ENROLLED).order_by("pk"))
    truant = enrolments[-1] if len(enrolments) > 2 else None
    for s in sessions:
        if s.delivery == Session.Delivery.ONLINE:
            online_time_push(s, [(e.pk, 480 if e != truant else 120) for e in enrolments], by=staff)
            continue
        rows = []
        for n, e in enumerate(enrolments):
            if e == truant and rng.random() < 0.5:
                continue
            minutes = rng.choice([-10, -5, -3, 0, 2, 25]) if n else -8
            lat = VENUE_POSITION[0] + rng.uniform(-0.0004, 0.0004)
            rows.append(Attendance(session=s, enrolment=e, status="late" if minutes > s.late_after_minutes else "present",
                                   checked_in_at=s.starts_at + timedelta(minutes=minutes, seconds=rng.randint(0, 59)),
                                   lat=lat, lon=VENUE_POSITION[1],
                                   accuracy_m=rng.choice([8, 12, 20]), distance_m=abs(lat - VENUE_POSITION[0]) * 111_195,
                                   device_id=f"demo-{e.pk}", ip=f"10.8.0.{n + 10}"))
        Attendance.objects.bulk_create(rows)
    first = next(s for s in sessions if s.delivery == Session.Delivery.OFFLINE)
    if enrolments:
        CheckInAttempt.objects.create(session=first, enrolment=enrolments[0], at=first.starts_at - timedelta(minutes=3),
                                      lat=VENUE_POSITION[0] + 0.02, lon=VENUE_POSITION[1], accuracy_m=15, distance_m=2224,
                                      device_id=f"demo-{enrolments[0].pk}", accepted=False, reason="不在签到范围内（距离2224米）")
    if len(enrolments) > 2:
        Attendance.objects.filter(session=first, enrolment__in=enrolments[1:3]).update(device_id="demo-shared")
        AttendanceFlag.objects.create(session=first, kind=AttendanceFlag.Kind.SHARED_DEVICE, value="demo-shared")
    for n, e in enumerate(enrolments):
        assessment_record(e, score=Decimal(55 if n == 1 else rng.randint(68, 96)), by=staff, on=tc.end_date)
    decisions = completion_decide(tc, by=staff)
    issued = 0
    try:
        issued = len(certificates_issue(tc, by=staff, issued_on=tc.end_date + timedelta(days=3)))
    except TrainingError as error:
        context.log.append(f"training: certificates not issued ({error})")
    context.log.append(f"training: {tc.title}: {len(sessions)} sessions, {sum(d.completed for d in decisions)}/"
                       f"{len(decisions)} completed, {issued} certificates")
