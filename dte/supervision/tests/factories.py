"""Builders for supervision tests, on top of the registry and training factories."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from dte.organisations.roles import Role
from dte.organisations.tests.factories import division
from dte.registry.models import Enrolment, TrainingClass
from dte.registry.tests.factories import bureau, listed_institution, officer
from dte.training.models import Attendance, CheckInAttempt, Session
from dte.training.tests.factories import SessionFactory, TrainingClassFactory, VenueFactory, trainee

__all__ = ["bureau", "listed_institution", "officer", "division", "world", "attend", "Role"]


def world():
    """Two Shanxi prefectures (Taiyuan 1401, Datong 1402), a class in each, and the officers."""
    taiyuan = listed_institution("140105", name="太原数字学院")
    datong = listed_institution("140202", name="大同数字学院")
    bureau("140100")
    bureau("140200")
    province = officer("140000")
    classes = [TrainingClassFactory(institution=org, status=TrainingClass.Status.IN_TRAINING,
                                    start_date=date(2025, 3, 3)) for org in (taiyuan, datong)]
    return {"taiyuan": taiyuan, "datong": datong, "province": province, "classes": classes}


def attend(enrolment: Enrolment, session: Session, when: datetime, *, device: str = "", distance: float = 10.0):
    return Attendance.objects.create(session=session, enrolment=enrolment, status="present", checked_in_at=when,
                                     device_id=device, lat=session.venue.lat if session.venue else None,
                                     lon=session.venue.lon if session.venue else None, distance_m=distance)


def session_on(training_class, day: date, hour: int = 9, venue=None) -> Session:
    start = timezone.make_aware(datetime(day.year, day.month, day.day, hour))
    return SessionFactory(training_class=training_class, starts_at=start, ends_at=start + timedelta(hours=3),
                          **({"venue": venue} if venue else {}))


def outside_attempt(enrolment, session, distance: float):
    return CheckInAttempt.objects.create(session=session, enrolment=enrolment, at=session.starts_at, lat=0, lon=0,
                                         accuracy_m=10, distance_m=distance, accepted=False,
                                         reason="outside the geofence")


def clean_class(training_class, people: int = 4, sessions: int = 3):
    """An honest class: distinct devices, natural check-in times, all inside the fence."""
    enrolments = [trainee(training_class) for _ in range(people)]
    venue = VenueFactory(institution=training_class.institution)
    for s in range(sessions):
        session = session_on(training_class, date(2025, 3, 3) + timedelta(days=s), venue=venue)
        for i, e in enumerate(enrolments):
            attend(e, session, session.starts_at - timedelta(minutes=5 + i, seconds=7 * i + s * 13), device=f"dev-{e.pk}")
    return enrolments
