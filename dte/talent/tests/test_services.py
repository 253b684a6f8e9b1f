from datetime import date
from decimal import Decimal

import pytest

from dte.audit.models import AuditEvent
from dte.credentials.models import LevelCertificate
from dte.jobs.models import Job
from dte.jobs.services import job_start
from dte.registry.models import Enrolment
from dte.talent.models import ContinuingEducationRecord, TalentEntry, TitleRecognition
from dte.talent.selectors import ce_totals
from dte.talent.services import (
    TalentError, certificate_benefits_record, continuing_education_record_for_training, talent_entry_add, talent_entry_withdraw,
    talent_profile_set_series,
)
from dte.training.models import TrainingCertificate

from .factories import LevelCertificateFactory, completed_enrolment, official, person

pytestmark = pytest.mark.django_db


def test_ce_hours_recorded_once_and_totalled_per_year():
    who = person("120101")
    first = completed_enrolment(who, hours="64.0", end=date(2025, 6, 30), certificate=False)
    second = completed_enrolment(who, hours="32.5", end=date(2025, 11, 30))
    third = completed_enrolment(who, hours="40", end=date(2024, 12, 20))
    for e in (first, second, third):
        record = continuing_edu = continuing_education_record_for_training(e)
        assert continuing_edu.status == ContinuingEducationRecord.Status.RECORDED
    assert record.citation == "津人社办发〔2022〕94号 三(一)" and record.validity == "全国有效" and record.category == "专业课"
    events = AuditEvent.objects.filter(action="talent.ce.record").count()
    again = continuing_education_record_for_training(first)  # idempotent: no new row, no new audit event
    assert ContinuingEducationRecord.objects.filter(person=who).count() == 3
    assert AuditEvent.objects.filter(action="talent.ce.record").count() == events
    assert again.hours == Decimal("64.0") and again.year == 2025
    assert ce_totals(who) == [(2025, Decimal("96.5")), (2024, Decimal("40.0"))]


def test_shanxi_counts_hours_only_with_a_training_certificate_and_withdraws_on_revocation():
    who = person("140105")
    without = completed_enrolment(who, certificate=False)
    assert continuing_education_record_for_training(without) is None  # 晋人社厅发〔2024〕27号 五(一)
    enrolment = completed_enrolment(who, hours="80")
    record = continuing_education_record_for_training(enrolment)
    assert record.citation == "晋人社厅发〔2024〕27号 五(一)" and record.training_certificate is not None
    TrainingCertificate.objects.filter(enrolment=enrolment).update(status=TrainingCertificate.Status.REVOKED)
    record = continuing_education_record_for_training(enrolment)
    assert record.status == ContinuingEducationRecord.Status.WITHDRAWN and "培训合格证书" in record.reason
    assert ce_totals(who) == []
    assert AuditEvent.objects.filter(action="talent.ce.withdraw", object_id=str(record.pk)).count() == 1


def test_not_completed_enrolment_records_nothing():
    who = person("530102")
    enrolment = completed_enrolment(who)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.FAILED)
    assert continuing_education_record_for_training(enrolment) is None


def test_backfill_job_is_idempotent(django_capture_on_commit_callbacks):
    who = person("450102")
    for end in (date(2025, 3, 1), date(2025, 9, 1)):
        completed_enrolment(who, hours="50", end=end)
    cert = LevelCertificateFactory(person=who, level="intermediate")
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start("talent.backfill")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["continuing_education"] == {"enrolments": 2, "changed": 2, "recorded": 2}
    assert job.result["title_recognition"] == {"certificates": 1, "changed": 1}
    assert TitleRecognition.objects.get(certificate=cert).title == "工程师"
    with django_capture_on_commit_callbacks(execute=True):
        again = job_start("talent.backfill")
    again.refresh_from_db()
    assert again.result["continuing_education"]["changed"] == 0 and again.result["title_recognition"]["changed"] == 0
    assert ce_totals(who) == [(2025, Decimal("100.0"))]


