"""Completion (结业): the assessment, the decision by the pack's rules with reasons, and the one
function that writes Enrolment.status for this app."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dte.audit.services import audit_record
from dte.registry.models import ClassApplication, Enrolment

from .. import rules
from ..models import ClassSchedule, CompletionAssessment, CompletionDecision, SessionEvidence, TrainingCertificate
from ..selectors import TraineeSummary, class_sessions, class_summaries
from .schedule import TrainingError

# Transitions this app may make on Enrolment.status (the registry owns the rest).
ENROLMENT_TRANSITIONS = {
    Enrolment.Status.ENROLLED: {Enrolment.Status.COMPLETED, Enrolment.Status.FAILED},
    Enrolment.Status.FAILED: {Enrolment.Status.COMPLETED, Enrolment.Status.FAILED},
    Enrolment.Status.COMPLETED: {Enrolment.Status.FAILED, Enrolment.Status.COMPLETED},
}


def enrolment_set_status(enrolment: Enrolment, new: str, *, by, reason: str) -> Enrolment:
    """The single place this app changes an enrolment's status (only that column is written)."""
    allowed = ENROLMENT_TRANSITIONS.get(enrolment.status, set())
    if new not in allowed:
        raise TrainingError(_("The trainee's status cannot change from %(old)s to %(new)s") % {"old": enrolment.get_status_display(), "new": dict(Enrolment.Status.choices).get(new, new)})
    if enrolment.status == Enrolment.Status.COMPLETED and new != enrolment.status and \
            TrainingCertificate.objects.filter(enrolment=enrolment, status=TrainingCertificate.Status.VALID).exists():
        raise TrainingError(_("Revoke the certificate first."))
    old = enrolment.status
    if old != new:
        Enrolment.objects.filter(pk=enrolment.pk).update(status=new)
        enrolment.status = new
        audit_record("training.enrolment.status", obj=enrolment, before={"status": old}, after={"status": new, "reason": reason},
                     actor=by, division_code=enrolment.training_class.division_id,
                     organisation_id=enrolment.training_class.institution_id)
    return enrolment


@transaction.atomic
def assessment_record(enrolment: Enrolment, *, score, by, pass_mark=Decimal(60), on=None) -> CompletionAssessment:
    score = Decimal(str(score))
    if not (Decimal(0) <= score <= Decimal(100)):
        raise TrainingError(_("Score must be 0–100."))
    record, _created = CompletionAssessment.objects.update_or_create(enrolment=enrolment, defaults={
        "score": score, "pass_mark": Decimal(str(pass_mark)), "assessed_on": on or timezone.localdate(), "assessed_by": by})
    audit_record("training.assessment.record", obj=record, after={"score": score, "pass_mark": pass_mark},
                 division_code=enrolment.training_class.division_id, organisation_id=enrolment.training_class.institution_id)
    return record


def _num(value) -> str:
    """56.0 → '56', 56.5 → '56.5'."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(bp) -> str:
    return f"{Decimal(bp) / 100:.0f}%"


@dataclass(frozen=True)
class ClassRequirements:
    """What a class's trainees are measured against — read once per class, not once per trainee."""
    required: rules.Requirement
    cap: rules.Requirement
    video: rules.Requirement
    certificate_citation: str
    recorded: frozenset  # ids of sessions with a full recording (only read when the pack requires one)
    planned: Decimal | None = None  # the class's planned hours (confirmed schedule, filed plan)
    planned_basis: str = ""


def planned_hours(training_class) -> tuple[Decimal | None, str]:
    """The hours the class was planned for: the larger of the confirmed schedule's total and
    the filed training plan's hours (issue 13 item 10). Shortening sessions later cannot lower
    what a trainee must complete."""
    found: list[tuple[Decimal, str]] = []
    schedule = ClassSchedule.objects.filter(training_class=training_class).first()
    if schedule is not None:
        found.append((Decimal(schedule.total_hours), "确认的课程表"))
    application = ClassApplication.objects.filter(training_class=training_class).select_related("filing").first()
    if application is not None and application.filing is not None and application.filing.hours_total:
        found.append((Decimal(application.filing.hours_total), "备案的培训计划"))
    if not found:
        return None, ""
    return max(found, key=lambda f: f[0])


def class_requirements(training_class, sessions) -> ClassRequirements:
    video = rules.requires_full_video(training_class)
    recorded = frozenset(SessionEvidence.objects.filter(session__in=sessions, kind=SessionEvidence.Kind.VIDEO)
                         .values_list("session_id", flat=True)) if video.value else frozenset()
    planned, planned_basis = planned_hours(training_class)
    return ClassRequirements(rules.required_hours(training_class), rules.online_cap(training_class), video,
                             rules.training_certificate(training_class).citation, recorded, planned, planned_basis)


