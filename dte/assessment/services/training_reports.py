"""The province confirms or returns a 30-day training report (培训结业后30日内将学员名单和培训情况报省人社厅:
晋人社厅发〔2024〕27号 四(一); 广西人社厅通知（2023-09-19） 三(二); 藏人社发〔2025〕13号 四(二)).
A returned report is corrected and submitted again by the institution (a new TrainingReport)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from dte.audit.services import audit_record
from dte.organisations.roles import Role
from dte.organisations.scoping import can_access

from ..errors import AssessmentError
from ..models import TrainingReportReview


def training_report_review(report, decision: str, *, by, comment: str = "") -> TrainingReportReview:
    if by is None or not (by.is_platform_admin or (by.role == Role.PROVINCE_OFFICER and can_access(by, report))):
        raise AssessmentError("只有省级人社部门可以确认或退回培训情况报告。", code="FORBIDDEN")
    if decision not in TrainingReportReview.Decision.values:
        raise AssessmentError("无效的决定。", code="BAD_DECISION")
    if decision == TrainingReportReview.Decision.RETURNED and not comment.strip():
        raise AssessmentError("退回须填写意见。", code="COMMENT_REQUIRED")
    try:
        with transaction.atomic():
            review = TrainingReportReview.objects.create(report=report, decision=decision, comment=comment.strip(),
                                                         decided_by=by, decided_at=timezone.now())
    except IntegrityError:
        raise AssessmentError("该报告已处理。", code="ALREADY_DECIDED") from None
    klass = report.training_class
    audit_record(f"training.report.{decision}", obj=report, after={"decision": decision, "comment": comment.strip()},
                 division_code=klass.division_id, organisation_id=klass.institution_id)
    return review
