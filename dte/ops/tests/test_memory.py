import pytest

from dte.ops.memory import collector_paused
from dte.registry.errors import RegistryError


def test_the_garbage_collector_is_paused_per_job_and_always_back_on():
    """collector_paused (roster imports, claims runs): off while a job runs, nested/threaded jobs counted, on again
    after the last one ends — also when it ends with an error."""
    import gc

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a second job in the same worker
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RegistryError), collector_paused():
        raise RegistryError("x", code="X")
    assert gc.isenabled()
