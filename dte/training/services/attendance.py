"""Check-in/out (the hot path), online time pushed by learning platforms, excuses and
teachers' corrections. Every check-in attempt is kept (CheckInAttempt), accepted or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from dte.audit.services import audit_record
from dte.organisations.roles import OWNER_ROLES
from dte.organisations.scoping import scoped
from dte.registry.models import Enrolment

from ..checks import checkout_window_check, geofence_check, qr_check, time_window_check
from ..models import (
    Attendance, AttendanceCorrection, AttendanceFlag, AttendanceStatus, CheckInAttempt, CheckInCount, Excuse, Session,
)
from . import checkin_sql
from .schedule import TrainingError

_SESSION_FIELDS = ("id", "training_class_id", "starts_at", "ends_at", "delivery", "early_open_minutes", "late_after_minutes",
                   "qr_secret", "venue__id", "venue__lat", "venue__lon", "venue__radius_m", "venue__polygon",
                   "venue__max_accuracy_m", "venue__uses_rotating_qr")


@dataclass
class CheckInResult:
    accepted: bool
    reason: str = ""
    status: str = ""
    attendance_id: int | None = None
    flagged: bool = False


def _shared_ip_threshold() -> int:
    return getattr(settings, "TRAINING_SHARED_IP_THRESHOLD", 2)


def _my_enrolments(user, class_ref):
    """The caller's own enrolment in a class (scoped: a trainee reaches only their own)."""
    mine = Enrolment.objects.filter(training_class_id=class_ref, person__user_id=user.pk, status=Enrolment.Status.ENROLLED)
    return scoped(user, mine).values("pk")[:1]


def _enrolment_id(session: Session, user) -> int | None:
    found = list(_my_enrolments(user, session.training_class_id))
    return found[0]["pk"] if found else None


def _session_and_enrolment(session_id: int, user) -> tuple[Session | checkin_sql.SessionFacts, int | None]:
    """One query: the session with its venue, and the caller's enrolment id in its class. A trainee's
    (the hot path, issue 12 item 2) is prepared SQL (checkin_sql.own_session_and_enrolment: their scope
    on Enrolment is the own-enrolment condition itself); every other caller's is built by the ORM with
    `scoped`."""
    if user.is_authenticated and user.is_active and user.role in OWNER_ROLES and not user.is_platform_admin:
        session, enrolment_id = checkin_sql.own_session_and_enrolment(session_id, user.pk)
    else:
        session = _session_and_enrolment_orm(session_id, user)
        enrolment_id = session.my_enrolment if session is not None else None
    if session is None:
        raise TrainingError(_("No such session."))
    return session, enrolment_id


def _session_and_enrolment_orm(session_id: int, user) -> Session | None:
    return (Session.objects.select_related("venue").only(*_SESSION_FIELDS)
            .annotate(my_enrolment=Subquery(_my_enrolments(user, OuterRef("training_class_id"))))
            .filter(pk=session_id).first())


def _verify_position(session: Session | checkin_sql.SessionFacts, at, lat, lon, accuracy, code, *, window) -> tuple[str, str, float | None]:
    """(status, refusal reason, distance) for an offline session."""
    verdict = window(session, at)
    if not verdict.ok:
        return "", verdict.reason, None
    status = verdict.status
    venue = session.venue
    if venue is None:
        return "", _("No venue."), None
    fence = geofence_check(venue, lat, lon, accuracy)
    if not fence.ok:
        return "", fence.reason, fence.distance_m
    if venue.uses_rotating_qr:
        qr = qr_check(session.qr_secret, code, at)
        if not qr.ok:
            return "", qr.reason, fence.distance_m
    return status, "", fence.distance_m