def test_certificate_benefits_recorded_idempotently_and_withdrawn_on_revocation():
    cert = LevelCertificateFactory(person=person("530102"), level="junior")
    [r] = certificate_benefits_record(cert)
    assert (r.title, r.status, r.citation) == ("助理工程师", "recognised", "云人社通〔2023〕39号 三(二)")
    certificate_benefits_record(cert)
    assert TitleRecognition.objects.filter(certificate=cert).count() == 1
    assert AuditEvent.objects.filter(action="talent.title.record").count() == 1
    LevelCertificate.objects.filter(pk=cert.pk).update(status=LevelCertificate.Status.REVOKED, status_reason="考试作弊")
    cert.refresh_from_db()
    [r] = certificate_benefits_record(cert)
    assert r.status == TitleRecognition.Status.WITHDRAWN and "考试作弊" in r.withdrawn_reason
    assert AuditEvent.objects.filter(action="talent.title.withdraw").count() == 1


def test_tibet_series_exclusion_applies_and_lifts_with_the_series():
    who = person("540102")
    cert = LevelCertificateFactory(person=who, level="intermediate")
    [r] = certificate_benefits_record(cert)
    assert r.status == "recognised" and r.citation == "藏人社发〔2025〕13号 五(二)"
    officer = official("540000")
    talent_profile_set_series(who, "accounting", by=officer)
    r.refresh_from_db()
    assert r.status == "excluded" and "以考代评" in r.message
    talent_profile_set_series(who, "engineering", by=officer)
    r.refresh_from_db()
    assert r.status == "recognised"
    with pytest.raises(TalentError):
        talent_profile_set_series(who, "astrology", by=officer)


def test_tianjin_review_entry_brings_excellent_engineer_and_its_withdrawal_takes_it_back():
    who = person("120101")
    cert = LevelCertificateFactory(person=who, level="senior")
    certificate_benefits_record(cert)
    officer = official("120000")
    entry = talent_entry_add(who, by=officer, kind=TalentEntry.Kind.TITLE_REVIEW, title="高级工程师", awarded_on=date(2025, 12, 1),
                             awarded_by="天津市工程技术系列高级职称评审委员会")
    excellent = TitleRecognition.objects.get(certificate=cert, kind="after_review")
    assert (excellent.title, excellent.status) == ("数字经济卓越工程师", "recognised")
    assert AuditEvent.objects.filter(action="talent.entry.add", object_id=str(entry.pk)).exists()
    talent_entry_withdraw(entry, by=officer, reason="录入错误")
    excellent.refresh_from_db()
    assert excellent.status == "withdrawn"
    with pytest.raises(TalentError):
        talent_entry_withdraw(entry, by=officer, reason="again")


def test_entries_are_validated():
    who, officer = person("140105"), official("140000")
    with pytest.raises(TalentError):
        talent_entry_add(who, by=officer, kind="competition", title=" ", awarded_on=date(2025, 1, 1))
    with pytest.raises(TalentError):
        talent_entry_add(who, by=officer, kind="competition", title="大赛", awarded_on=date(2999, 1, 1))
    with pytest.raises(TalentError):
        talent_entry_withdraw(talent_entry_add(who, by=officer, kind="award", title="先进个人", awarded_on=date(2025, 1, 1)),
                              by=officer, reason="")


def test_every_talent_row_is_scoped_to_the_persons_jurisdiction():
    from dte.organisations.scoping import scoped

    who = person("450102")
    continuing_education_record_for_training(completed_enrolment(who, hours="30"))
    certificate_benefits_record(LevelCertificateFactory(person=who))
    talent_entry_add(who, by=official("450000"), kind="award", title="优秀学员", awarded_on=date(2025, 1, 1))
    for model in (ContinuingEducationRecord, TitleRecognition, TalentEntry):
        assert scoped(official("450000"), model.objects.all()).count() == 1
        assert scoped(official("450100", role="local_officer"), model.objects.all()).count() == 1
        assert scoped(official("140000"), model.objects.all()).count() == 0  # another province sees nothing
        assert scoped(who.user, model.objects.all()).count() == 1  # the person themself
        assert scoped(person("450102").user, model.objects.all()).count() == 0
