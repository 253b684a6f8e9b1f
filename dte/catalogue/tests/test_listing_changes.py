"""新增目录机构 and 调整职业/等级 through the web pages and the API: services only, history and audit written,
writers within their province only."""

from datetime import date

import pytest
from django.urls import reverse

from dte.audit.models import AuditEvent
from dte.catalogue.models import InstitutionListing, ListingAdjustment, ListingCoverage
from dte.catalogue.selectors import occupation_find
from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division

from .factories import listing, load_reference, officer

pytestmark = pytest.mark.django_db
API = "/api/catalogue"
BIG_DATA, AI = "2-02-10-11", "2-02-10-09"


@pytest.fixture(autouse=True)
def reference():
    load_reference()


def school(prefecture: str = "140100", kind=Organisation.Kind.TRAINING_INSTITUTION) -> Organisation:
    return OrganisationFactory(kind=kind, division=division(prefecture))


def pair(code: str, level: str) -> str:
    return f"{occupation_find(code).pk}:{level}"


def create_data(org: Organisation, **extra) -> dict:
    return {"organisation": org.pk, "kind": "training", "batch": "第三批", "document": "晋人社函〔2025〕12号",
            "listed_on": "2025-03-01", "coverage": [pair(BIG_DATA, "junior"), pair(BIG_DATA, "intermediate")],
            "direction": "", **extra}


def test_officer_adds_an_institution_and_changes_its_coverage(client):
    org = school()
    client.force_login(officer("140000"))
    form = client.get(reverse("catalogue:listing_add")).content.decode()
    assert org.name in form and f'value="{pair(AI, "senior")}"' in form
    response = client.post(reverse("catalogue:listing_add"), create_data(org))
    assert response.status_code == 302
    item = InstitutionListing.objects.get(organisation=org)
    assert response.url == reverse("catalogue:listing_detail", args=[item.pk])
    assert (item.province_id, item.document, item.batch, item.listed_on) == ("140000", "晋人社函〔2025〕12号", "第三批", date(2025, 3, 1))
    assert sorted(item.coverage.values_list("level", flat=True)) == ["intermediate", "junior"]
    assert AuditEvent.objects.filter(action="catalogue.listing.create", object_id=str(item.pk)).exists()

    detail = client.get(reverse("catalogue:listing_detail", args=[item.pk])).content.decode()
    assert 'id="change-coverage"' in detail and 'name="coverage-add"' in detail
    junior = item.coverage.get(level="junior")
    change = {"coverage-add": [pair(AI, "junior")], "coverage-direction": "智能训练", "coverage-remove": [str(junior.pk)],
              "coverage-reason": "年度动态调整", "coverage-document": "晋人社函〔2025〕30号", "coverage-effective_on": "2025-06-01"}
    done = client.post(reverse("catalogue:listing_coverage", args=[item.pk]), change)
    assert done.status_code == 302
    now = {(c.occupation.code, c.level, c.direction) for c in item.coverage.select_related("occupation")}
    assert now == {(BIG_DATA, "intermediate", ""), (AI, "junior", "智能训练")}
    history = list(ListingAdjustment.objects.filter(listing=item).order_by("pk"))
    assert [h.action for h in history] == ["listed", "coverage"]
    assert history[1].detail == {"added": [f"{AI}/junior/智能训练"], "removed": [f"{BIG_DATA}/junior/"]}
    assert history[1].reason == "年度动态调整" and history[1].effective_on == date(2025, 6, 1)
    event = AuditEvent.objects.get(action="catalogue.listing.coverage_change", object_id=str(item.pk))
    assert f"{BIG_DATA}/junior/" in event.before["coverage"] and f"{AI}/junior/智能训练" in event.after["coverage"]
    assert "晋人社函〔2025〕30号" in client.get(reverse("catalogue:listing_detail", args=[item.pk])).content.decode()


