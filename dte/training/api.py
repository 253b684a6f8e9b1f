"""Training API: check-in/out (trainees, mobile apps), online time pushed by institutions'
learning platforms, attendance lists and schedules — all scoped."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from dte.audit.middleware import client_ip
from dte.organisations.roles import ORGANISATION_ROLES
from dte.organisations.scoping import get_scoped_or_404, scoped
from dte.registry.models import TrainingClass

from .checks import qr_code, qr_seconds_left, qr_step
from .models import Attendance, Session
from .services import TrainingError, check_in, check_out, online_time_push

router = Router(tags=["training"])


def staff_session(user, pk: int) -> Session:
    """A session the caller may change: institution staff (or administrators) within scope."""
    if not (user.is_platform_admin or user.role in ORGANISATION_ROLES):
        raise PermissionDenied("Only the institution's staff may do this.")
    return get_scoped_or_404(user, Session.objects.select_related("training_class"), write=True, pk=pk)


class PositionIn(Schema):
    lat: float | None = None
    lon: float | None = None
    accuracy: float | None = None
    device_id: str = ""
    code: str = ""


class CheckInOut(Schema):
    accepted: bool
    reason: str
    status: str
    flagged: bool = False


class MinutesIn(Schema):
    enrolment_id: int
    minutes: int


class OnlineTimeIn(Schema):
    entries: list[MinutesIn]


class OnlineTimeOut(Schema):
    accepted: int
    refused: list[dict]


class AttendanceOut(Schema):
    enrolment_id: int
    name: str
    status: str
    source: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    online_minutes: int
    distance_m: float | None


class SessionOut(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    hours: Decimal
    delivery: str
    kind: str
    venue: str | None
    platform: str
    makeup_for: int | None


class QrOut(Schema):
    code: str
    step: int
    seconds_left: int


def _result(result) -> CheckInOut:
    return CheckInOut(accepted=result.accepted, reason=result.reason, status=result.status, flagged=result.flagged)


def _call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except TrainingError as error:
        raise HttpError(404, str(error)) from None


@router.post("/sessions/{session_id}/check-in", response=CheckInOut)
def api_check_in(request, session_id: int, payload: PositionIn):
    """Trainee check-in. Refusals come back with accepted=false and the reason (and are kept)."""
    return _result(_call(check_in, session_id=session_id, user=request.user, ip=client_ip(request),
                         source=Attendance.Source.API, **payload.dict()))


# Its write is one statement (checkin_sql.record_accepted; the ORM path is its own atomic block; a refusal is
# one attempt row, kept) and nothing is written before an error answer: no request transaction (dte/api.py).
api_check_in.own_transaction = True


@router.post("/sessions/{session_id}/check-out", response=CheckInOut)
def api_check_out(request, session_id: int, payload: PositionIn):
    return _result(_call(check_out, session_id=session_id, user=request.user, ip=client_ip(request), **payload.dict()))


@router.post("/sessions/{session_id}/online-time", response=OnlineTimeOut)
def api_online_time(request, session_id: int, payload: OnlineTimeIn):
    """A learning platform pushes each trainee's total online minutes for an online session."""
    session = staff_session(request.user, session_id)
    try:
        return online_time_push(session, [(e.enrolment_id, e.minutes) for e in payload.entries], by=request.user)
    except TrainingError as error:
        raise HttpError(400, str(error)) from None


@router.get("/sessions/{session_id}/attendance", response=list[AttendanceOut])
def api_attendance(request, session_id: int):
    session = get_scoped_or_404(request.user, Session.objects.all(), pk=session_id)
    records = scoped(request.user, Attendance.objects.filter(session=session)).select_related("enrolment__person")
    return [AttendanceOut(enrolment_id=a.enrolment_id, name=a.enrolment.person.name, status=a.status, source=a.source,
                          checked_in_at=a.checked_in_at, checked_out_at=a.checked_out_at, online_minutes=a.online_minutes,
                          distance_m=a.distance_m) for a in records]


@router.get("/classes/{class_id}/sessions", response=list[SessionOut])
def api_sessions(request, class_id: int):
    tc = get_scoped_or_404(request.user, TrainingClass.objects.all(), pk=class_id)
    return [SessionOut(id=s.pk, title=s.title, starts_at=s.starts_at, ends_at=s.ends_at, hours=s.hours, delivery=s.delivery,
                       kind=s.kind, venue=s.venue.name if s.venue else None, platform=s.platform, makeup_for=s.makeup_for_id)
            for s in tc.sessions.select_related("venue")]


@router.get("/sessions/{session_id}/qr", response=QrOut)
def api_qr(request, session_id: int):
    """The current rotating code (for the teacher's display)."""
    session = staff_session(request.user, session_id)
    now = timezone.now()
    step = qr_step(now)
    return QrOut(code=qr_code(session.qr_secret, step), step=step, seconds_left=qr_seconds_left(now))