def hours_needed(summary: TraineeSummary, req: ClassRequirements) -> tuple[Decimal, str]:
    """完成规定学时和内容 (晋人社厅发〔2024〕27号 四(一); 云人社通〔2023〕39号 四(二); 藏人社发〔2025〕13号
    四(二); 广西人社厅通知（2023-09-19） 三(二)): the most of the catalogue's required hours, the
    class's planned hours and the hours scheduled — never fewer because sessions were cut."""
    options = [(summary.scheduled_hours, _cited("按课程表安排的全部学时（完成规定学时和内容）", req))]
    if req.planned is not None:
        options.append((req.planned, _cited(f"{req.planned_basis}的{_num(req.planned)}学时（完成规定学时和内容）", req)))
    if req.required.value is not None:
        options.append((Decimal(req.required.value), req.required.citation))
    return max(options, key=lambda o: o[0])


def completion_reasons(training_class, summary: TraineeSummary, *, sessions=None, assessment=None,
                       requirements: ClassRequirements | None = None) -> list[dict]:
    """Why this trainee does not complete (empty list = completes)."""
    reasons = []
    sessions = sessions if sessions is not None else class_sessions(training_class)
    req = requirements or class_requirements(training_class, sessions)
    cap, video = req.cap, req.video
    needed, basis = hours_needed(summary, req)
    total = summary.hours["total"]
    if total < needed:
        reasons.append({"code": "hours", "message": f"完成学时{_num(total)}，少于规定的{_num(needed)}学时", "citation": basis})
    if cap.value is not None and total and summary.online_share_bp > cap.value:
        reasons.append({"code": "online_cap", "message": f"线上学时占比{_pct(summary.online_share_bp)}，超过{_pct(cap.value)}",
                        "citation": cap.citation})
    if assessment is None:
        reasons.append({"code": "assessment", "message": "尚无结业考核成绩", "citation": _cited("对完成规定学时和内容的学员进行结业考核", req)})
    elif not assessment.passed:
        reasons.append({"code": "assessment", "message": f"结业考核成绩{_num(assessment.score)}分，未达到{_num(assessment.pass_mark)}分",
                        "citation": _cited("结业考核合格的颁发培训合格证书", req)})
    if video.value:
        relevant = [s for s in sessions if not s.makeup_for_id or summary.statuses.get(s.pk)]
        lacking = [s for s in relevant if s.pk not in req.recorded]
        if lacking:
            names = "、".join(f"{s.title}（{timezone.localtime(s.starts_at):%m-%d}）" for s in lacking[:5])
            more = f"等{len(lacking)}次" if len(lacking) > 5 else ""
            reasons.append({"code": "video", "message": f"缺少全程录像：{names}{more}", "citation": video.citation})
    return reasons


def _cited(rule: str, req: ClassRequirements) -> str:
    """A rule in words with the clause of the pack's `training_certificate_required` it comes from."""
    return f"{rule}（{req.certificate_citation}）" if req.certificate_citation else rule


@transaction.atomic
def completion_decide(training_class, *, by, enrolment_ids: list[int] | None = None) -> list[CompletionDecision]:
    """Decide completion for the class's trainees (all or some): Enrolment → completed/failed."""
    now = timezone.now()
    sessions = class_sessions(training_class)
    if not sessions:
        raise TrainingError(_("No sessions."))
    if any(s.ends_at > now for s in sessions if not s.makeup_for_id):
        raise TrainingError(_("Not all sessions have ended."))
    enrolments = list(training_class.enrolments.filter(
        status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED, Enrolment.Status.FAILED])
        .select_for_update().order_by("pk"))
    if enrolment_ids is not None:
        enrolments = [e for e in enrolments if e.pk in set(enrolment_ids)]
    certified = set(TrainingCertificate.objects.filter(enrolment__in=enrolments, status=TrainingCertificate.Status.VALID)
                    .values_list("enrolment_id", flat=True))
    enrolments = [e for e in enrolments if e.pk not in certified]  # a certified trainee's decision stands
    assessments = {a.enrolment_id: a for a in CompletionAssessment.objects.filter(enrolment__in=enrolments)}
    requirements = class_requirements(training_class, sessions)
    decisions = []
    for summary in class_summaries(training_class, enrolments, sessions):
        e = summary.enrolment
        reasons = completion_reasons(training_class, summary, sessions=sessions, assessment=assessments.get(e.pk),
                                     requirements=requirements)
        completed = not reasons
        enrolment_set_status(e, Enrolment.Status.COMPLETED if completed else Enrolment.Status.FAILED, by=by,
                             reason="；".join(r["message"] for r in reasons) or "完成规定学时和内容，结业考核合格")
        decision, _created = CompletionDecision.objects.update_or_create(enrolment=e, defaults={
            "completed": completed, "summary": summary.as_dict(), "reasons": reasons, "decided_at": now, "decided_by": by})
        decisions.append(decision)
    audit_record("training.completion.decide", obj=training_class,
                 after={"completed": sum(d.completed for d in decisions), "failed": sum(not d.completed for d in decisions)},
                 division_code=training_class.division_id, organisation_id=training_class.institution_id)
    return decisions
