from datetime import date

import pytest

from dte.catalogue.models import InstitutionListing, SubsidyStandard
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory

from .factories import listing, load_reference, officer

pytestmark = pytest.mark.django_db
API = "/api/catalogue"


@pytest.fixture(autouse=True)
def reference():
    load_reference()


def test_occupations(client):
    client.force_login(UserFactory(role=Role.TRAINEE))
    data = client.get(f"{API}/occupations").json()
    assert len(data) == 14
    one = client.get(f"{API}/occupations/2-02-38-03").json()
    assert one["code"] == "2-02-10-11" and one["directions"] is None
    missing = client.get(f"{API}/occupations/9-99")
    assert missing.status_code == 404 and "未知职业代码" in missing.json()["message"]


def test_anonymous_is_refused(client):
    assert client.get(f"{API}/occupations").status_code == 401


def test_listings_filters_pagination_and_scoping(client):
    a = listing("140000", occupations=("2-02-10-11",))
    listing("140000", occupations=("2-02-10-09",))
    listing("120000", occupations=("2-02-10-11",))
    client.force_login(officer("140000"))
    page = client.get(f"{API}/listings", {"page_size": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1  # the Tianjin listing is outside the jurisdiction
    only = client.get(f"{API}/listings", {"occupation": "2-02-38-03"}).json()
    assert [i["id"] for i in only["items"]] == [a.pk]
    assert "大数据工程技术人员" in only["items"][0]["coverage_summary"]
    assert client.get(f"{API}/listings", {"status": "gone"}).status_code == 400
    assert client.get(f"{API}/listings", {"page_size": 0}).status_code == 400
    detail = client.get(f"{API}/listings/{a.pk}").json()
    assert detail["adjustments"][0]["action"] == "listed" and len(detail["coverage"]) == 3


def test_listing_status_change(client):
    item = listing("140000")
    body = {"status": "suspended", "reason": "检查不合格", "document": "晋人社函〔2024〕9号", "effective_on": "2024-07-01"}
    client.force_login(UserFactory(role=Role.TRAINING_STAFF, organisation=item.organisation))
    assert client.post(f"{API}/listings/{item.pk}/status", body, content_type="application/json").status_code == 403
    client.force_login(officer("120000"))
    assert client.post(f"{API}/listings/{item.pk}/status", body, content_type="application/json").status_code == 404
    client.force_login(officer("140000", role=Role.LOCAL_OFFICER))
    assert client.post(f"{API}/listings/{item.pk}/status", body, content_type="application/json").status_code == 403
    client.force_login(officer("140000"))
    done = client.post(f"{API}/listings/{item.pk}/status", body, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "suspended"
    assert done.json()["adjustments"][-1]["to_status"] == "suspended"
    again = client.post(f"{API}/listings/{item.pk}/status", body, content_type="application/json")
    assert again.status_code == 400 and "不能从“暂停”改为“暂停”" in again.json()["message"]
    item.refresh_from_db()
    assert item.status == InstitutionListing.Status.SUSPENDED
    assert client.get(f"{API}/listings/999999").status_code == 404


def test_standards_query_and_add(client):
    client.force_login(officer("120000"))
    rows = client.get(f"{API}/standards", {"province": "120000", "occupation": "2-02-10-11"}).json()
    assert len(rows) == 3
    in_force = client.get(f"{API}/standards", {"province": "120000", "occupation": "2-02-38-03", "level": "intermediate", "on": "2024-01-01"}).json()
    assert [(r["hours_required"], r["amount_fen"]) for r in in_force] == [(128, 403100)]
    assert client.get(f"{API}/standards", {"on": "2024-01-01"}).status_code == 400
    assert client.get(f"{API}/standards", {"level": "expert"}).status_code == 400
    body = {"province": "120000", "occupation": "2-02-10-11", "level": "intermediate", "effective_from": "2026-01-01",
            "citation": "津人社办发〔2026〕1号", "amount_fen": 450000}
    created = client.post(f"{API}/standards", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["amount_fen"] == 450000
    dup = client.post(f"{API}/standards", body, content_type="application/json")
    assert dup.status_code == 400 and "已有补贴标准" in dup.json()["message"]
    negative = client.post(f"{API}/standards", {**body, "effective_from": "2026-02-01", "amount_fen": -5}, content_type="application/json")
    assert negative.status_code == 400 and "不能为负数" in negative.json()["message"]
    other = client.post(f"{API}/standards", {**body, "province": "540000"}, content_type="application/json")
    assert other.status_code == 403
    after = client.get(f"{API}/standards", {"province": "120000", "occupation": "2-02-10-11", "level": "intermediate", "on": "2026-06-01"}).json()
    assert after[0]["amount_fen"] == 450000
    assert not SubsidyStandard.objects.filter(province_id="540000").exists()
    client.force_login(UserFactory(role=Role.AUDITOR))
    assert client.post(f"{API}/standards", {**body, "effective_from": "2026-03-01"}, content_type="application/json").status_code == 403
