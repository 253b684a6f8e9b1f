"""Dashboard figures for a hand-counted world, scoping by jurisdiction, the year filter,
access (officials only) and the Excel export."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dte.catalogue.models import Level
from dte.organisations.roles import Role
from dte.registry.models import TrainingClass
from dte.registry.tests.factories import PersonFactory, occupation, officer
from dte.reporting.selectors import dashboard
from dte.reporting.workbench import tiles

from .world import build_world

pytestmark = pytest.mark.django_db
AI = "2-02-10-09"


@pytest.fixture
def world():
    return build_world()


def status_label(value):
    return str(TrainingClass.Status(value).label)


def test_taiyuan_officer_counts_only_taiyuan(world):
    d = dashboard(world.taiyuan_officer)
    # p1-p3 live in Taiyuan; p4 lives in Datong but enrolled in a Taiyuan class; p5 (Datong only) is not seen.
    assert d.people_by_prefecture == [("太原市", 3), ("大同市", 1)]
    assert d.people_total == 4
    assert d.enrolments_by_occupation == [(occupation(AI).name, str(Level.JUNIOR.label), 3)]  # withdrawn e4 excluded
    assert d.classes_by_status == [(status_label("submitted"), 1), (status_label("in_training"), 1),
                                   (status_label("closed"), 1)]
    assert d.quotas_by_institution == []  # plans are the province's
    assert (d.applications["pending"], d.applications["overdue"]) == (1, 1)
    assert d.completion == {"decided": 3, "completed": 2, "not_completed": 1, "rate": pytest.approx(2 / 3)}
    assert d.certificates == {"valid": 2, "revoked": 0}
    assert d.certificates_by_month == [("2024-09", 1), ("2024-10", 1)]
    assert d.attendance == {"expected": 6, "attended": 3, "rate": 0.5}


def test_province_officer_sees_the_whole_province(world):
    d = dashboard(world.shanxi_officer)
    assert d.people_by_prefecture == [("太原市", 3), ("大同市", 2)]
    assert sorted(d.enrolments_by_occupation) == sorted([(occupation(AI).name, str(Level.JUNIOR.label), 3),
                                                         (occupation(AI).name, str(Level.INTERMEDIATE.label), 1)])
    assert dict(d.classes_by_status) == {status_label("submitted"): 1, status_label("in_training"): 1,
                                         status_label("completed"): 1, status_label("closed"): 1}
    assert d.quotas_by_institution == [("太原理工大学", 120, 50), ("大同职业学院", 50, 10)]
    assert (d.quota_places, d.quota_enrolled) == (170, 60)
    assert (d.applications["pending"], d.applications["overdue"]) == (2, 1)


def test_tianjin_officer_sees_none_of_shanxi(world):
    d = dashboard(world.tianjin_officer)
    assert d.people_by_prefecture == [("天津市市辖区", 2)]
    assert d.quotas_by_institution == [("天津职业大学", 80, 2)]
    assert (d.applications["pending"], d.applications["overdue"]) == (1, 1)
    assert d.completion["decided"] == 1 and d.certificates["valid"] == 1
    assert d.certificates_by_month == [("2024-10", 1)]
    assert d.attendance == {"expected": 2, "attended": 2, "rate": 1.0}
    assert dict(d.classes_by_status) == {status_label("in_training"): 1}


def test_year_filter(world):
    d = dashboard(world.shanxi_officer, 2023)
    assert d.classes_by_status == [(status_label("closed"), 1)]
    assert d.quotas_by_institution == [("太原理工大学", 20, 20)]
    assert d.people_total == 0 and d.enrolments_total == 0 and d.certificates["valid"] == 0
    assert dashboard(world.shanxi_officer, 2024).quotas_by_institution == [("太原理工大学", 100, 30), ("大同职业学院", 50, 10)]


def test_query_count_does_not_grow_with_rows(world):
    with CaptureQueriesContext(connection) as small:
        dashboard(world.shanxi_officer)
    for _ in range(25):
        PersonFactory()
    with CaptureQueriesContext(connection) as large:
        d = dashboard(world.shanxi_officer)
    assert d.people_total == 30
    assert len(large.captured_queries) == len(small.captured_queries) <= 15


def test_page_renders_charts_for_officials(client, world):
    client.force_login(world.taiyuan_officer)
    response = client.get(reverse("reporting:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 7
    assert "太原市" in html and "大同职业学院" not in html
    assert 'aria-label="' in html


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.AUDITOR, Role.THIRD_PARTY_EVALUATOR])
def test_other_officials_may_view(client, world, role):
    client.force_login(officer("140100", role))
    assert client.get(reverse("reporting:index")).status_code == 200


def test_trainee_and_training_staff_get_403(client, world):
    for user in (world.trainee, world.staff):
        client.force_login(user)
        assert client.get(reverse("reporting:index")).status_code == 403
        assert client.get(reverse("reporting:index") + "?export=xlsx").status_code == 403
        assert tiles(user) == []


def test_tile_for_officials(world):
    (tile,) = tiles(world.taiyuan_officer)
    assert tile.url == reverse("reporting:index")


def test_export_opens_with_openpyxl(client, world):
    client.force_login(world.shanxi_officer)
    response = client.get(reverse("reporting:index") + "?year=2024&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="statistics-2024.xlsx"'
    wb = load_workbook(io.BytesIO(response.content))
    assert len(wb.sheetnames) == 8
    quotas = wb["4"]
    assert "2024" in quotas["A1"].value and "山西省" in quotas["A1"].value
    rows = list(quotas.iter_rows(min_row=3, values_only=True))
    assert rows == [("太原理工大学", 100, 30), ("大同职业学院", 50, 10)]
    all_years = load_workbook(io.BytesIO(client.get(reverse("reporting:index") + "?export=xlsx").content))
    people = list(all_years["1"].iter_rows(min_row=2, values_only=True))
    assert len(people[0]) == 2 and people[1:] == [("太原市", 3), ("大同市", 2)]


def test_bad_year_is_ignored(client, world):
    client.force_login(world.shanxi_officer)
    response = client.get(reverse("reporting:index") + "?year=<script>")
    assert response.status_code == 200 and response.context["year"] is None