def test_coverage_change_needs_reason_document_and_a_change(client):
    item = listing("140000")
    client.force_login(officer("140000"))
    url = reverse("catalogue:listing_coverage", args=[item.pk])
    base = {"coverage-reason": "r", "coverage-document": "d", "coverage-effective_on": "2025-06-01"}
    nothing = client.post(url, base)
    assert nothing.status_code == 200 and 'id="change-coverage"' in nothing.content.decode()
    no_document = client.post(url, {**base, "coverage-document": "", "coverage-add": [pair(AI, "junior")]})
    assert no_document.status_code == 200
    same = client.post(url, {**base, "coverage-add": [pair(BIG_DATA, "junior")]})  # already covered
    assert same.status_code == 200 and "范围没有变化" in same.content.decode()
    assert ListingAdjustment.objects.filter(listing=item).count() == 1 and item.coverage.count() == 3


def test_duplicates_and_removed_listings_are_refused(client):
    existing = listing("140000")
    client.force_login(officer("140000"))
    again = client.post(reverse("catalogue:listing_add"), create_data(existing.organisation))
    assert again.status_code == 200 and "已在该省目录中" in again.content.decode()
    assert InstitutionListing.objects.filter(organisation=existing.organisation).count() == 1
    wrong_kind = client.post(reverse("catalogue:listing_add"), create_data(school(), kind="evaluation"))
    assert wrong_kind.status_code == 200 and not InstitutionListing.objects.filter(kind="evaluation").exists()
    InstitutionListing.objects.filter(pk=existing.pk).update(status=InstitutionListing.Status.REMOVED)
    detail = client.get(reverse("catalogue:listing_detail", args=[existing.pk])).content.decode()
    assert 'name="coverage-add"' not in detail
    refused = client.post(reverse("catalogue:listing_coverage", args=[existing.pk]), {
        "coverage-add": [pair(AI, "junior")], "coverage-reason": "r", "coverage-document": "d", "coverage-effective_on": "2025-06-01"},
        follow=True)
    assert "已移出目录的机构不能调整范围" in refused.content.decode() and existing.coverage.count() == 3


def test_other_roles_and_provinces_are_refused(client):
    item = listing("140000")
    org = school()
    change = {"coverage-add": [pair(AI, "junior")], "coverage-reason": "r", "coverage-document": "d", "coverage-effective_on": "2025-06-01"}
    client.force_login(UserFactory(role=Role.TRAINING_STAFF, organisation=item.organisation))
    assert client.get(reverse("catalogue:listing_add")).status_code == 403
    assert client.post(reverse("catalogue:listing_add"), create_data(org)).status_code == 403
    assert client.post(reverse("catalogue:listing_coverage", args=[item.pk]), change).status_code == 403
    client.force_login(officer("120000"))  # Tianjin officer: Shanxi's institutions are not offered
    form = client.get(reverse("catalogue:listing_add")).content.decode()
    assert org.name not in form
    assert client.post(reverse("catalogue:listing_add"), create_data(org)).status_code == 200
    assert client.post(reverse("catalogue:listing_coverage", args=[item.pk]), change).status_code == 404
    assert not InstitutionListing.objects.filter(organisation=org).exists() and item.coverage.count() == 3
    assert ListingAdjustment.objects.filter(listing=item).count() == 1


@pytest.mark.parametrize("role", [Role.LOCAL_OFFICER, Role.AUDITOR, Role.TRAINING_STAFF])
def test_readers_see_the_pages_without_the_forms(client, role):
    item = listing("140000")
    user = (UserFactory(role=role, organisation=item.organisation) if role == Role.TRAINING_STAFF else officer("140000", role=role))
    client.force_login(user)
    detail = client.get(reverse("catalogue:listing_detail", args=[item.pk]))
    listing_page = client.get(reverse("catalogue:listing_list")).content.decode()
    assert detail.status_code == 200 and "测试文件" in detail.content.decode()
    for html in (detail.content.decode(), listing_page):
        assert reverse("catalogue:listing_add") not in html and 'name="coverage-add"' not in html
    assert item.organisation.name in listing_page


def test_writers_see_the_links(client):
    item = listing("140000")
    client.force_login(UserFactory(role=Role.SYSADMIN, organisation=None))
    assert reverse("catalogue:listing_add") in client.get(reverse("catalogue:listing_list")).content.decode()
    assert 'href="#change-coverage"' in client.get(reverse("catalogue:listing_detail", args=[item.pk])).content.decode()


