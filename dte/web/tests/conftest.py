"""The one chromium launch shared by the browser end-to-end tests (the fixture lives in browser.py, so that
the e2e tests of other apps import the same one)."""

from .browser import browser  # noqa: F401  (a pytest fixture, used by name)
