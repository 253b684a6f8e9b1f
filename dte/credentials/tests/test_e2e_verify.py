"""Browser test of the public verification page (Playwright driving Debian's /usr/bin/chromium against
live_server): number + name, a wrong name, the QR token page, a revoked certificate and the PDF check."""

from __future__ import annotations

from pathlib import Path

import pytest

from dte.credentials.services import level_certificate_bytes, level_certificate_set_status

from .factories import evaluation_staff, issue_one

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); CI installs it", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from dte.web.tests.browser import CHROMIUM_ARGS  # noqa: E402
from dte.web.tests.test_e2e_browser import TIMEOUT_MS  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(live_server):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            context = browser.new_context(base_url=live_server.url, locale="zh-CN")
            context.set_default_timeout(TIMEOUT_MS)
            try:
                yield context.new_page()
            finally:
                browser.close()


def search(page, number: str, name: str) -> None:
    page.goto("/credentials/verify/")
    page.fill("input[name=number]", number)
    page.fill("input[name=name]", name)
    page.locator("form:has(input[name=number]) button[type=submit]").click()


def test_public_verification_in_the_browser(page, tmp_path):
    cert = issue_one()
    search(page, cert.number, "张三")
    result = page.locator("[data-testid=verify-result]")
    expect(result.locator(".badge.ok")).to_be_visible()
    expect(result).to_contain_text("张三")
    expect(result).to_contain_text(cert.issuer_name)
    expect(result).to_contain_text(cert.snapshot["holder"]["id_masked"])

    search(page, cert.number, "李四")
    expect(page.locator("[data-testid=verify-none]")).to_be_visible()
    expect(page.locator("[data-testid=verify-result]")).to_have_count(0)

    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(level_certificate_bytes(cert))
    page.goto("/credentials/verify/")
    page.set_input_files("input[name=file]", str(pdf))
    page.locator("form:has(input[name=file]) button[type=submit]").click()
    expect(page.locator("[data-testid=pdf-match]")).to_be_visible()
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(pdf.read_bytes().replace(b"/Title", b"/Titl2", 1))
    page.set_input_files("input[name=file]", str(edited))
    page.locator("form:has(input[name=file]) button[type=submit]").click()
    expect(page.locator("[data-testid=pdf-mismatch]")).to_be_visible()

    level_certificate_set_status(cert, "revoked", by=evaluation_staff(cert.issuer), reason="考试舞弊")
    page.goto(f"/credentials/v/{cert.token}/")
    badge = page.locator("[data-testid=verify-result] .badge.bad")
    expect(badge).to_be_visible()
    cert.refresh_from_db()
    expect(badge).to_contain_text(cert.status_changed_at.astimezone().date().isoformat()[:4])
    expect(page.locator("main")).not_to_contain_text("考试舞弊")
    page.goto("/credentials/v/" + "z" * 32 + "/")
    expect(page.locator("[data-testid=verify-none]")).to_be_visible()