def test_api_create_and_change_coverage(client):
    org = school("140200")
    body = {"organisation_id": org.pk, "kind": "training", "listed_on": "2025-03-01", "document": "晋人社函〔2025〕12号",
            "batch": "第三批", "coverage": [{"occupation": "2-02-38-03", "level": "junior"}, {"occupation": AI, "level": "senior", "direction": "智能训练"}]}
    client.force_login(UserFactory(role=Role.TRAINING_STAFF, organisation=org))
    assert client.post(f"{API}/listings", body, content_type="application/json").status_code == 403
    client.force_login(officer("120000"))
    assert client.post(f"{API}/listings", body, content_type="application/json").status_code == 404
    client.force_login(officer("140000"))
    assert client.post(f"{API}/listings", {**body, "document": " "}, content_type="application/json").status_code == 400
    assert client.post(f"{API}/listings", {**body, "coverage": []}, content_type="application/json").status_code == 400
    unknown = client.post(f"{API}/listings", {**body, "coverage": [{"occupation": "9-99", "level": "junior"}]}, content_type="application/json")
    assert unknown.status_code == 400 and "未知职业代码" in unknown.json()["message"]
    created = client.post(f"{API}/listings", body, content_type="application/json")
    assert created.status_code == 201
    data = created.json()
    assert data["province"] == "140000" and data["adjustments"][0]["action"] == "listed"
    assert {(c["occupation_code"], c["level"], c["direction"]) for c in data["coverage"]} == {(BIG_DATA, "junior", ""), (AI, "senior", "智能训练")}
    dup = client.post(f"{API}/listings", body, content_type="application/json")
    assert dup.status_code == 400 and "已在该省目录中" in dup.json()["message"]

    url = f"{API}/listings/{data['id']}/coverage"
    change = {"add": [{"occupation": BIG_DATA, "level": "senior"}], "remove": [{"occupation": AI, "level": "senior", "direction": "智能训练"}],
              "reason": "年度动态调整", "document": "晋人社函〔2025〕30号", "effective_on": "2025-06-01"}
    assert client.post(url, {**change, "reason": ""}, content_type="application/json").status_code == 400
    done = client.post(url, change, content_type="application/json")
    assert done.status_code == 200
    assert {(c["occupation_code"], c["level"]) for c in done.json()["coverage"]} == {(BIG_DATA, "junior"), (BIG_DATA, "senior")}
    assert done.json()["adjustments"][-1]["detail"] == {"added": [f"{BIG_DATA}/senior/"], "removed": [f"{AI}/senior/智能训练"]}
    assert AuditEvent.objects.filter(action="catalogue.listing.coverage_change", object_id=str(data["id"])).count() == 1
    client.force_login(officer("120000"))
    assert client.post(url, change, content_type="application/json").status_code == 404
    client.force_login(officer("140000", role=Role.LOCAL_OFFICER))
    assert client.post(url, change, content_type="application/json").status_code == 403
    assert ListingCoverage.objects.filter(listing_id=data["id"]).count() == 2


def test_api_refuses_changes_to_removed_listings(client):
    item = listing("140000")
    InstitutionListing.objects.filter(pk=item.pk).update(status=InstitutionListing.Status.REMOVED)
    client.force_login(officer("140000"))
    response = client.post(f"{API}/listings/{item.pk}/coverage", {"add": [{"occupation": AI, "level": "junior"}], "reason": "r",
                                                                   "document": "d", "effective_on": "2025-06-01"}, content_type="application/json")
    assert response.status_code == 400 and "已移出目录的机构不能调整范围" in response.json()["message"]


def test_date_fields_start_with_today_in_iso_form(client):
    item = listing("140000")
    client.force_login(officer("140000"))
    today = date.today().isoformat()
    assert f'value="{today}"' in client.get(reverse("catalogue:listing_add")).content.decode()
    detail = client.get(reverse("catalogue:listing_detail", args=[item.pk])).content.decode()
    assert f'name="coverage-effective_on" value="{today}"' in detail
