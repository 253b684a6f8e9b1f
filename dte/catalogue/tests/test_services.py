from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from dte.audit.models import AuditEvent
from dte.catalogue.models import InstitutionListing, ListingAdjustment, SubsidyStandard
from dte.catalogue.selectors import listing_may_train, listing_status_on, occupation_find, subsidy_standard_in_force
from dte.catalogue.services import (
    CatalogueError, listing_coverage_change, listing_create, listing_set_status, occupation_update, subsidy_standard_add,
)
from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division

from .factories import listing, load_reference, officer

pytestmark = pytest.mark.django_db
S = InstitutionListing.Status


@pytest.fixture(autouse=True)
def reference():
    load_reference()


def test_listing_create_writes_history_and_audit():
    item = listing("140000", occupations=("2-02-10-09", "2-02-30-11"))
    assert item.coverage.count() == 6 and item.status == S.LISTED
    first = item.adjustments.get()
    assert first.action == "listed" and first.to_status == S.LISTED
    assert AuditEvent.objects.filter(action="catalogue.listing.create", object_id=str(item.pk)).exists()


def test_listing_create_refuses_wrong_kind_and_duplicates():
    org = OrganisationFactory(kind=Organisation.Kind.EVALUATION_INSTITUTION)
    with pytest.raises(CatalogueError, match="不是"):
        listing_create(organisation=org, kind="training", province=division("140000"), listed_on=date(2024, 1, 1))
    listing_create(organisation=org, kind="evaluation", province=division("140000"), listed_on=date(2024, 1, 1))
    with pytest.raises(CatalogueError, match="已在该省目录中"):
        listing_create(organisation=org, kind="evaluation", province=division("140000"), listed_on=date(2024, 1, 1))


def test_allowed_transitions_keep_history_and_audit():
    item = listing()
    by = officer("140000")
    listing_set_status(item, S.SUSPENDED, by=by, reason="年度评估不合格", document="晋人社函〔2024〕1号", effective_on=date(2024, 9, 1))
    listing_set_status(item, S.LISTED, by=by, reason="整改完成", document="晋人社函〔2024〕2号", effective_on=date(2024, 10, 1))
    listing_set_status(item, S.REMOVED, by=by, reason="违规跨省培训", document="晋人社函〔2024〕3号", effective_on=date(2024, 12, 1))
    item.refresh_from_db()
    assert (item.status, item.status_changed_on, item.status_document) == (S.REMOVED, date(2024, 12, 1), "晋人社函〔2024〕3号")
    rows = list(item.adjustments.filter(action="status").values_list("from_status", "to_status", "by_id"))
    assert rows == [(S.LISTED, S.SUSPENDED, by.pk), (S.SUSPENDED, S.LISTED, by.pk), (S.LISTED, S.REMOVED, by.pk)]
    events = AuditEvent.objects.filter(action="catalogue.listing.set_status", object_id=str(item.pk)).order_by("seq")
    assert [e.after["status"] for e in events] == [S.SUSPENDED, S.LISTED, S.REMOVED]
    assert events[0].before["status"] == S.LISTED
    # the status on past dates is reproducible from the history
    assert listing_status_on(item, date(2024, 5, 22)) is None
    assert listing_status_on(item, date(2024, 9, 15)) == S.SUSPENDED
    assert listing_status_on(item, date(2024, 11, 1)) == S.LISTED
    assert listing_status_on(item, date(2025, 1, 1)) == S.REMOVED


@pytest.mark.parametrize("start, target", [(S.REMOVED, S.LISTED), (S.REMOVED, S.SUSPENDED), (S.LISTED, S.LISTED), (S.SUSPENDED, S.SUSPENDED)])
def test_refused_transitions_leave_no_trace(start, target):
    item = listing()
    by = officer("140000")
    if start != S.LISTED:
        listing_set_status(item, start, by=by, reason="r", document="d", effective_on=date(2024, 6, 1))
    count = ListingAdjustment.objects.count()
    with pytest.raises(CatalogueError, match="不能从"):
        listing_set_status(item, target, by=by, reason="r", document="d", effective_on=date(2024, 7, 1))
    assert ListingAdjustment.objects.count() == count


