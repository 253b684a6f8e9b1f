"""The certificate data chain: report → province confirms or returns → national review recorded →
certificates issued. Periods from the province's pack (rules.chain_deadline):
晋人社厅发〔2024〕27号 四(三) (30 days / 10 days / 30 days), 广西人社厅通知（2023-09-19） 三(三)
(30 days / 10 working days / 30 days)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from dte.audit.services import audit_record
from dte.geography.models import Division
from dte.organisations.roles import Role

from ..errors import AssessmentError
from ..models import Candidate, CertificateReport, CertificateReportLine, ExamSession
from ..rules import chain_deadline
from .sessions import require_evaluator

R = CertificateReport.Status
TRANSITIONS = {
    R.REPORTED: {R.CONFIRMED, R.RETURNED},
    R.RETURNED: {R.REPORTED},
    R.CONFIRMED: {R.APPROVED, R.NATIONAL_RETURNED},
    R.NATIONAL_RETURNED: {R.REPORTED},
    R.APPROVED: {R.ISSUED},
    R.ISSUED: set(),
}
PROVINCE_ROLES = (Role.PROVINCE_OFFICER,)


def _line_data(c: Candidate) -> dict:
    d, s = c.declaration, c.session
    return {"name": d.person.name, "id_masked": d.person.masked_id_number, "ticket": c.ticket_number,
            "occupation": s.occupation.name, "occupation_code": s.occupation.code, "direction": d.direction,
            "level": s.get_level_display(), "exam_date": s.date.isoformat(),
            "theory": str(c.theory_score), "practical": str(c.practical_score)}


def _deadline_fields(report: CertificateReport, key: str, start: date) -> dict:
    deadline = chain_deadline(report.evaluation_institution.division_id, key, start)
    return {"date": deadline.date if deadline else None, "provisional": bool(deadline and deadline.provisional),
            "citation": deadline.citation if deadline else ""}


def report_set_status(report: CertificateReport, new: str, *, by, reason: str = "", today: date | None = None,
                      **changes) -> CertificateReport:
    """The one way a report changes status; due dates of the next step are set here."""
    today = today or timezone.localdate()
    with transaction.atomic():
        report = CertificateReport.objects.select_for_update().select_related("evaluation_institution").get(pk=report.pk)
        old = report.status
        if new not in TRANSITIONS[old]:
            raise AssessmentError(f"证书数据状态不能从“{R(old).label}”变为“{R(new).label}”。", code="BAD_TRANSITION")
        for field, value in changes.items():
            setattr(report, field, value)
        report.status = new
        if new == R.REPORTED:  # resubmitted after a return: the province's period starts again
            report.submissions += 1
            report.reported_at, report.reported_by = timezone.now(), by
            _set_confirm_due(report, today)
        if new == R.APPROVED:
            due = _deadline_fields(report, "certificate_issue", report.national_decided_on)
            report.issue_due_on, report.issue_citation = due["date"], due["citation"]
        report.save()
        audit_record(f"assessment.report.{new}", obj=report, before={"status": old},
                     after={"status": new, "reason": reason, **{k: str(v) for k, v in changes.items() if k != "issued_by"}},
                     division_code=report.province_id, organisation_id=report.evaluation_institution_id)
    return report


def _set_confirm_due(report: CertificateReport, received: date) -> None:
    due = _deadline_fields(report, "province_confirmation", received)
    report.confirm_due_on, report.confirm_due_provisional, report.confirm_citation = due["date"], due["provisional"], due["citation"]


def report_create(session: ExamSession, *, by, today: date | None = None) -> CertificateReport:
    """Report the certificate data of everyone who passed in a confirmed session to the province."""
    require_evaluator(by, session.evaluation_institution_id)
    today = today or timezone.localdate()
    with transaction.atomic():
        session = ExamSession.objects.select_for_update().select_related("evaluation_institution", "occupation").get(pk=session.pk)
        if session.status != ExamSession.Status.CONFIRMED:
            raise AssessmentError("成绩确认后才能上报证书数据。", code="NOT_CONFIRMED")
        if session.reports.exists():
            raise AssessmentError("本场次已上报证书数据。", code="ALREADY_REPORTED")
        passed = list(session.candidates.filter(status=Candidate.Status.CONFIRMED, passed=True)
                      .select_related("declaration__person").order_by("ticket_number"))
        if not passed:
            raise AssessmentError("本场次没有合格考生。", code="NONE_PASSED")
        province = Division.objects.get(code=session.evaluation_institution.division.province_code)
        due = chain_deadline(session.evaluation_institution.division_id, "certificate_data_report", session.date)
        report = CertificateReport(
            session=session, evaluation_institution=session.evaluation_institution, province=province, exam_date=session.date,
            report_due_on=due.date if due else session.date, report_citation=due.citation if due else "",
            reported_at=timezone.now(), reported_by=by, reported_on_time=due is None or today <= due.date)
        _set_confirm_due(report, today)
        report.save()
        CertificateReportLine.objects.bulk_create([CertificateReportLine(report=report, candidate=c, data=_line_data(c))
                                                   for c in passed])
        audit_record("assessment.report.create", obj=report, after={"lines": len(passed), "due": report.report_due_on,
                                                                     "on_time": report.reported_on_time},
                     division_code=province.code, organisation_id=session.evaluation_institution_id)
    return report


def _require_province(by, report: CertificateReport) -> None:
    from dte.organisations.scoping import can_access

    if by is None or not (by.is_platform_admin or (by.role in PROVINCE_ROLES and can_access(by, report, write=True))):
        raise AssessmentError("只有省级人社部门可以确认或退回证书数据。", code="FORBIDDEN")


def report_province_decide(report: CertificateReport, decision: str, *, by, comment: str = "",
                           today: date | None = None) -> CertificateReport:
    """省级确认 (then sent to national review) or return with comments."""
    _require_province(by, report)
    today = today or timezone.localdate()
    if decision not in (R.CONFIRMED, R.RETURNED):
        raise AssessmentError("无效的决定。", code="BAD_DECISION")
    if decision == R.RETURNED and not comment.strip():
        raise AssessmentError("退回须填写意见。", code="COMMENT_REQUIRED")
    return report_set_status(report, decision, by=by, reason=comment, today=today, province_decided_on=today,
                             province_decided_by=by, province_comment=comment.strip())


def report_resubmit(report: CertificateReport, *, by, today: date | None = None) -> CertificateReport:
    """After a return (provincial or national) the evaluation institution corrects and reports again."""
    require_evaluator(by, report.evaluation_institution_id)
    return report_set_status(report, R.REPORTED, by=by, today=today)


def report_national_record(report: CertificateReport, decision: str, *, decided_on: date, reference: str, by,
                           comment: str = "") -> CertificateReport:
    """Record the national review (国家审核): approved or returned, date, reference number, who entered it."""
    _require_province(by, report)
    if decision not in (R.APPROVED, R.NATIONAL_RETURNED):
        raise AssessmentError("无效的国家审核结果。", code="BAD_DECISION")
    if not reference.strip():
        raise AssessmentError("请填写国家审核文号/编号。", code="REFERENCE_REQUIRED")
    if report.province_decided_on and decided_on < report.province_decided_on:
        raise AssessmentError("国家审核日期不能早于省级确认日期。", code="BAD_DATE")
    return report_set_status(report, decision, by=by, reason=comment, national_decided_on=decided_on,
                             national_reference=reference.strip(), national_comment=comment.strip(),
                             national_entered_by=by, national_entered_at=timezone.now())


def report_issue(report: CertificateReport, *, by, today: date | None = None) -> list:
    """Issue the level certificates of an approved report through dte.credentials and link each line."""
    from dte.credentials.services import CredentialError, LevelCertificateRequest, level_certificates_issue

    require_evaluator(by, report.evaluation_institution_id)
    today = today or timezone.localdate()
    with transaction.atomic():
        report = CertificateReport.objects.select_for_update().select_related("session__occupation").get(pk=report.pk)
        if report.status != R.APPROVED:
            raise AssessmentError("国家审核通过后才能颁发证书。", code="NOT_APPROVED")
        lines = list(report.lines.filter(level_certificate__isnull=True, candidate__status=Candidate.Status.CONFIRMED,
                                         candidate__passed=True)
                     .select_related("candidate__declaration__person").order_by("pk"))
        requests = [LevelCertificateRequest(
            person=line.candidate.declaration.person, occupation=report.session.occupation, level=report.session.level,
            direction=line.candidate.declaration.direction, issuer=report.evaluation_institution, exam_date=report.exam_date,
            national_reference=report.national_reference, source_label=f"证书数据上报 #{report.pk}") for line in lines]
        try:
            certificates = level_certificates_issue(requests, by=by, issued_on=today) if requests else []
        except CredentialError as error:
            raise AssessmentError(str(error), code="ISSUE_REFUSED") from None
        for line, certificate in zip(lines, certificates):
            CertificateReportLine.objects.filter(pk=line.pk).update(level_certificate=certificate)
        report_set_status(report, R.ISSUED, by=by, today=today, issued_on=today, issued_by=by)
    return certificates
