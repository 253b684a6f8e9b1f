from datetime import date, timedelta

import pytest

from dte.catalogue.models import InstitutionListing
from dte.registry.errors import RegistryError
from dte.registry.models import Announcement, TrainingPlanFiling
from dte.registry.services_plans import announcement_publish, filing_review, filing_submit

from dte.organisations.tests.factories import division

from .factories import TrainingClassFactory, filing, listed_institution, officer

pytestmark = pytest.mark.django_db

# Announcements are public only until the class opens.
OPENING = date.today() + timedelta(days=60)
ON = date(2024, 8, 1)


def test_listed_institution_files_and_bureau_accepts_after_a_return():
    f = filing(listed_institution())
    filing_submit(f, today=ON)
    reviewer = officer("140100", role="local_officer")
    with pytest.raises(RegistryError):
        filing_review(f, accept=False, by=reviewer, comment="")
    filing_review(f, accept=False, by=reviewer, comment="请补充实操场地")
    f.refresh_from_db()
    assert (f.status, f.review_comment) == (TrainingPlanFiling.Status.RETURNED, "请补充实操场地")
    filing_submit(f, today=ON)
    filing_review(f, accept=True, by=reviewer)
    f.refresh_from_db()
    assert f.status == TrainingPlanFiling.Status.ACCEPTED
    with pytest.raises(RegistryError) as bad:  # accepted is final
        filing_review(f, accept=False, by=reviewer, comment="x")
    assert bad.value.code == "BAD_TRANSITION"


@pytest.mark.parametrize("status", [InstitutionListing.Status.SUSPENDED, InstitutionListing.Status.REMOVED])
def test_unlisted_or_suspended_institution_cannot_file(status):
    with pytest.raises(RegistryError) as refused:
        filing_submit(filing(listed_institution(status=status)), today=ON)
    assert refused.value.code == "NOT_LISTED"


def test_occupation_or_level_outside_the_listing_is_refused():
    f = filing(listed_institution(levels=("junior",)), level="senior")
    with pytest.raises(RegistryError) as refused:
        filing_submit(f, today=ON)
    assert refused.value.code == "NOT_COVERED"


def test_cross_province_filing_is_refused_citing_the_clause():
    tianjin_school = listed_institution("120100")
    f = filing(tianjin_school, province=division("140000"), prefecture=division("140100"))
    with pytest.raises(RegistryError) as refused:
        filing_submit(f, today=ON)
    assert refused.value.code == "CROSS_PROVINCE"
    assert "晋人社厅发〔2024〕27号 六(二)" in str(refused.value)


def test_tianjin_online_hours_over_half_are_refused():
    f = filing(listed_institution("120100"), hours_online_theory=60, hours_online_practice=10,
               hours_offline_theory=10, hours_offline_practice=10)
    with pytest.raises(RegistryError) as refused:
        filing_submit(f, today=ON)
    assert refused.value.code == "ONLINE_OVER_CAP" and "津人社办发〔2022〕94号" in refused.value.citation


@pytest.mark.parametrize("phrase", ["包过", "不过退费", "包就业", "包年薪", "培训贷", "高通过率"])
def test_forbidden_claim_blocks_publishing_and_names_phrase_and_clause(phrase):
    klass = TrainingClassFactory()
    a = Announcement.objects.create(training_class=klass, text=f"名师授课，{phrase}！", venue="山西大学", fee_fen=0)
    with pytest.raises(RegistryError) as refused:
        announcement_publish(a, on=ON)
    assert refused.value.code == "FORBIDDEN_CLAIM"
    assert phrase in refused.value.message and "晋人社厅发〔2024〕27号 六(二)" in refused.value.message
    a.refresh_from_db()
    assert a.published is False


def test_clean_announcement_is_published_on_the_public_page(client):
    klass = TrainingClassFactory(title="人工智能初级一期", start_date=OPENING)
    a = Announcement.objects.create(training_class=klass, text="面向应届毕业生公开招生", venue="山西大学", fee_fen=150000)
    hidden = Announcement.objects.create(training_class=TrainingClassFactory(title="未发布的班", start_date=OPENING), text="草稿", venue="x")
    announcement_publish(a, on=ON)
    page = client.get("/registry/public/announcements/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "人工智能初级一期" in body and "1500" in body and hidden.training_class.title not in body


def test_announcement_leaves_the_public_page_when_the_class_opens(client):
    from dte.registry.selectors import published_announcements

    klass = TrainingClassFactory(title="即将开班", start_date=OPENING)
    announcement = Announcement.objects.create(training_class=klass, text="招生", venue="x")
    announcement_publish(announcement, on=date.today())
    assert announcement in published_announcements()
    assert announcement in published_announcements(today=OPENING)  # enrolment runs through the opening day
    assert announcement not in published_announcements(today=OPENING + timedelta(days=1))
