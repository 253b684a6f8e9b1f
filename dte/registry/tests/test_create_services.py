"""Issue 13 item 16: creating a filing or an announcement goes through a service (permission, checks,
audit trail), not through a view writing the model."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from dte.audit.models import AuditEvent
from dte.registry.errors import RegistryError
from dte.registry.models import Announcement, TrainingPlanFiling
from dte.registry.services_plans import announcement_create, filing_create

from .factories import TrainingClassFactory, evaluation_institution, listed_institution, occupation, officer, staff

pytestmark = pytest.mark.django_db

OPENING = date.today() + timedelta(days=60)


def test_filing_create_sets_the_divisions_and_is_audited():
    institution = listed_institution("140100")
    filing = filing_create(
        institution=institution, by=staff(institution), teachers=[{"name": "李教授", "title": "教授"}], venues=["坞城路92号"],
        exam_dates=["2024-10-20"], occupation=occupation(), level="junior", hours_online_theory=20, hours_online_practice=10,
        hours_offline_theory=20, hours_offline_practice=30, materials="教程", exam_plan="理论与实操",
        evaluation_institution=evaluation_institution("140100"))
    assert (filing.province_id, filing.prefecture_id, filing.status) == ("140000", "140100", TrainingPlanFiling.Status.DRAFT)
    event = AuditEvent.objects.get(action="registry.filing.create")
    assert event.object_id == str(filing.pk) or str(event.object_id) == str(filing.pk)


def test_only_the_institution_files_its_plan():
    institution = listed_institution("140100")
    with pytest.raises(PermissionDenied):
        filing_create(institution=institution, by=officer("140000"), occupation=occupation(), level="junior",
                      evaluation_institution=evaluation_institution("140100"))
    assert not TrainingPlanFiling.objects.exists()


def test_another_institutions_staff_cannot_file_for_it():
    """The shared permission and scope check (dte.organisations.permissions): an institution's staff act for their
    own institution only; the refusal is the shared, translated message."""
    from django.utils import translation

    institution, other = listed_institution("140100"), listed_institution("140100")
    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as refused:
        filing_create(institution=institution, by=staff(other), occupation=occupation(), level="junior",
                      evaluation_institution=evaluation_institution("140100"))
    assert str(refused.value) == "您的角色无权执行此操作，或对象不在您的范围内"
    assert not TrainingPlanFiling.objects.exists()


def test_announcement_create_refuses_a_forbidden_claim_before_saving_and_audits_a_clean_one():
    klass = TrainingClassFactory(start_date=OPENING)
    by = staff(klass.institution)
    with pytest.raises(RegistryError) as refused:
        announcement_create(klass, by=by, text="包过！不过退费", venue="山西大学", fee_fen=0, online_share_bp=0)
    assert refused.value.code == "FORBIDDEN_CLAIM" and refused.value.detail["hits"]
    assert not Announcement.objects.exists()
    announcement = announcement_create(klass, by=by, text="面向应届毕业生公开招生", venue="山西大学", fee_fen=150000, online_share_bp=0)
    assert AuditEvent.objects.filter(action="registry.announcement.create", object_id=str(announcement.pk)).exists()
