import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_figures():
    """Each test starts without cached dashboards (the compiled statements stay: they depend on no row)."""
    cache.clear()
    yield
    cache.clear()
