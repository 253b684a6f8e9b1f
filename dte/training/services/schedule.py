"""Venues and the schedule, checked against the province's pack on every add/change."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dte.audit.services import audit_record
from dte.organisations.permissions import require_permission

from .. import rules
from ..models import ClassSchedule, Session, Venue


class TrainingError(ValueError):
    """A refused action; the message is shown to the user as is."""


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    citation: str = ""
    blocking: bool = True  # False: reported, refused only once the schedule is confirmed

    def __str__(self) -> str:
        return f"{self.message}（{self.citation}）" if self.citation else self.message


def _pct(bp: int | float) -> str:
    return f"{bp / 100:.0f}%"


def schedule_check(training_class, sessions: list | None = None, *, confirmed: bool | None = None) -> list[Problem]:
    """Problems of the class's schedule (or of a proposed list of sessions).

    - online hours ≤ cap × max(total hours, required hours): while the schedule is being built
      the cap is measured against the required hours, so online sessions can be entered first
      (where no required hours are set, the cap is reported while building and refused once confirmed);
    - total hours (make-up sessions excluded) ≥ required hours: reported while building,
      refused once the schedule is confirmed;
    - where the pack requires location check-in, every offline session's venue has a geofence."""
    if sessions is None:
        sessions = list(training_class.sessions.select_related("venue"))
    if confirmed is None:
        confirmed = ClassSchedule.objects.filter(training_class=training_class).exists()
    regular = [s for s in sessions if not s.makeup_for_id]
    total = sum((Decimal(s.hours) for s in regular), Decimal(0))
    online = sum((Decimal(s.hours) for s in regular if s.delivery == Session.Delivery.ONLINE), Decimal(0))
    problems: list[Problem] = []
    required = rules.required_hours(training_class)
    if required.value is not None and total < required.value:
        problems.append(Problem("hours_short", _("%(total)s hours in all, fewer than the required %(required)s hours") % {"total": total, "required": required.value},
                                required.citation, blocking=confirmed))
    cap = rules.online_cap(training_class)
    if cap.value is not None and online > 0:
        base = max(total, Decimal(required.value or 0))
        if online * 10000 > base * cap.value:
            share = online * 10000 / base if base else Decimal(10000)
            problems.append(Problem("online_cap", _("%(online)s online hours, a share of %(share)s, above %(cap)s") % {"online": online, "share": _pct(share), "cap": _pct(cap.value)},
                                    cap.citation, blocking=confirmed or required.value is not None))
    location = rules.requires_location_checkin(training_class)
    if location.value:
        lacking = sorted({s.venue.name for s in sessions if s.delivery == Session.Delivery.OFFLINE and s.venue and not s.venue.has_geofence})
        if lacking:
            problems.append(Problem("geofence", _("Venue without a geofence: %(venues)s") % {"venues": "、".join(lacking)}, location.citation))
    return problems


def _validate_session(training_class, s: Session) -> None:
    if s.ends_at <= s.starts_at:
        raise TrainingError(_("The end must be after the start."))
    if s.hours is None or Decimal(s.hours) <= 0:
        raise TrainingError(_("Hours must be positive."))
    if s.delivery == Session.Delivery.OFFLINE:
        if s.venue is None:
            raise TrainingError(_("An offline session needs a venue."))
        if s.venue.institution_id != training_class.institution_id:
            raise TrainingError(_("The venue belongs to another institution."))
    elif not s.platform:
        raise TrainingError(_("An online session needs its platform."))
    if s.makeup_for_id:
        original = s.makeup_for
        if original.training_class_id != training_class.pk or original.makeup_for_id:
            raise TrainingError(_("A make-up must be for a regular session of this class."))
        if original.kind != s.kind:
            raise TrainingError(_("The make-up must be of the same kind."))


def _refuse_on(problems: list[Problem]) -> None:
    blocking = [p for p in problems if p.blocking]
    if blocking:
        raise TrainingError("；".join(str(p) for p in blocking))


def _snapshot(s: Session) -> dict:
    return {"title": s.title, "starts_at": s.starts_at, "ends_at": s.ends_at, "hours": str(s.hours), "delivery": s.delivery,
            "kind": s.kind, "venue": s.venue_id, "platform": s.platform, "teacher": s.teacher_id, "makeup_for": s.makeup_for_id}


