"""The credentials app's issue and status paths drive title recognition (one call at the end of
level_certificates_issue; a status change follows through talent.signals after commit)."""

import pytest

from dte.credentials.services import level_certificate_set_status
from dte.credentials.tests.factories import holder, issue_one, province_officer
from dte.talent.models import TitleRecognition

pytestmark = pytest.mark.django_db


def test_issue_records_the_title_and_revocation_withdraws_it(django_capture_on_commit_callbacks):
    cert = issue_one(person=holder("李工", "140105"), level="intermediate")
    [r] = TitleRecognition.objects.filter(certificate=cert)
    assert (r.title, r.status, r.citation) == ("工程师", "recognised", "晋人社厅发〔2024〕27号 五(二)")
    with django_capture_on_commit_callbacks(execute=True):
        level_certificate_set_status(cert, "revoked", by=province_officer("140000"), reason="证书数据有误")
    r.refresh_from_db()
    assert r.status == TitleRecognition.Status.WITHDRAWN and "证书数据有误" in r.withdrawn_reason


def test_training_certificate_changes_follow_through_to_ce_hours(django_capture_on_commit_callbacks):
    from dte.talent.models import ContinuingEducationRecord
    from dte.training.models import TrainingCertificate
    from dte.training.services import certificate_revoke

    from .factories import completed_enrolment, person

    with django_capture_on_commit_callbacks(execute=True):
        enrolment = completed_enrolment(person("140105"), hours="96")  # Shanxi: needs the training certificate
    record = ContinuingEducationRecord.objects.get(enrolment=enrolment)
    assert record.status == "recorded" and record.hours == 96
    cert = TrainingCertificate.objects.get(enrolment=enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(cert, by=cert.issued_by, reason="材料造假")
    record.refresh_from_db()
    assert record.status == "withdrawn"
