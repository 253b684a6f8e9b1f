"""What the browser end-to-end tests share — the `browser` fixture (one headless chromium per module): Debian's own
chromium (/usr/bin/chromium, never a downloaded browser; CI installs it) and how it is started."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # without these the closed network makes chromium's background fetches fail the launch
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def require_chromium() -> None:
    """Call at a test module's top, before importing Playwright (a test extra): skips the module where
    chromium is missing."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); CI installs it", allow_module_level=True)


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
