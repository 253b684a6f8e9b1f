"""Browser end-to-end tests: Playwright for Python driving Debian's chromium (/usr/bin/chromium,
never a downloaded browser) against pytest-django's live_server.

CI installs chromium (.ci/run); the module is skipped only where /usr/bin/chromium is missing.
A failing test leaves a full-page screenshot in var/e2e/<test name>.png."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division
from dte.web.tests.browser import require_chromium

require_chromium()

from playwright.sync_api import expect  # noqa: E402  (after the skip: playwright is a test extra)

SCREENSHOTS = Path(settings.PROJECT_DIR) / "var" / "e2e"
PASSWORD = "Test@12345"
TIMEOUT_MS = 15_000

# Shanxi's worked example (晋人社厅发〔2024〕27号): 12 training days, class of 50 with 40 employed.
SHANXI_WORKED_EXAMPLE = {
    "trainee": {"birth_date": "2001-05-01", "status": "graduate", "graduation_date": "2025-06-30",
                "employed_after_training": True},
    "course": {
        "occupation_code": "2-02-10-11", "level": "junior", "mode": "subsidised", "institution_province": "14",
        "start_date": "2026-03-01", "end_date": "2026-03-20", "training_days": 12, "hours_total": 128,
        "hours_online": 60, "training_certificate": True,
        "level_certificate": {"issued_on": "2026-04-20", "province": "14"},
    },
    "class": {"size": 50, "employed_after_training": 40},
    "history": [],
}

pytestmark = pytest.mark.django_db(transaction=True)

# Announcements are public only until the class opens.
OPENING = date.today() + timedelta(days=60)


@pytest.fixture
def page(browser, request, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:  # the call phase of this test has just failed
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    context.close()


def province_officer(username: str):
    bureau = OrganisationFactory(name="山西省人力资源和社会保障厅", kind=Organisation.Kind.BUREAU, division=division("140000", "山西省"))
    return UserFactory(username=username, role=Role.PROVINCE_OFFICER, organisation=bureau)


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def test_login_workbench_and_language_switch(page):
    officer = province_officer("e2e_officer")

    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main h1")).to_have_text("登录")

    page.locator("input[name=username]").fill(officer.username)
    page.locator("input[name=password]").fill("wrong-password")
    page.locator("main button[type=submit]").click()
    expect(page.locator("main p.error")).to_be_visible()  # a wrong password keeps us on the login page

    log_in(page, officer.username)
    expect(page.locator("main h1")).to_have_text("工作台")
    expect(page.locator("main")).to_contain_text("山西省人力资源和社会保障厅")
    tiles = page.locator(".tiles a.tile")
    expect(tiles.first).to_be_visible()
    assert tiles.count() >= 1
    first_link = tiles.first.get_attribute("href")
    assert first_link and first_link.startswith("/")

    page.locator("header select[name=language]").select_option("en")  # onchange submits the form
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Workbench")
    expect(page.locator("header")).to_contain_text("Log out")

    page.locator("header select[name=language]").select_option("zh-hans")
    expect(page.locator("main h1")).to_have_text("工作台")


def test_tiles_lead_somewhere_that_renders(page):
    officer = province_officer("e2e_tiles")
    log_in(page, officer.username)
    hrefs = [a.get_attribute("href") for a in page.locator(".tiles a.tile").all()]
    assert hrefs, "a province officer's workbench has tiles"
    for href in hrefs:
        response = page.goto(href)
        assert response is not None and response.status < 400, f"tile {href} answered {response and response.status}"
        expect(page.locator("main")).to_be_visible()


def test_policy_calculator_computes_the_shanxi_worked_example(page):
    officer = province_officer("e2e_calculator")
    log_in(page, officer.username)

    page.goto("/policy/calculator/?province=shanxi")
    expect(page.locator("main h1")).to_have_text("政策计算器")
    expect(page.locator("select[name=province]")).to_have_value("shanxi")
    page.locator("textarea[name=case]").fill(json.dumps(SHANXI_WORKED_EXAMPLE, ensure_ascii=False, indent=2))
    page.locator("textarea[name=parameters]").fill("")
    page.locator("input[name=on]").fill(date(2026, 3, 1).isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    expect(page.locator("[role=alert]")).to_have_count(0)
    decision = page.locator("main h2").first
    expect(decision).to_contain_text("¥1700.00")  # money shown in yuan with two decimals, not fen
    decision_json = json.loads(page.locator("main details pre").text_content() or "")
    assert decision_json["eligible"] is True and decision_json["total_fen"] == 170000  # 1,700 ¥
    first_row = page.locator("main table").first.locator("tr").nth(1)
    expect(first_row).to_contain_text("¥1700.00")
    expect(first_row).to_contain_text("晋人社厅发〔2024〕27号")

    # a broken case is refused with a visible input error, not a server error
    page.locator("textarea[name=case]").fill("{oops")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[role=alert]")).to_contain_text("JSON")


def test_public_announcements_and_registration_render_anonymously(page):
    from dte.registry.models_plans import Announcement
    from dte.registry.tests.factories import TrainingClassFactory

    klass = TrainingClassFactory(title="人工智能工程技术人员初级培训班E2E期", start_date=OPENING)
    Announcement.objects.create(training_class=klass, text="面向社会公开招生", fee_fen=0, venue="太原市小店区",
                                published=True, published_at=timezone.now())
    Announcement.objects.create(training_class=TrainingClassFactory(title="未发布的培训班", start_date=OPENING), text="草稿",
                                venue="太原市", published=False)

    response = page.goto("/registry/public/announcements/")
    assert response is not None and response.status == 200
    assert "/login/" not in page.url  # public: no login
    articles = page.locator("main article.card")
    expect(articles).to_have_count(1)
    expect(articles.first.locator("h2")).to_have_text(klass.title)
    expect(articles.first).to_contain_text("太原市小店区")
    expect(page.locator("main")).not_to_contain_text("未发布的培训班")

    page.locator("main a[href='/registry/public/register/']").click()
    page.wait_for_url(re.compile(r"/registry/public/register/$"))
    for field in ("name", "id_number", "phone", "password"):
        expect(page.locator(f"main form [name={field}]")).to_have_count(1)


# Shared with the path tests in dte/registry and dte/training.
@pytest.fixture
def open_as(browser, live_server, request):
    """open_as(username or None, **context options) → a page in its own browser context, logged in."""
    pages = []

    def open_page(username: str | None = None, **options):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900},
                                      accept_downloads=True, **options)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        pages.append(page)
        if username:
            log_in(page, username)
        return page

    failed_before = request.session.testsfailed
    yield open_page
    failed = request.session.testsfailed > failed_before
    for n, page in enumerate(pages):
        if failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{n}.png"), full_page=True)
        page.context.close()


def zh(label) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(str(label))
