"""Pages and scope: evaluation staff see only the classes naming them and their own sessions; the
province confirms reports and 30-day training reports through the web."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dte.registry.models import ClassApplication
from dte.registry.tests.factories import officer
from dte.training.models import TrainingReport

from ..models import CertificateReport, TrainingReportReview
from ..services import candidates_admit, report_create, result_record, session_results_confirm
from .factories import declare, evaluation_staff, evaluator, exam_session, training_certificate

pytestmark = pytest.mark.django_db


def _named_class(org):
    cert = training_certificate()
    klass = cert.enrolment.training_class
    ClassApplication.objects.create(training_class=klass, schedule_summary="s", exam_plan="e", evaluation_institution=org,
                                    status=ClassApplication.Status.APPROVED)
    return cert


def test_evaluation_staff_see_only_classes_naming_them(client):
    org, other = evaluator(), evaluator()
    mine, theirs = _named_class(org), _named_class(other)
    client.force_login(evaluation_staff(org))
    page = client.get(reverse("assessment:home")).content.decode()
    assert mine.enrolment.training_class.title in page and mine.number in page
    assert theirs.enrolment.training_class.title not in page and theirs.number not in page


def test_sessions_scoped_to_own_institution(client):
    org, other = evaluator(), evaluator()
    s = evaluation_staff(org)
    session = exam_session(org, by=s)
    [c] = candidates_admit(session, [declare(training_certificate(), org)], by=s, today=session.date)
    client.force_login(evaluation_staff(other))
    assert client.get(reverse("assessment:session", args=[session.pk])).status_code == 404
    assert client.get(reverse("assessment:candidate", args=[c.pk])).status_code == 404
    assert client.get(reverse("assessment:ticket", args=[c.pk])).status_code == 404
    client.force_login(s)
    for name, args in [("session", [session.pk]), ("candidate", [c.pk]), ("sessions", []), ("rates", []), ("reports", []),
                       ("declarations", []), ("standards", []), ("home", [])]:
        assert client.get(reverse(f"assessment:{name}", args=args)).status_code == 200, name
    r = client.get(reverse("assessment:ticket", args=[c.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert client.get(reverse("assessment:ticket_scan", args=[c.ticket_token])).url == reverse("assessment:candidate", args=[c.pk])
    r = client.post(reverse("assessment:candidate", args=[c.pk]), {"action": "score", "theory": "70", "practical": "55"})
    c.refresh_from_db()
    assert c.theory_score == 70 and c.passed is False
    trainee = c.declaration.person.user
    client.force_login(trainee)
    assert client.get(reverse("assessment:candidate", args=[c.pk])).status_code == 200
    client.post(reverse("assessment:candidate", args=[c.pk]), {"action": "score", "theory": "99", "practical": "99"})
    c.refresh_from_db()
    assert c.theory_score == 70  # a trainee cannot change scores


def test_province_decides_report_on_the_web_and_other_province_cannot_see(client):
    org = evaluator()
    s = evaluation_staff(org)
    session = exam_session(org, by=s)
    [c] = candidates_admit(session, [declare(training_certificate(), org)], by=s, today=session.date)
    result_record(c, theory="80", practical="80", by=s)
    session_results_confirm(session, by=s)
    report = report_create(session, by=s)
    client.force_login(officer("450000"))
    assert client.get(reverse("assessment:report", args=[report.pk])).status_code == 404
    p = officer("140000")
    client.force_login(p)
    page = client.get(reverse("assessment:report", args=[report.pk])).content.decode()
    assert "四(三)" in page
    client.post(reverse("assessment:report", args=[report.pk]), {"action": "province", "decision": "confirmed", "comment": ""})
    assert CertificateReport.objects.get(pk=report.pk).status == "confirmed"
    client.post(reverse("assessment:report", args=[report.pk]), {
        "action": "national", "decision": "approved", "decided_on": timezone.localdate().isoformat(), "reference": "R-9"})
    report.refresh_from_db()
    assert report.status == "approved" and report.national_reference == "R-9" and report.national_entered_by == p


def test_province_confirms_or_returns_training_report(client):
    cert = training_certificate()
    klass = cert.enrolment.training_class
    staff_user = cert.issued_by
    report = TrainingReport.objects.create(training_class=klass, submitted_at=timezone.now(), submitted_by=staff_user,
                                           deadline=klass.end_date + timedelta(days=30), rows=[{"name": "x"}])
    client.force_login(staff_user)
    client.post(reverse("assessment:training_report_decide", args=[report.pk]), {"decision": "confirmed"})
    assert not TrainingReportReview.objects.exists()
    client.force_login(officer("140000"))
    assert klass.title in client.get(reverse("assessment:training_reports")).content.decode()
    client.post(reverse("assessment:training_report_decide", args=[report.pk]), {"decision": "returned", "comment": ""})
    assert not TrainingReportReview.objects.exists()  # a return needs comments
    client.post(reverse("assessment:training_report_decide", args=[report.pk]), {"decision": "returned", "comment": "缺出勤表"})
    review = TrainingReportReview.objects.get(report=report)
    assert review.decision == "returned" and review.comment == "缺出勤表"
    page = client.get(reverse("training:report", args=[klass.pk])).content.decode()
    assert "缺出勤表" in page  # the decision shows on the training app's report page
    client.post(reverse("assessment:training_report_decide", args=[report.pk]), {"decision": "confirmed"})
    assert TrainingReportReview.objects.get(report=report).decision == "returned"  # decided once
