"""Exam sessions at exam centres (考核点): planning, admission (capacity enforced), admission
tickets and the day's identity checks and incidents."""

from __future__ import annotations

from datetime import date, time

from django.db import transaction
from django.utils import timezone

from dte.audit.services import audit_record
from dte.organisations.models import ExamCentre
from dte.organisations.roles import Role

from ..errors import AssessmentError
from ..models import Candidate, Declaration, ExamSession
from .declarations import declaration_set_status, listing_may_assess

SS = ExamSession.Status
SESSION_TRANSITIONS = {
    SS.PLANNED: {SS.HELD, SS.CANCELLED},
    SS.HELD: {SS.CONFIRMED},
    SS.CONFIRMED: set(),
    SS.CANCELLED: set(),
}


def require_evaluator(by, institution_id: int) -> None:
    """Only the evaluation institution's own staff (or a platform admin) run its sessions."""
    if by is None or not (by.is_platform_admin or (by.role == Role.EVALUATION_STAFF and by.organisation_id == institution_id)):
        raise AssessmentError("只有本评价机构人员可以操作。", code="FORBIDDEN")


def session_create(*, institution, centre: ExamCentre, occupation, level: str, direction: str = "", date: date,
                   start_time: time, end_time: time, capacity: int, declarations_close_on: date | None = None,
                   by) -> ExamSession:
    require_evaluator(by, institution.pk)
    if centre.evaluation_institution_id != institution.pk or not centre.is_active:
        raise AssessmentError("考核点不属于本机构或已停用。", code="BAD_CENTRE")
    if not listing_may_assess(institution, occupation, level, direction, date):
        raise AssessmentError("本机构未列入评价机构目录或目录未覆盖该职业和等级。", code="NOT_LISTED")
    if end_time <= start_time:
        raise AssessmentError("结束时间应晚于开始时间。", code="BAD_TIME")
    if capacity <= 0:
        raise AssessmentError("容量应大于0。", code="BAD_CAPACITY")
    closes = declarations_close_on or date
    if closes > date:
        raise AssessmentError("申报截止日期不能晚于考核日期。", code="BAD_CLOSE")
    session = ExamSession.objects.create(
        evaluation_institution=institution, centre=centre, occupation=occupation, level=level, direction=direction,
        date=date, start_time=start_time, end_time=end_time, capacity=capacity, declarations_close_on=closes, created_by=by)
    audit_record("assessment.session.create", obj=session, division_code=centre.division_id, organisation_id=institution.pk,
                 after={"date": date, "capacity": capacity, "centre": centre.pk})
    return session


def session_set_status(session: ExamSession, new: str, *, by, reason: str = "") -> ExamSession:
    require_evaluator(by, session.evaluation_institution_id)
    with transaction.atomic():
        session = ExamSession.objects.select_for_update().get(pk=session.pk)
        old = session.status
        if new not in SESSION_TRANSITIONS[old]:
            raise AssessmentError(f"场次状态不能从“{SS(old).label}”变为“{SS(new).label}”。", code="BAD_TRANSITION")
        session.status = new
        fields = ["status"]
        if new == SS.CONFIRMED:
            session.confirmed_at, session.confirmed_by = timezone.now(), by
            fields += ["confirmed_at", "confirmed_by"]
        session.save(update_fields=fields)
        audit_record(f"assessment.session.{new}", obj=session, before={"status": old}, after={"status": new, "reason": reason},
                     division_code=session.centre.division_id, organisation_id=session.evaluation_institution_id)
    return session


def declarations_admissible(session: ExamSession):
    """Open declarations to this institution for the session's occupation and level, not yet admitted."""
    qs = Declaration.objects.filter(evaluation_institution_id=session.evaluation_institution_id, occupation_id=session.occupation_id,
                                    level=session.level, status=Declaration.Status.DECLARED)
    if session.direction:
        qs = qs.filter(direction__in=["", session.direction])
    return qs.select_related("person").order_by("created_at", "pk")


def _ticket_number(session: ExamSession, seq: int) -> str:
    return f"ZK{session.date:%Y}{session.evaluation_institution_id:04d}{session.pk:05d}{seq:04d}"


def candidates_admit(session: ExamSession, declarations, *, by, today: date | None = None) -> list[Candidate]:
    """Admit declarations to a planned session, never above its capacity; each gets an admission ticket."""
    require_evaluator(by, session.evaluation_institution_id)
    today = today or timezone.localdate()
    with transaction.atomic():
        session = ExamSession.objects.select_for_update().get(pk=session.pk)
        if session.status != SS.PLANNED:
            raise AssessmentError("只有计划中的场次可以安排考生。", code="NOT_PLANNED")
        if today > session.declarations_close_on:
            raise AssessmentError("申报已截止。", code="CLOSED")
        wanted = sorted({d.pk for d in declarations})
        eligible = {d.pk: d for d in declarations_admissible(session).filter(pk__in=wanted).order_by("pk").select_for_update(of=("self",))}
        missing = [pk for pk in wanted if pk not in eligible]
        if missing:
            raise AssessmentError("部分申报不符合本场次（机构、职业、等级或状态不符）。", code="NOT_ADMISSIBLE")
        taken = session.candidates.exclude(status=Candidate.Status.WITHDRAWN).count()
        if taken + len(wanted) > session.capacity:
            raise AssessmentError(f"超过场次容量（{session.capacity}人，已安排{taken}人）。", code="CAPACITY")
        seq = session.candidates.count()
        admitted = []
        for pk in wanted:
            seq += 1
            candidate = Candidate.objects.create(session=session, declaration=eligible[pk], ticket_number=_ticket_number(session, seq))
            declaration_set_status(eligible[pk], Declaration.Status.ADMITTED, by=by)
            admitted.append(candidate)
        audit_record("assessment.session.admit", obj=session, after={"admitted": wanted, "taken": taken + len(wanted)},
                     division_code=session.centre.division_id, organisation_id=session.evaluation_institution_id)
    return admitted


def candidate_check_in(candidate: Candidate, *, by, identity_checked: bool, incident: str = "", absent: bool = False) -> Candidate:
    """The day: identity check (核验身份) and incidents, or absence."""
    require_evaluator(by, candidate.session.evaluation_institution_id)
    if candidate.status not in (Candidate.Status.ADMITTED, Candidate.Status.ABSENT):
        raise AssessmentError("该考生当前状态不能签到。", code="BAD_STATE")
    before = {"identity_checked": candidate.identity_checked, "incident": candidate.incident, "status": candidate.status}
    candidate.identity_checked = identity_checked and not absent
    candidate.identity_checked_at = timezone.now() if candidate.identity_checked else None
    candidate.identity_checked_by = by if candidate.identity_checked else None
    candidate.incident = incident.strip()
    candidate.status = Candidate.Status.ABSENT if absent else Candidate.Status.ADMITTED
    candidate.save(update_fields=["identity_checked", "identity_checked_at", "identity_checked_by", "incident", "status"])
    audit_record("assessment.candidate.check_in", obj=candidate, before=before,
                 after={"identity_checked": candidate.identity_checked, "incident": candidate.incident, "status": candidate.status},
                 division_code=candidate.session.centre.division_id, organisation_id=candidate.session.evaluation_institution_id)
    return candidate
