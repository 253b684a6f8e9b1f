"""Full path for Shanxi and Guangxi: training certificate → declaration → exam → both scores →
certificate data chain → level certificate issued (晋人社厅发〔2024〕27号 四(三); 广西 三(三))."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dte.audit.models import AuditEvent
from dte.registry.tests.factories import officer

from ..errors import AssessmentError
from ..models import Candidate, CertificateReport, Declaration, ExamSession
from ..selectors import exam_outcomes_for_people, pass_rates
from ..services import (
    candidate_check_in, candidates_admit, report_create, report_issue, report_national_record, report_province_decide,
    report_resubmit, result_record, session_results_confirm,
)
from .factories import GUANGXI_PREFECTURE, SHANXI_PREFECTURE, declare, evaluation_staff, evaluator, exam_session, training_certificate

pytestmark = pytest.mark.django_db


def _run_exam(prefecture):
    org = evaluator(prefecture)
    staff = evaluation_staff(org)
    passer, theory_fail, practical_fail = (training_certificate(prefecture) for _ in range(3))
    declarations = [declare(c, org) for c in (passer, theory_fail, practical_fail)]
    session = exam_session(org, by=staff)
    yesterday = session.date
    candidates = candidates_admit(session, declarations, by=staff, today=yesterday)
    for c in candidates:
        candidate_check_in(c, by=staff, identity_checked=True)
    scores = [("88", "75.5"), ("59.5", "90"), ("70", "40")]
    for c, (t, p) in zip(candidates, scores):
        result_record(c, theory=t, practical=p, by=staff)
    session_results_confirm(session, by=staff)
    return org, staff, session, candidates, declarations


@pytest.mark.parametrize("prefecture,province,confirm_unit", [(SHANXI_PREFECTURE, "140000", "calendar"),
                                                             (GUANGXI_PREFECTURE, "450000", "working")])
def test_full_path_to_level_certificate(prefecture, province, confirm_unit):
    org, staff, session, candidates, declarations = _run_exam(prefecture)
    passed = [c.refresh_from_db() or c for c in candidates]
    assert [(c.theory_passed, c.practical_passed, c.passed) for c in passed] == [
        (True, True, True), (False, True, False), (True, False, False)]
    assert all(c.status == Candidate.Status.CONFIRMED and c.locked for c in passed)

    today = timezone.localdate()
    report = report_create(session, by=staff, today=today)
    assert report.lines.count() == 1 and report.status == CertificateReport.Status.REPORTED
    assert report.report_due_on == session.date + timedelta(days=30)
    assert "四(三)" in report.report_citation or "三(三)" in report.report_citation
    assert report.confirm_due_on is not None
    if confirm_unit == "calendar":
        assert report.confirm_due_on == today + timedelta(days=10)
    else:
        assert report.confirm_due_on >= today + timedelta(days=12)  # 10 working days span at least two weekends

    province_officer = officer(province)
    returned = report_province_decide(report, "returned", by=province_officer, comment="身份证号有误")
    assert returned.status == "returned" and returned.province_comment == "身份证号有误"
    report = report_resubmit(returned, by=staff)
    assert report.status == "reported" and report.submissions == 2
    report = report_province_decide(report, "confirmed", by=province_officer)
    report = report_national_record(report, "approved", decided_on=today, reference="人社证〔2026〕88号", by=province_officer)
    assert report.status == "approved" and report.issue_due_on == today + timedelta(days=30)
    assert report.national_entered_by == province_officer

    certificates = report_issue(report, by=staff)
    assert len(certificates) == 1
    cert = certificates[0]
    assert cert.person == declarations[0].person and cert.national_reference == "人社证〔2026〕88号"
    report.refresh_from_db()
    assert report.status == "issued" and report.lines.get().level_certificate == cert
    actions = set(AuditEvent.objects.filter(action__startswith="assessment.report").values_list("action", flat=True))
    assert {"assessment.report.create", "assessment.report.returned", "assessment.report.confirmed",
            "assessment.report.approved", "assessment.report.issued"} <= actions

    outcomes = exam_outcomes_for_people([d.person_id for d in declarations])
    assert outcomes[declarations[0].person_id][0].passed is True
    assert outcomes[declarations[1].person_id][0].theory_passed is False
    assert outcomes[declarations[2].person_id][0].practical_passed is False
    rate = pass_rates(Candidate.objects.filter(session=session), "session")[0]
    assert (rate.sat, rate.passed, rate.rate_display) == (3, 1, "33.3%")


def test_void_after_issue_revokes_certificate_and_drops_outcome():
    org, staff, session, candidates, declarations = _run_exam(SHANXI_PREFECTURE)
    report = report_create(session, by=staff)
    p = officer("140000")
    report = report_province_decide(report, "confirmed", by=p)
    report = report_national_record(report, "approved", decided_on=timezone.localdate(), reference="N-1", by=p)
    cert = report_issue(report, by=staff)[0]
    from ..services import declaration_void

    declaration_void(declarations[0], by=p, reason="学历证明系伪造")
    cert.refresh_from_db()
    assert cert.status == "revoked" and "学历证明系伪造" in cert.status_reason
    assert Declaration.objects.get(pk=declarations[0].pk).status == "voided"
    assert declarations[0].person_id not in exam_outcomes_for_people([declarations[0].person_id])
    assert AuditEvent.objects.filter(action="assessment.result.void").exists()


def test_national_return_needs_resubmission_and_province_only():
    org, staff, session, *_ = _run_exam(SHANXI_PREFECTURE)
    report = report_create(session, by=staff)
    with pytest.raises(AssessmentError):
        report_province_decide(report, "confirmed", by=staff)
    with pytest.raises(AssessmentError):  # another province cannot decide
        report_province_decide(report, "confirmed", by=officer("450000"))
    p = officer("140000")
    with pytest.raises(AssessmentError):
        report_province_decide(report, "returned", by=p, comment="")
    report = report_province_decide(report, "confirmed", by=p)
    report = report_national_record(report, "national_returned", decided_on=timezone.localdate(), reference="退-1",
                                    by=p, comment="照片不合格")
    with pytest.raises(AssessmentError):
        report_issue(report, by=staff)
    report = report_resubmit(report, by=staff)
    assert report.status == "reported" and report.submissions == 2


def test_session_status_progression_and_unconfirmed_outcomes_hidden():
    org = evaluator()
    staff = evaluation_staff(org)
    d = declare(training_certificate(), org)
    session = exam_session(org, by=staff)
    [c] = candidates_admit(session, [d], by=staff, today=session.date)
    result_record(c, theory=Decimal("61"), practical=Decimal("60"), by=staff)
    assert exam_outcomes_for_people([d.person_id]) == {}
    session_results_confirm(session, by=staff)
    assert ExamSession.objects.get(pk=session.pk).status == "confirmed"
    assert exam_outcomes_for_people([d.person_id])[d.person_id][0].passed is True
