"""Browser tests (Debian's chromium via Playwright): a public complaint followed by its tracking
code, and an official's supervision day — monitor → risk signal → inspection → sanction."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from dte.web.tests.browser import CHROMIUM, browser  # noqa: F401  (a pytest fixture, used by name)
from dte.web.tests.test_e2e_browser import log_in, page  # noqa: F401  (fixtures)

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from dte.catalogue.models import InstitutionListing  # noqa: E402
from dte.catalogue.selectors import institution_bar_reason  # noqa: E402
from dte.registry.models import Enrolment  # noqa: E402
from dte.supervision.models import Complaint  # noqa: E402
from dte.workdays.services import calendar_seed_from_package  # noqa: E402

from .factories import clean_class, outside_attempt, world  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_public_complaint_is_followed_by_its_tracking_code(page):  # noqa: F811
    calendar_seed_from_package()
    w = world()
    page.goto("/supervision/public/complaint/")
    expect(page.locator("main h1")).to_have_text("投诉举报")
    expect(page.locator("main")).to_contain_text("12333")
    page.locator("select[name=institution]").select_option(str(w["taiyuan"].pk))
    page.locator("select[name=category]").select_option("attendance")
    page.locator("textarea[name=summary]").fill("老师让班长替没来的同学签到，已经好几次了。")
    page.locator("main button[type=submit]").click()
    expect(page.locator("main h1")).to_have_text("投诉已受理")
    code = page.locator("#tracking-code").inner_text().strip()
    assert Complaint.objects.get().tracking_code == code

    page.goto("/supervision/public/track/")
    page.locator("input[name=code]").fill(code)
    page.locator("main button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("已受理")
    expect(page.locator("main")).to_contain_text("考勤造假")
    expect(page.locator("main")).not_to_contain_text("替没来的同学")  # the text stays with the bureau


def test_an_officials_supervision_day(page):  # noqa: F811
    calendar_seed_from_package()
    w = world()
    officer = w["province"]
    officer.username = "e2e_supervisor"
    officer.save()
    klass = w["classes"][0]
    clean_class(klass)
    session = klass.sessions.first()
    for e in Enrolment.objects.filter(training_class=klass)[:3]:
        outside_attempt(e, session, distance=4100)

    log_in(page, "e2e_supervisor")
    page.goto("/supervision/monitor/")
    expect(page.locator("main h1")).to_have_text("期限监控")

    page.goto("/supervision/signals/")
    row = page.locator("main table tbody tr").first
    expect(row).to_contain_text("电子围栏外签到")
    expect(row).to_contain_text("4100")
    row.locator("select[name=kind]").select_option("on_site")
    row.locator("button", has_text="转为检查").click()
    page.wait_for_url(re.compile(r"/supervision/inspections/\d+/$"))
    expect(page.locator("main")).to_contain_text("风险预警")

    page.locator("select[name=severity]").select_option("major")
    page.locator("textarea[name=text]").fill("签到记录显示学员在4公里外签到，机构无法说明。")
    page.locator("button", has_text="记录问题").click()
    expect(page.locator("main")).to_contain_text("严重问题")

    sanction = page.locator("form:has(input[name=action][value=sanction])")
    sanction.locator("select[name=finding]").select_option(index=1)
    sanction.locator("select[name=kind]").select_option("suspended")
    sanction.locator("input[name=reason]").fill("考勤造假")
    sanction.locator("input[name=document]").fill("晋人社函〔2026〕9号")
    sanction.locator("input[name=effective_on]").fill((date.today() - timedelta(days=1)).isoformat())
    sanction.locator("button").click()
    expect(page.locator("main")).to_contain_text("晋人社函〔2026〕9号")
    assert InstitutionListing.objects.get(organisation=w["taiyuan"]).status == "suspended"
    assert institution_bar_reason(w["taiyuan"]) is not None
