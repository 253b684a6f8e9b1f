from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dte.catalogue.models import InstitutionListing, SubsidyStandard
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory

from .factories import listing, load_reference, officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference():
    load_reference()


def login(client, user):
    client.force_login(user)
    return client


def test_pages_render_for_an_official(client):
    item = listing("140000")
    login(client, officer("140000"))
    for url in (reverse("catalogue:occupation_list"), reverse("catalogue:occupation_detail", args=["2-02-38-03"]),
                reverse("catalogue:listing_list"), reverse("catalogue:listing_detail", args=[item.pk]),
                reverse("catalogue:standard_list"), reverse("catalogue:standard_add")):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("catalogue:occupation_list")).content.decode()
    assert "大数据工程技术人员" in page and "2-02-38-03" in page
    detail = client.get(reverse("catalogue:listing_detail", args=[item.pk])).content.decode()
    assert 'name="new_status"' in detail and "测试文件" in detail


def test_occupation_detail_shows_dated_history(client):
    admin = UserFactory(role=Role.SYSADMIN, organisation=None)
    login(client, admin)
    html = client.get(reverse("catalogue:occupation_detail", args=["2-02-10-11"])).content.decode()
    assert "4031.00" in html and "津人社办发〔2022〕94号" in html
    response = client.post(reverse("catalogue:occupation_edit", args=["2-02-10-11"]), {"directions": "数据分析\n数据治理", "name_en": "Big Data", "field": "大数据"})
    assert response.status_code == 302
    assert "数据分析、数据治理" in client.get(reverse("catalogue:occupation_list")).content.decode()


def test_anonymous_is_sent_to_login(client):
    item = listing()
    for url in (reverse("catalogue:occupation_list"), reverse("catalogue:listing_list"), reverse("catalogue:listing_detail", args=[item.pk]),
                reverse("catalogue:standard_add"), reverse("catalogue:listing_export")):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.url, url


def test_wrong_roles_cannot_write(client):
    item = listing("140000")
    staff = UserFactory(role=Role.TRAINING_STAFF, organisation=item.organisation)
    login(client, staff)
    assert client.get(reverse("catalogue:listing_detail", args=[item.pk])).status_code == 200  # reads its own listing
    assert 'name="new_status"' not in client.get(reverse("catalogue:listing_detail", args=[item.pk])).content.decode()
    data = {"new_status": "suspended", "reason": "r", "document": "d", "effective_on": "2024-07-01"}
    assert client.post(reverse("catalogue:listing_status", args=[item.pk]), data).status_code == 403
    assert client.get(reverse("catalogue:standard_add")).status_code == 403
    assert client.get(reverse("catalogue:occupation_edit", args=["2-02-10-11"])).status_code == 403
    login(client, officer("120000"))  # another province's officer
    assert client.post(reverse("catalogue:listing_status", args=[item.pk]), data).status_code == 404
    item.refresh_from_db()
    assert item.status == InstitutionListing.Status.LISTED


def test_officer_changes_status_through_the_form(client):
    item = listing("140000")
    login(client, officer("140000"))
    url = reverse("catalogue:listing_status", args=[item.pk])
    missing = client.post(url, {"new_status": "suspended", "reason": "", "document": "d", "effective_on": "2024-07-01"})
    assert missing.status_code == 302
    item.refresh_from_db()
    assert item.status == InstitutionListing.Status.LISTED
    client.post(url, {"new_status": "suspended", "reason": "检查不合格", "document": "晋人社函〔2024〕9号", "effective_on": "2024-07-01"})
    item.refresh_from_db()
    assert item.status == InstitutionListing.Status.SUSPENDED
    assert "检查不合格" in client.get(reverse("catalogue:listing_detail", args=[item.pk])).content.decode()


def test_officer_adds_a_standard_and_duplicates_are_explained(client):
    login(client, officer("540000"))
    data = {"province": "540000", "occupation": SubsidyStandard._meta.get_field("occupation").related_model.objects.get(code="2-02-10-11").pk,
            "level": "junior", "amount_yuan": "2600.50", "hours_required": "128", "effective_from": "2026-01-01",
            "citation": "藏人社发〔2026〕1号"}
    response = client.post(reverse("catalogue:standard_add"), data)
    assert response.status_code == 302
    row = SubsidyStandard.objects.get(province_id="540000")
    assert (row.amount_fen, row.hours_required, row.effective_from) == (260050, 128, date(2026, 1, 1))
    again = client.post(reverse("catalogue:standard_add"), data)
    assert again.status_code == 200 and "已有补贴标准" in again.content.decode()
    assert "2600.50" in client.get(reverse("catalogue:standard_list") + "?province=540000").content.decode()
    other = client.post(reverse("catalogue:standard_add"), {**data, "province": "120000", "effective_from": "2026-02-01"})
    assert other.status_code == 200 and not SubsidyStandard.objects.filter(effective_from=date(2026, 2, 1)).exists()


def test_excel_export_has_title_headers_and_rows(client):
    listing("140000", occupations=("2-02-10-11", "2-02-10-09"))
    listing("140000", kind=InstitutionListing.Kind.EVALUATION)
    login(client, officer("140000"))
    response = client.get(reverse("catalogue:listing_export") + "?kind=training")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A1"].value == "数字技术工程师培育项目机构目录"
    assert sheet["C3"].value == "机构名称"
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] is not None]
    assert len(rows) == 1
    assert rows[0][4] in ("Training institution", "培训机构") and rows[0][1] == "地区140000"
    assert "大数据工程技术人员（初级、中级、高级）" in rows[0][10]


def test_workbench_tiles_for_officials_only(client):
    from dte.catalogue.workbench import tiles

    titles = [t.title for t in tiles(officer("140000"))]
    assert titles == ["Occupation catalogue", "Institution catalogue", "Subsidy standards"] or titles == ["职业目录", "机构目录", "补贴标准"]
    assert tiles(UserFactory(role=Role.TRAINEE)) == []