def test_status_change_requires_reason_document_and_date():
    item, by = listing(), officer("140000")
    for kwargs in ({"reason": "", "document": "d", "effective_on": date(2024, 7, 1)},
                   {"reason": "r", "document": " ", "effective_on": date(2024, 7, 1)},
                   {"reason": "r", "document": "d", "effective_on": None}):
        with pytest.raises(CatalogueError):
            listing_set_status(item, S.SUSPENDED, by=by, **kwargs)
    with pytest.raises(CatalogueError, match="不能早于上次调整日期"):
        listing_set_status(item, S.SUSPENDED, by=by, reason="r", document="d", effective_on=date(2024, 1, 1))


def test_scoping_of_listing_changes():
    shanxi = listing("140000")
    tianjin_officer = officer("120000")
    with pytest.raises(PermissionDenied):
        listing_set_status(shanxi, S.SUSPENDED, by=tianjin_officer, reason="r", document="d", effective_on=date(2024, 7, 1))
    own_staff = UserFactory(role=Role.TRAINING_STAFF, organisation=shanxi.organisation)
    with pytest.raises(PermissionDenied):
        listing_set_status(shanxi, S.SUSPENDED, by=own_staff, reason="r", document="d", effective_on=date(2024, 7, 1))
    auditor = officer("140000", role=Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        listing_set_status(shanxi, S.SUSPENDED, by=auditor, reason="r", document="d", effective_on=date(2024, 7, 1))
    shanxi.refresh_from_db()
    assert shanxi.status == S.LISTED and shanxi.adjustments.count() == 1
    admin = UserFactory(role=Role.SYSADMIN, organisation=None)
    listing_set_status(shanxi, S.SUSPENDED, by=admin, reason="r", document="d", effective_on=date(2024, 7, 1))


def test_listing_create_outside_jurisdiction_is_rolled_back():
    org = OrganisationFactory(kind=Organisation.Kind.TRAINING_INSTITUTION, division=division("140100"))
    with pytest.raises(PermissionDenied):
        listing_create(organisation=org, kind="training", province=division("140000"), listed_on=date(2024, 1, 1), by=officer("120000"))
    assert not InstitutionListing.objects.exists()


def test_may_train_needs_listing_status_and_coverage():
    item = listing(occupations=("2-02-10-11",), levels=("junior", "intermediate"))
    big_data, ai = occupation_find("2-02-10-11"), occupation_find("2-02-10-09")
    org = item.organisation
    assert listing_may_train(org, big_data, "junior", date(2024, 6, 1))
    assert listing_may_train(org, "2-02-38-03", "intermediate", date(2024, 6, 1))
    assert not listing_may_train(org, big_data, "senior", date(2024, 6, 1))
    assert not listing_may_train(org, ai, "junior", date(2024, 6, 1))
    assert not listing_may_train(org, big_data, "junior", date(2024, 5, 1))  # before listing
    by = officer("140000")
    listing_set_status(item, S.SUSPENDED, by=by, reason="r", document="d", effective_on=date(2024, 7, 1))
    assert not listing_may_train(org, big_data, "junior", date(2024, 7, 2))
    assert listing_may_train(org, big_data, "junior", date(2024, 6, 30))
    listing_coverage_change(item, by=by, add=[(ai, "junior")], remove=[(big_data, "junior")], reason="扩项", document="d", effective_on=date(2024, 7, 3))
    listing_set_status(item, S.LISTED, by=by, reason="r", document="d", effective_on=date(2024, 8, 1))
    assert listing_may_train(org, ai, "junior", date(2024, 8, 2))
    assert not listing_may_train(org, big_data, "junior", date(2024, 8, 2))
    change = item.adjustments.get(action="coverage")
    assert change.detail == {"added": ["2-02-10-09/junior/"], "removed": ["2-02-10-11/junior/"]}
    assert AuditEvent.objects.filter(action="catalogue.listing.coverage_change").count() == 1
    with pytest.raises(CatalogueError, match="范围没有变化"):
        listing_coverage_change(item, by=by, add=[(ai, "junior")], reason="r", document="d", effective_on=date(2024, 8, 3))


def test_occupation_update_keeps_history_in_audit():
    occupation = occupation_find("2-02-10-11")
    admin = UserFactory(role=Role.SYSADMIN, organisation=None)
    occupation_update(occupation, by=admin, directions=["数据采集", " 数据分析 ", "", "数据采集"])
    occupation.refresh_from_db()
    assert occupation.directions == ["数据采集", "数据分析"]
    event = AuditEvent.objects.get(action="catalogue.occupation.update")
    assert event.before == {"directions": []} and event.after == {"directions": ["数据采集", "数据分析"]}
    with pytest.raises(PermissionDenied):
        occupation_update(occupation, by=UserFactory(role=Role.TRAINING_STAFF), directions=["x"])
    with pytest.raises(CatalogueError):
        occupation_update(occupation, by=admin, code="x")


def test_dated_standards_before_and_after_a_change():
    big_data = occupation_find("2-02-10-11")
    by = officer("120000")
    new = subsidy_standard_add(province=division("120000"), occupation=big_data, level="intermediate", amount_fen=450000,
                               hours_required=140, effective_from=date(2025, 1, 1), citation="津人社办发〔2024〕99号", by=by)
    assert new.entered_by == by
    assert subsidy_standard_in_force("120000", big_data, "intermediate", date(2024, 12, 31)).amount_fen == 403100
    assert subsidy_standard_in_force("120000", big_data, "intermediate", date(2025, 1, 1)).amount_fen == 450000
    assert SubsidyStandard.objects.filter(occupation=big_data, level="intermediate", province_id="120000").count() == 2
    assert AuditEvent.objects.filter(action="catalogue.subsidy_standard.add", object_id=str(new.pk)).exists()
    with pytest.raises(CatalogueError, match="已有补贴标准"):
        subsidy_standard_add(province=division("120000"), occupation=big_data, level="intermediate", amount_fen=1,
                             effective_from=date(2025, 1, 1), citation="x", by=by)
    # an earlier date is allowed: it fills history in, without touching later rows
    subsidy_standard_add(province=division("120000"), occupation=big_data, level="intermediate", amount_fen=300000,
                         effective_from=date(2020, 1, 1), citation="历史标准", by=by)
    assert subsidy_standard_in_force("120000", big_data, "intermediate", date(2024, 1, 1)).amount_fen == 403100


def test_standard_add_refusals():
    occupation, province, by = occupation_find("2-02-10-11"), division("540000"), officer("540000")
    base = {"province": province, "occupation": occupation, "level": "junior", "effective_from": date(2025, 6, 1), "citation": "c", "by": by}
    for bad, message, english in (
        ({"amount_fen": -1}, "不能为负数", "cannot be negative"),
        ({"amount_fen": None}, "补贴金额或学时要求", "amount or required hours"),
        ({"amount_fen": 1, "citation": " "}, "请填写依据文件", "The citation is required"),
        ({"amount_fen": 1, "level": "x"}, "未知等级 x", "Unknown level x"),
        ({"amount_fen": 1, "hours_required": 0}, "必须大于零", "more than zero"),
    ):
        # each language shows only its own message (issue 13 item 12): Chinese by default, English under en
        with pytest.raises(CatalogueError, match=message) as refused:
            subsidy_standard_add(**{**base, **bad})
        assert " / " not in str(refused.value)
        with translation.override("en"), pytest.raises(CatalogueError, match=english):
            subsidy_standard_add(**{**base, **bad})
    with pytest.raises(PermissionDenied):  # a Tianjin officer cannot set Tibet's standard
        subsidy_standard_add(**{**base, "amount_fen": 1, "by": officer("120000")})
    with pytest.raises(PermissionDenied):
        subsidy_standard_add(**{**base, "amount_fen": 1, "by": UserFactory(role=Role.TRAINING_STAFF)})
    assert not SubsidyStandard.objects.filter(province_id="540000").exists()


@pytest.mark.django_db
def test_province_officer_fills_in_occupation_directions():
    from django.core.exceptions import PermissionDenied

    from dte.catalogue.models import Occupation
    from dte.catalogue.services import occupation_update
    from dte.organisations.tests.factories import UserFactory, division

    occupation = Occupation.objects.create(code="2-02-38-99", name="测试职业")
    officer = UserFactory(role=Role.PROVINCE_OFFICER, organisation__division=division("140000"))
    occupation_update(occupation, by=officer, directions=["数据分析"])
    occupation.refresh_from_db()
    assert occupation.directions == ["数据分析"]
    with pytest.raises(PermissionDenied):
        occupation_update(occupation, by=UserFactory(role=Role.TRAINING_STAFF), directions=["x"])
