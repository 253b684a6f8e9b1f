import pytest
from django.core.cache import cache

from dte.credentials import verification


@pytest.fixture(autouse=True)
def _fresh_verification_state(settings):
    """Each test starts with empty rate-limit counters and answer cache, and logs written at once."""
    cache.clear()
    verification.discard_pending()
    settings.DTE_VERIFY_LOG_BATCH = 1
    yield
    cache.clear()
    verification.discard_pending()
