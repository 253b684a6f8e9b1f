"""Issue 13 item 11: the policy-change simulation on a page — choose a pack, change values in ¥/%/days,
run it as a background job over a synthetic or the real population, see the counts and the full list of
who gains and who loses, export it to Excel."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from dte.jobs.models import Job
from dte.organisations.roles import Role
from dte.policy import simulate as sim
from dte.policy.packs import get_pack
from dte.policy.services import PolicyInputError
from dte.policy.services_simulation import (
    changed_values, editable_parameters, shown_value, simulation_run, simulation_start,
)
from dte.registry.tests.factories import officer, staff, listed_institution

pytestmark = pytest.mark.django_db


def test_editable_parameters_are_the_simple_ones_with_their_values_in_force():
    params = {p.name: p for p in editable_parameters("shanxi", date(2026, 6, 1))}
    assert params["subsidy_cap_fen"].value == 500000 and params["subsidy_cap_fen"].unit == "fen"
    assert params["employment_rate_threshold_bp"].value == 8000
    assert "（分）" not in params["subsidy_cap_fen"].label  # the page asks for ¥, the label must not say 分
    assert "subsidy_standards" not in params and "forbidden_claims" not in params  # tables and lists stay in the pack
    assert shown_value("fen", 500000) == "¥5,000.00" and shown_value("basis_points", 8000) == "80%"


def test_changed_values_keeps_only_what_differs():
    assert changed_values("shanxi", {"subsidy_cap_fen": 500000, "subsidy_first_days": 12}, date(2026, 6, 1)) == {
        "subsidy_first_days": 12}


def test_lower_cap_makes_losers_and_the_totals_match_the_cli_engine():
    """The page's totals before and after agree with simulate.run (the CLI) on the same population."""
    result, workbook = simulation_run(province="shanxi", changes={"subsidy_cap_fen": 100000}, population="demo", size=600, seed=3)
    c = result["counts"]
    pack = get_pack("shanxi")
    before = sim.run("shanxi", sim.demo_tasks(600, 3), pack.parameters, workers=1)
    assert c["cases"] == 600 and c["invalid"] == before["invalid"]
    assert (c["eligible_before"], c["total_before_fen"]) == (before["eligible"], before["total_fen"])
    assert c["losers"] > 0 and c["gainers"] == 0
    assert c["total_before_fen"] - c["loss_fen"] == c["total_after_fen"]
    assert result["changed_total"] == c["losers"] == len(result["changed"])
    assert all(r["after_fen"] <= 100000 and r["delta_fen"] < 0 for r in result["changed"])
    assert result["changes_shown"] == [{"label": result["changes_shown"][0]["label"], "before": "¥5,000.00", "after": "¥1,000.00"}]
    rows = list(load_workbook(io.BytesIO(workbook.read())).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + c["losers"]  # the full list, one row per person who loses
    assert round(sum(row[7] for row in rows[1:]) * 100) == -c["loss_fen"]
    assert sorted(row[0] for row in rows[1:]) == sorted(r["ref"] for r in result["changed"])
    deltas = [abs(r["delta_fen"]) for r in result["changed"]]
    assert deltas == sorted(deltas, reverse=True)  # the page lists the largest changes first


def test_the_page_keeps_the_largest_changes_and_the_file_keeps_all(monkeypatch):
    from dte.policy import services_simulation

    monkeypatch.setattr(services_simulation, "LIST_LIMIT", 5)
    result, workbook = simulation_run(province="shanxi", changes={"subsidy_cap_fen": 100000}, population="demo", size=600, seed=3)
    rows = list(load_workbook(io.BytesIO(workbook.read())).worksheets[0].iter_rows(values_only=True))[1:]
    assert result["truncated"] and len(result["changed"]) == 5 and len(rows) == result["changed_total"] > 5
    assert [r["delta_fen"] for r in result["changed"]] == sorted((round(row[7] * 100) for row in rows))[:5]


def test_a_broader_rule_makes_gainers_newly_eligible():
    result, _ = simulation_run(province="shanxi", changes={"unemployed_graduate_window_years": 5}, population="demo",
                               size=800, seed=1)
    c = result["counts"]
    assert c["gainers"] > 0 and c["newly_eligible"] > 0 and c["losers"] == 0
    gained = result["changed"][0]
    assert gained["eligible_after"] and not gained["eligible_before"] and gained["reasons_before"]


def test_only_officials_start_a_simulation_and_bad_input_is_refused():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        simulation_start(province="shanxi", changes={"subsidy_cap_fen": 1}, population="demo", size=10,
                         by=staff(listed_institution("140100")))
    with pytest.raises(PolicyInputError):
        simulation_start(province="shanxi", changes={"no_such": 1}, population="demo", size=10, by=officer("140000"))


def test_real_population_uses_the_registry_facts_in_scope():
    from dte.registry.models import Enrolment
    from dte.registry.tests.factories import PersonFactory, TrainingClassFactory

    school = listed_institution("140100")
    klass = TrainingClassFactory(institution=school, start_date=date(2026, 3, 2), end_date=date(2026, 3, 31))
    for _ in range(3):
        Enrolment.objects.create(training_class=klass, person=PersonFactory(), status=Enrolment.Status.COMPLETED)
    province = officer("140000")
    result, _ = simulation_run(province="shanxi", changes={"training_certificate_required": False},
                               population="registry", user=province)
    assert result["size"] == 3 and result["counts"]["cases"] == 3
    tianjin = officer("120000")
    assert simulation_run(province="shanxi", changes={"subsidy_cap_fen": 1}, population="registry", user=tianjin)[0]["size"] == 0


# --- the pages --------------------------------------------------------------------------------------------


def _post(form_context, **values):
    form = form_context["form"]
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    data.update(values)
    return data


def test_simulation_page_runs_a_job_and_shows_gainers_losers_and_the_export(client, django_capture_on_commit_callbacks):
    client.force_login(officer("140000"))
    page = client.get("/policy/simulate/?province=shanxi")
    html = page.content.decode()
    assert page.status_code == 200 and "每人补贴上限" in html and "（¥）" in html and "分）" not in html
    assert page.context["form"]["p_subsidy_cap_fen"].value() == "5000"  # shown in ¥
    assert page.context["form"]["p_employment_rate_threshold_bp"].value() == "80"  # shown in %
    unchanged = client.post("/policy/simulate/", _post(page.context, population="demo", size="200"))
    assert unchanged.status_code == 200 and unchanged.context["form"].non_field_errors()
    with django_capture_on_commit_callbacks(execute=True):  # the job runs as it does without REDIS_URL
        response = client.post("/policy/simulate/", _post(page.context, population="demo", size="300", p_subsidy_cap_fen="1000"))
    job = Job.objects.get(kind="policy.simulate")
    assert response.url == f"/policy/simulate/{job.pk}/"
    assert job.status == Job.Status.SUCCEEDED and job.params["changes"] == {"subsidy_cap_fen": 100000}
    result = client.get(response.url)
    html = result.content.decode()
    assert "受益与受损名单" in html and "¥1,000.00" in html and f"/jobs/{job.pk}/file" in html
    losers = client.get(response.url + "?show=lose").context["page"].paginator.count
    assert losers == job.result["counts"]["losers"] > 0
    assert client.get(response.url + "?show=gain").context["page"].paginator.count == 0
    export = client.get(f"/jobs/{job.pk}/file")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content)).worksheets[0]
    assert sheet.max_row == 1 + losers


def test_size_error_is_shown_beside_its_field(client):
    client.force_login(officer("140000"))
    page = client.get("/policy/simulate/?province=guangxi")
    response = client.post("/policy/simulate/", _post(page.context, population="demo", size="", p_training_subsidy_fen="900"))
    assert "size" in response.context["form"].errors


def test_institution_staff_and_trainees_have_no_simulation_page(client):
    client.force_login(staff(listed_institution("140100")))
    assert client.get("/policy/simulate/").status_code == 403
    local = officer("140100", role=Role.LOCAL_OFFICER)
    client.force_login(local)
    assert client.get("/policy/simulate/").status_code == 200