def check_in(*, session_id: int, user, lat=None, lon=None, accuracy=None, device_id: str = "", ip: str | None = None,
             code: str = "", at: datetime | None = None, source: str = Attendance.Source.WEB,
             session: Session | checkin_sql.SessionFacts | None = None) -> CheckInResult:
    """A trainee checks in. Round trips: one SELECT (session + venue + the caller's enrolment); then, in
    the caller's transaction, one statement on PostgreSQL (checkin_sql.record_accepted: the attendance row,
    the attempt row, the device/IP counts and any shared-device/IP flag) — elsewhere the same steps
    through the ORM. Refused attempts are kept too (CheckInAttempt is the evidence). `session` (a Session
    with its venue, or checkin_sql.SessionFacts) is read through the attributes the checks use."""
    at = at or timezone.now()
    device_id = (device_id or "")[:128]
    ip = Attendance._meta.get_field("ip").get_prep_value(ip or None)  # one spelling of an address (IPv6) for the counts
    if session is None:
        session, enrolment_id = _session_and_enrolment(session_id, user)
    else:
        enrolment_id = _enrolment_id(session, user)
    status, reason, distance = "", "", None
    if enrolment_id is None:
        reason = _("You are not enrolled in this class.")
    elif session.delivery != Session.Delivery.OFFLINE:
        reason = _("Online time comes from the learning platform.")
    else:
        status, reason, distance = _verify_position(session, at, lat, lon, accuracy, code, window=time_window_check)
    # the rows as {attname: value}: the PostgreSQL statement takes them as they are, the ORM path as models
    position = {"session_id": session.pk, "enrolment_id": enrolment_id, "lat": lat, "lon": lon, "accuracy_m": accuracy,
                "distance_m": distance, "device_id": device_id, "ip": ip}
    attempt = {**position, "user_id": user.pk, "at": at, "code": (code or "")[:16]}
    if reason:
        CheckInAttempt.objects.create(**attempt, accepted=False, reason=reason)
        return CheckInResult(False, reason)
    record = {**position, "status": status, "source": source, "checked_in_at": at}
    if connection.vendor == "postgresql":
        record_id, flagged = checkin_sql.record_accepted(record, attempt, ip_threshold=_shared_ip_threshold(), at=at)
    else:
        record_id, flagged = _record_accepted_orm(Attendance(**record), attempt)
    if record_id is None:
        return CheckInResult(False, checkin_sql.ALREADY)
    return CheckInResult(True, "", status, record_id, flagged)


