"""Browser end-to-end (issue 13 items 11 and 13), in the Chinese UI: the province bureau creates an annual
plan and a quota on screen, an institution edits its returned filing in place and submits it again, the
bureau runs a policy-change simulation (values in ¥) and exports who gains and who loses; places are
picked with the province → prefecture → county chooser.

Debian's chromium (/usr/bin/chromium) through Playwright against pytest-django's live_server, as in
dte/web/tests/test_e2e_browser.py; skipped only where /usr/bin/chromium is missing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); CI installs it", allow_module_level=True)

from openpyxl import load_workbook  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from dte.jobs.models import Job  # noqa: E402
from dte.organisations.tests.factories import division  # noqa: E402
from dte.registry.models import AnnualPlan, PlanQuota, TrainingPlanFiling  # noqa: E402
from dte.registry.services_plans import filing_review, filing_submit  # noqa: E402
from dte.web.tests.browser import browser  # noqa: E402,F401  (a pytest fixture, used by name)
from dte.web.tests.test_e2e_browser import open_as, zh  # noqa: E402,F401  (pytest fixtures are used by name)

from .factories import filing, listed_institution, occupation, officer, staff  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)
ENGLISH = ("Annual plans", "New annual plan", "Add a quota", "Policy-change simulation", "Who gains and who loses",
           "Edit the filing", "Save and submit for filing", "whole prefecture", "Fee (", "fen", "basis points")


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def no_english(page) -> None:
    text = page.locator("main").inner_text()
    for phrase in ENGLISH:
        assert phrase not in text, f"English on a Chinese page: {phrase!r}"


def test_plan_quota_returned_filing_and_simulation_in_the_browser(open_as):
    division("140105", "小店区")
    division("140100", "太原市")
    division("140000", "山西省")
    school = listed_institution("140100", name="山西大学（E2E）")
    ai = occupation()
    province = officer("140000")
    teacher = staff(school)

    # 1. the province bureau creates the year's plan and gives the institution a quota
    bureau = open_as(province.username)
    bureau.goto("/registry/quotas/")
    submit(bureau, bureau.get_by_role("link", name=zh("New annual plan")))
    form = bureau.locator("main form[method=post]")
    form.locator("[name=year]").fill("2026")
    form.locator("[name=title]").fill("2026 年度数字技术工程师培训计划")
    form.locator("[name=document]").fill("晋人社厅发〔2026〕1号")
    submit(bureau, form.locator("button[type=submit]"))
    bureau.wait_for_url(re.compile(r"/registry/plans/\d+/$"))
    no_english(bureau)
    quota_form = bureau.locator("main form[method=post]")
    quota_form.locator("[name=institution]").select_option(str(school.pk))
    quota_form.locator("[name=occupation]").select_option(str(ai.pk))
    quota_form.locator("[name=places]").fill("120")
    submit(bureau, quota_form.locator("button[type=submit]"))
    expect(bureau.locator("main table")).to_contain_text("山西大学（E2E）")
    expect(bureau.locator("main table")).to_contain_text("120")
    plan = AnnualPlan.objects.get()
    assert PlanQuota.objects.get(plan=plan).places == 120
    submit(bureau, bureau.get_by_role("link", name=zh("Edit annual plan")))
    bureau.locator("main [name=title]").fill("2026 年度山西省数字技术工程师培训计划")
    submit(bureau, bureau.locator("main form[method=post] button[type=submit]"))
    expect(bureau.locator("main h1")).to_contain_text("2026 年度山西省数字技术工程师培训计划")

    # 2. a filing returned by the bureau is corrected in place and submitted again
    f = filing(school, exam_dates=["2026-10-20"], teachers=[{"name": "李明", "title": "教授", "qualification": "高级工程师"}])
    filing_submit(f, by=teacher)
    filing_review(f, accept=False, by=province, comment="请补充第二个实训场地")
    institution = open_as(teacher.username)
    institution.goto(f"/registry/filings/{f.pk}/")
    submit(institution, institution.get_by_role("link", name=zh("Edit the filing")))
    expect(institution.locator("main")).to_contain_text("请补充第二个实训场地")
    no_english(institution)
    venues = institution.locator("main [name=venues_text]")
    expect(venues).to_have_value("太原市小店区坞城路92号")  # what was filed is there: no starting over
    expect(institution.locator("main [name=teachers_text]")).to_have_value("李明 教授 高级工程师")
    venues.fill("太原市小店区坞城路92号\n山西大学实训楼 301")
    submit(institution, institution.get_by_role("button", name=zh("Save and submit for filing")))
    expect(institution.locator("main .badge").first).to_have_text(zh("Submitted"))
    f.refresh_from_db()
    assert (f.status, f.venues[-1]) == (TrainingPlanFiling.Status.SUBMITTED, "山西大学实训楼 301")

    # 3. places are chosen province → prefecture → county, not typed as codes
    institution.goto("/registry/people/new/")
    chooser = institution.locator("main")
    chooser.locator("select[data-division-level=province]").select_option("140000")
    chooser.locator("select[data-division-level=prefecture]").select_option("140100")
    places = chooser.locator("select[name=division] option[value]:not([value=''])")
    assert places.count() >= 2 and all(code.startswith("1401") for code in
                                       (places.nth(i).get_attribute("value") for i in range(places.count())))
    chooser.locator("select[name=division]").select_option("140105")

    # 4. the bureau simulates a lower cap (typed in ¥) and exports who loses
    bureau.goto("/policy/simulate/?province=shanxi")
    no_english(bureau)
    sim = bureau.locator("main form[method=post]")
    expect(sim.locator("[name=p_subsidy_cap_fen]")).to_have_value("5000")
    sim.locator("[name=p_subsidy_cap_fen]").fill("1000")
    sim.locator("[name=size]").fill("400")
    submit(bureau, bureau.get_by_role("button", name=zh("Run the simulation")))
    bureau.wait_for_url(re.compile(r"/policy/simulate/\d+/$"))
    expect(bureau.locator("main")).to_contain_text(zh("Who gains and who loses"), timeout=60_000)
    job = Job.objects.get(kind="policy.simulate")
    losers = job.result["counts"]["losers"]
    assert losers > 0
    expect(bureau.locator("main [data-count=losers]")).to_have_text(str(losers))
    expect(bureau.locator("main")).to_contain_text("¥1,000.00")
    no_english(bureau)
    with bureau.expect_download() as info:
        bureau.get_by_role("link", name=zh("Export the full list to Excel")).click()
    assert info.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).worksheets[0]
    assert sheet.max_row == 1 + losers and sheet.cell(1, 2).value == zh("Person")