@transaction.atomic
def session_save(training_class, *, by, session: Session | None = None, change_reason: str = "", **fields) -> Session:
    """Add (session=None) or change a session; refused when the resulting schedule breaks the pack.
    A session with attendance cannot be shortened without a reason, which the audit keeps
    (issue 13 item 10: cutting hours after the fact must not lower what trainees complete)."""
    require_permission(by, "training.session.save", training_class)
    before = _snapshot(session) if session else None
    change_reason = (change_reason or "").strip()
    if session is not None and _shortened(session, fields) and session.attendance.exists() and not change_reason:
        raise TrainingError(_("Give a reason to shorten a session that has attendance."))
    target = session or Session(training_class=training_class)
    for name, value in fields.items():
        setattr(target, name, value)
    if target.delivery == Session.Delivery.ONLINE:
        target.venue = None
    _validate_session(training_class, target)
    others = [s for s in training_class.sessions.select_related("venue") if s.pk != target.pk]
    _refuse_on(schedule_check(training_class, [*others, target]))
    target.save()
    after = _snapshot(target) | ({"reason": change_reason} if change_reason else {})
    audit_record("training.session.save", obj=target, before=before, after=after,
                 division_code=training_class.division_id, organisation_id=training_class.institution_id)
    return target


def _shortened(session: Session, fields: dict) -> bool:
    """Fewer hours, or a shorter span between start and end, than the session has now."""
    hours = fields.get("hours", session.hours)
    starts, ends = fields.get("starts_at", session.starts_at), fields.get("ends_at", session.ends_at)
    if hours is not None and Decimal(hours) < Decimal(session.hours):
        return True
    return bool(starts and ends and (ends - starts) < (session.ends_at - session.starts_at))


@transaction.atomic
def session_delete(session: Session, *, by) -> None:
    require_permission(by, "training.session.save", session.training_class)
    training_class = session.training_class
    if session.attendance.exists() or session.evidence.exists() or session.makeups.exists():
        raise TrainingError(_("The session already has records."))
    others = [s for s in training_class.sessions.select_related("venue") if s.pk != session.pk]
    _refuse_on(schedule_check(training_class, others))
    audit_record("training.session.delete", obj=session, before=_snapshot(session),
                 division_code=training_class.division_id, organisation_id=training_class.institution_id)
    session.attempts.all().delete()
    session.delete()


@transaction.atomic
def schedule_confirm(training_class, *, by) -> ClassSchedule:
    require_permission(by, "training.schedule.confirm", training_class)
    sessions = list(training_class.sessions.select_related("venue"))
    if not sessions:
        raise TrainingError(_("No sessions scheduled."))
    _refuse_on(schedule_check(training_class, sessions, confirmed=True))
    regular = [s for s in sessions if not s.makeup_for_id]
    record, _created = ClassSchedule.objects.update_or_create(training_class=training_class, defaults={
        "confirmed_at": timezone.now(), "confirmed_by": by,
        "total_hours": sum(Decimal(s.hours) for s in regular),
        "online_hours": sum(Decimal(s.hours) for s in regular if s.delivery == Session.Delivery.ONLINE),
    })
    audit_record("training.schedule.confirm", obj=training_class, after={"total": record.total_hours, "online": record.online_hours},
                 division_code=training_class.division_id, organisation_id=training_class.institution_id)
    return record


def _check_polygon(polygon) -> list:
    if not polygon:
        return []
    try:
        points = [[float(a), float(b)] for a, b in polygon]
    except (TypeError, ValueError):
        raise TrainingError(_("Polygon must be [[lat, lon], …].")) from None
    if len(points) < 3:
        raise TrainingError(_("A polygon needs at least 3 points."))
    if any(not (-90 <= a <= 90 and -180 <= b <= 180) for a, b in points):
        raise TrainingError(_("Polygon coordinates out of range."))
    return points


@transaction.atomic
def venue_save(*, institution, by, venue: Venue | None = None, **fields) -> Venue:
    require_permission(by, "training.venue.save", venue or institution)  # issue 8 finding 3: only the institution
    target = venue or Venue(institution=institution)
    before = {"radius_m": venue.radius_m, "polygon": venue.polygon, "qr": venue.uses_rotating_qr} if venue else None
    for name, value in fields.items():
        setattr(target, name, value)
    target.polygon = _check_polygon(target.polygon)
    if not (-90 <= target.lat <= 90 and -180 <= target.lon <= 180):
        raise TrainingError(_("Coordinates out of range."))
    if target.radius_m is not None and target.radius_m <= 0:
        target.radius_m = None
    target.save()
    audit_record("training.venue.save", obj=target, before=before,
                 after={"radius_m": target.radius_m, "polygon": target.polygon, "qr": target.uses_rotating_qr},
                 division_code=target.division_id, organisation_id=target.institution_id)
    return target