@transaction.atomic
def _record_accepted_orm(record: Attendance, attempt: dict) -> tuple[int | None, bool]:
    """The portable path of checkin_sql.record_accepted: the same rows, in several statements."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        CheckInAttempt.objects.create(**attempt, accepted=False, reason=checkin_sql.ALREADY)
        return None, False
    CheckInAttempt.objects.create(**attempt, accepted=True)
    return record.pk, _count_and_flag(record.session_id, record.device_id, record.ip)


def _count_and_flag(session_id: int, device_id: str, ip: str | None) -> bool:
    """Adds the trainee to the session's count for their device and for their IP; a flag row is created
    once per (session, kind, value) when a device has a second trainee or an IP reaches
    TRAINING_SHARED_IP_THRESHOLD trainees — its members are read back with selectors.flag_members."""
    flagged = False
    for kind, value, threshold in ((AttendanceFlag.Kind.SHARED_DEVICE, device_id, 2),
                                   (AttendanceFlag.Kind.SHARED_IP, ip, _shared_ip_threshold())):
        if not value:
            continue
        counts = CheckInCount.objects.filter(session_id=session_id, kind=kind, value=value)
        if not counts.update(trainees=F("trainees") + 1):
            try:
                with transaction.atomic():
                    CheckInCount.objects.create(session_id=session_id, kind=kind, value=value, trainees=1)
            except IntegrityError:  # a concurrent check-in created it first
                counts.update(trainees=F("trainees") + 1)
        if counts.values_list("trainees", flat=True).get() >= threshold:
            _flag_once(session_id, kind, value)
            flagged = True
    return flagged


def _flag_once(session_id: int, kind: str, value: str) -> None:
    try:
        with transaction.atomic():
            AttendanceFlag.objects.get_or_create(session_id=session_id, kind=kind, value=value)
    except IntegrityError:  # a concurrent check-in created it first
        pass


def check_out(*, session_id: int, user, lat=None, lon=None, accuracy=None, device_id: str = "", ip: str | None = None,
              code: str = "", at: datetime | None = None) -> CheckInResult:
    at = at or timezone.now()
    session, enrolment_id = _session_and_enrolment(session_id, user)
    record = Attendance.objects.filter(session_id=session.pk, enrolment_id=enrolment_id).first() if enrolment_id else None
    reason, distance = "", None
    if record is None or record.checked_in_at is None:
        reason = _("Not checked in.")
    elif record.checked_out_at is not None:
        reason = _("Already checked out.")
    else:
        _status, reason, distance = _verify_position(session, at, lat, lon, accuracy, code, window=checkout_window_check)
    CheckInAttempt.objects.create(session_id=session.pk, enrolment_id=enrolment_id, user_id=user.pk, at=at, lat=lat, lon=lon,
                                  action=CheckInAttempt.Action.CHECK_OUT, accuracy_m=accuracy, distance_m=distance,
                                  device_id=(device_id or "")[:128], ip=ip or None, code=(code or "")[:16],
                                  accepted=not reason, reason=reason)
    if reason:
        return CheckInResult(False, reason)
    record.checked_out_at = at
    record.save(update_fields=["checked_out_at"])
    return CheckInResult(True, "", record.status, record.pk)


@transaction.atomic
def online_time_push(session: Session, entries: list[tuple[int, int]], *, by) -> dict:
    """A learning platform reports each trainee's total online minutes for an online session.
    Replaces the earlier figure (idempotent); unknown or not-enrolled trainees are refused."""
    if session.delivery != Session.Delivery.ONLINE:
        raise TrainingError(_("Only online sessions take pushed time."))
    enrolled = set(Enrolment.objects.filter(training_class_id=session.training_class_id, status=Enrolment.Status.ENROLLED)
                   .values_list("pk", flat=True))
    existing = {a.enrolment_id: a for a in session.attendance.select_for_update().order_by("pk")}
    accepted, refused = 0, []
    for enrolment_id, minutes in entries:
        if enrolment_id not in enrolled:
            refused.append({"enrolment_id": enrolment_id, "reason": _("Not enrolled in this class.")})
            continue
        if minutes < 0 or minutes > 24 * 60:
            refused.append({"enrolment_id": enrolment_id, "reason": _("Invalid minutes.")})
            continue
        record = existing.get(enrolment_id)
        status = AttendanceStatus.PRESENT if minutes > 0 else AttendanceStatus.ABSENT
        if record is None:
            Attendance.objects.create(session=session, enrolment_id=enrolment_id, status=status, online_minutes=minutes,
                                      source=Attendance.Source.PLATFORM)
        elif record.status != AttendanceStatus.EXCUSED:
            record.online_minutes, record.status, record.source = minutes, status, Attendance.Source.PLATFORM
            record.save(update_fields=["online_minutes", "status", "source"])
        accepted += 1
    audit_record("training.online_time.push", obj=session, after={"accepted": accepted, "refused": refused},
                 division_code=session.training_class.division_id, organisation_id=session.training_class.institution_id)
    return {"accepted": accepted, "refused": refused}


def _record_state(a: Attendance | None) -> dict:
    if a is None:
        return {}
    return {"status": a.status, "checked_in_at": a.checked_in_at, "checked_out_at": a.checked_out_at,
            "online_minutes": a.online_minutes, "note": a.note}


@transaction.atomic
def attendance_correct(session: Session, enrolment: Enrolment, *, by, reason: str, status: str,
                       online_minutes: int | None = None) -> Attendance:
    """A teacher corrects (or creates) a record; reason required; before/after kept and audited."""
    reason = (reason or "").strip()
    if not reason:
        raise TrainingError(_("A correction needs a reason."))
    if status not in AttendanceStatus.values:
        raise TrainingError(_("Invalid status."))
    if enrolment.training_class_id != session.training_class_id:
        raise TrainingError(_("The trainee is not in this class."))
    record = Attendance.objects.select_for_update().filter(session=session, enrolment=enrolment).first()
    before = _record_state(record)
    if record is None:
        record = Attendance(session=session, enrolment=enrolment, source=Attendance.Source.TEACHER)
    record.status = status
    if online_minutes is not None:
        record.online_minutes = max(0, int(online_minutes))
    record.note = reason[:255]
    record.save()
    after = _record_state(record)
    AttendanceCorrection.objects.create(attendance=record, before=_jsonable(before), after=_jsonable(after), reason=reason, by=by)
    audit_record("training.attendance.correct", obj=record, before=before, after={**after, "reason": reason},
                 division_code=session.training_class.division_id, organisation_id=session.training_class.institution_id)
    return record


def _jsonable(state: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in state.items()}


@transaction.atomic
def excuse_grant(session: Session, enrolment: Enrolment, *, by, reason: str) -> Excuse:
    if not (reason or "").strip():
        raise TrainingError(_("An excuse needs a reason."))
    excuse = Excuse.objects.create(session=session, enrolment=enrolment, reason=reason.strip(), granted_by=by)
    attendance_correct(session, enrolment, by=by, reason=f"请假：{reason.strip()}", status=AttendanceStatus.EXCUSED)
    return excuse


@transaction.atomic
def session_close(session: Session, *, by) -> int:
    """After the end: every enrolled trainee without a record is marked absent."""
    if timezone.now() < session.ends_at:
        raise TrainingError(_("The session has not ended."))
    have = set(session.attendance.values_list("enrolment_id", flat=True))
    missing = Enrolment.objects.filter(training_class_id=session.training_class_id, status=Enrolment.Status.ENROLLED).exclude(pk__in=have)
    rows = [Attendance(session=session, enrolment=e, status=AttendanceStatus.ABSENT, source=Attendance.Source.TEACHER) for e in missing]
    Attendance.objects.bulk_create(rows)
    audit_record("training.session.close", obj=session, after={"absent": len(rows)},
                 division_code=session.training_class.division_id, organisation_id=session.training_class.institution_id)
    return len(rows)
