"""The one chromium launch shared by the browser end-to-end tests of dte/web (test_e2e_browser.py,
test_e2e_chinese_ui.py)."""

import pytest

from .browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def browser():
    """Headless chromium for the whole module. Playwright's sync API keeps an event loop in a greenlet of this
    thread; Django's ORM calls made by the test itself (factories, the demo set-up) would otherwise be refused
    as "async unsafe". Restored when the module ends."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                yield chromium
            finally:
                chromium.close()
