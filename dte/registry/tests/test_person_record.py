"""The person record page: training certificates (with the public verification link), attendance and
completion per class — all read through scoping."""

from datetime import date
from decimal import Decimal

import pytest

from dte.organisations.roles import Role
from dte.registry.models import Enrolment
from dte.training.models import Attendance, AttendanceStatus, CompletionAssessment, CompletionDecision
from dte.training.services import certificate_revoke, certificates_issue
from dte.training.tests.factories import SessionFactory, TrainingClassFactory, institution, staff, trainee

from .factories import PersonFactory, officer

pytestmark = pytest.mark.django_db


def certified(division_code: str = "140105", person=None):
    """A completed enrolment with attendance, a 结业考核 score, a decision and an issued certificate."""
    tc = TrainingClassFactory(institution=institution(division_code))
    enrolment = trainee(tc)
    if person is not None:
        Enrolment.objects.filter(pk=enrolment.pk).update(person=person)
        enrolment.refresh_from_db()
    by = staff(tc.institution)
    for status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT):
        Attendance.objects.create(session=SessionFactory(training_class=tc), enrolment=enrolment, status=status)
    CompletionAssessment.objects.create(enrolment=enrolment, score=Decimal("86.5"), assessed_on=date(2025, 5, 20), assessed_by=by)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.COMPLETED)
    CompletionDecision.objects.create(enrolment=enrolment, completed=True, reasons=[], decided_at=enrolment.enrolled_at,
                                      summary={"hours": {"total": "64.0"}, "scheduled_hours": "72.0", "attendance_rate_bp": 9250})
    certificate = certificates_issue(tc, by=by)[0]
    return enrolment, certificate, by


def test_officer_sees_certificate_attendance_and_completion(client):
    enrolment, certificate, _ = certified()
    client.force_login(officer("140000"))
    response = client.get(f"/registry/people/{enrolment.person_id}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert certificate.number in page and f"/training/verify/{certificate.number}/" in page
    assert certificate.issued_on.strftime("%Y-%m-%d") in page
    assert enrolment.training_class.title in page
    assert "2 / 3" in page  # present + late of three recorded sessions
    assert "64.0 / 72.0" in page and "92.5%" in page and "86.5" in page and "2025-05-20" in page


def test_revoked_certificate_is_shown_as_revoked(client):
    enrolment, certificate, by = certified()
    certificate_revoke(certificate, by=by, reason="信息有误")
    client.force_login(officer("140000"))
    page = client.get(f"/registry/people/{enrolment.person_id}/").content.decode()
    assert certificate.number in page and "信息有误" in page
    assert ("Revoked" in page or "已撤销" in page) and "badge bad" in page and "badge ok\">有效" not in page and "badge ok\">Valid" not in page


def test_other_institutions_staff_cannot_open_the_record(client):
    enrolment, _, _ = certified()
    client.force_login(staff(institution("140105")))
    assert client.get(f"/registry/people/{enrolment.person_id}/").status_code == 404
    client.force_login(officer("120000"))  # another province
    assert client.get(f"/registry/people/{enrolment.person_id}/").status_code == 404


def test_viewer_sees_only_the_certificates_in_scope(client):
    registrar = institution("140105")
    person = PersonFactory(registered_by=registrar)
    enrolment, certificate, by = certified("140105", person=person)  # trained at another institution
    client.force_login(staff(registrar))  # may open the record (registered the person) but not the other class
    page = client.get(f"/registry/people/{person.pk}/")
    assert page.status_code == 200 and certificate.number not in page.content.decode()
    assert enrolment.training_class.title not in page.content.decode()
    client.force_login(by)  # the training institution sees its own certificate
    assert certificate.number in client.get(f"/registry/people/{person.pk}/").content.decode()
    client.force_login(officer("140000", role=Role.AUDITOR))
    assert certificate.number in client.get(f"/registry/people/{person.pk}/").content.decode()
