"""Class-opening applications (开班申报) and their review by the responsible bureau."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dte.catalogue.selectors import institution_bar_reason
from dte.audit.services import audit_record
from dte.organisations.permissions import require_permission
from dte.organisations.roles import Role
from dte.organisations.scoping import can_access

from . import rules
from .errors import RegistryError
from .models import ClassApplication, Enrolment, TrainingClass, TrainingPlanFiling

S = ClassApplication.Status
TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.APPROVED, S.RETURNED, S.REJECTED},
    S.RETURNED: {S.SUBMITTED},
    S.APPROVED: set(),
    S.REJECTED: set(),
}
CLASS_STATUS_FOR = {
    S.DRAFT: TrainingClass.Status.DRAFT,
    S.SUBMITTED: TrainingClass.Status.SUBMITTED,
    S.RETURNED: TrainingClass.Status.RETURNED,
    S.APPROVED: TrainingClass.Status.APPROVED,
    S.REJECTED: TrainingClass.Status.REJECTED,
}
REVIEWER_ROLES = {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER}


def class_application_set_status(application: ClassApplication, new: str, *, by=None, reason: str = "",
                                 today: date | None = None) -> ClassApplication:
    """The one way an application (and its class) changes state; audited."""
    today = today or date.today()
    with transaction.atomic():
        app = ClassApplication.objects.select_for_update().select_related("training_class").get(pk=application.pk)
        if new not in TRANSITIONS[app.status]:
            raise RegistryError(f"开班申请状态不能从“{app.get_status_display()}”改为“{S(new).label}”。", code="BAD_TRANSITION")
        before = app.status
        app.status = new
        if new == S.SUBMITTED:
            app.submitted_on = today
            review = rules.review_due(app.training_class.division_id, today)
            app.review_due_on = review.date if review else None
            app.review_due_provisional = review.provisional if review else False
            app.review_citation = review.citation if review else ""
            app.reviewed_on, app.reviewed_by = None, None
        else:
            app.reviewed_on, app.reviewed_by, app.comment = today, by, reason
        app.save()
        klass = app.training_class
        class_before = klass.status
        klass.status = CLASS_STATUS_FOR[new]
        klass.save(update_fields=["status"])
        audit_record("registry.class_application.status", obj=app, division_code=klass.division_id,
                     organisation_id=klass.institution_id,
                     before={"status": before, "class_status": class_before},
                     after={"status": new, "class_status": klass.status, "reason": reason,
                            "review_due_on": app.review_due_on})
    return app


def accepted_filing_for(klass: TrainingClass) -> TrainingPlanFiling | None:
    return TrainingPlanFiling.objects.filter(
        institution_id=klass.institution_id, occupation_id=klass.occupation_id, level=klass.level,
        status=TrainingPlanFiling.Status.ACCEPTED,
    ).order_by("-reviewed_at").first()


def class_application_save(klass: TrainingClass, *, schedule_summary: str, exam_plan: str, teachers: list,
                           evaluation_institution=None) -> ClassApplication:
    """Create or edit the draft (or returned) application of a class."""
    app, _ = ClassApplication.objects.get_or_create(
        training_class=klass, defaults={"schedule_summary": schedule_summary, "exam_plan": exam_plan},
    )
    if app.status not in (S.DRAFT, S.RETURNED):
        raise RegistryError("申请已提交，不能修改。", code="NOT_EDITABLE")
    app.schedule_summary, app.exam_plan, app.teachers = schedule_summary, exam_plan, teachers
    app.evaluation_institution = evaluation_institution
    app.save()
    return app


def class_application_submit(application: ClassApplication, *, by=None, today: date | None = None) -> ClassApplication:
    """Submit before the pack's deadline (Tianjin 15 days, Yunnan 15 working days before
    opening; the start day is not counted). Late → refused with the date it was due."""
    require_permission(by, "registry.class.application.submit", application)
    today = today or date.today()
    klass = application.training_class
    if barred := institution_bar_reason(klass.institution, "training"):
        raise RegistryError(barred, code="INSTITUTION_BARRED")
    due = rules.opening_due(klass.division_id, klass.start_date)
    if due is not None and today > due.date:
        unit = "个工作日" if due.unit == "working" else "日"
        raise RegistryError(
            f"开班申请逾期：开班日期 {klass.start_date.isoformat()}，须提前 {due.days}{unit}，"
            f"即最迟于 {due.date.isoformat()} 提交（今天 {today.isoformat()}）。",
            code="LATE_APPLICATION", citation=due.citation, detail={"due_on": due.date.isoformat()},
        )
    filing = accepted_filing_for(klass)
    if filing is None:
        raise RegistryError("本机构该职业、等级的培训计划尚未备案通过，不能申报开班。", code="NO_FILING")
    roster = list(
        Enrolment.objects.filter(training_class=klass, status__in=(Enrolment.Status.APPLIED, Enrolment.Status.ENROLLED))
        .select_related("person").order_by("pk")
    )
    if not roster:
        raise RegistryError("开班申请须附学员名单（至少一名学员）。", code="EMPTY_ROSTER")
    if not application.teachers or not application.exam_plan.strip() or not application.schedule_summary.strip():
        raise RegistryError("请填写教学安排、师资和考核计划。", code="INCOMPLETE")
    with transaction.atomic():
        application.filing = filing
        application.evaluation_institution = application.evaluation_institution or filing.evaluation_institution
        application.roster = [{"person_id": e.person_id, "name": e.person.name, "id": e.person.masked_id_number,
                               "eligible": e.eligible} for e in roster]
        application.due_on = due.date if due else None
        application.due_citation = due.citation if due else ""
        application.save()
        return class_application_set_status(application, S.SUBMITTED, by=by, today=today)


def may_review(user, application: ClassApplication) -> bool:
    if user.is_platform_admin:
        return True
    if user.role not in REVIEWER_ROLES or not can_access(user, application, write=True):
        return False
    pack = rules.pack_of(application.training_class.division_id)
    return not (pack.code in rules.PROVINCE_REVIEW_ONLY and user.role != Role.PROVINCE_OFFICER)


def class_application_review(application: ClassApplication, decision: str, *, by, comment: str = "",
                             today: date | None = None) -> ClassApplication:
    """decision: approved | returned | rejected (by the bureau responsible for the class)."""
    if not may_review(by, application):
        raise RegistryError("您无权审核该开班申请（不在辖区内或非负责审核的部门）。", code="NOT_REVIEWER")
    require_permission(by, "registry.class.application.review", application)
    if decision not in (S.APPROVED, S.RETURNED, S.REJECTED):
        raise RegistryError(f"未知审核结论 {decision!r}。", code="BAD_DECISION")
    if decision != S.APPROVED and not comment.strip():
        raise RegistryError("退回或不予通过须填写意见。", code="COMMENT_REQUIRED")
    return class_application_set_status(application, decision, by=by, reason=comment, today=today)
