"""What the browser end-to-end tests of dte/web share (the `browser` fixture is in conftest.py): Debian's own
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
