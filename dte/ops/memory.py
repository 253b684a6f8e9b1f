"""Process-wide memory behaviour of long jobs."""

from __future__ import annotations

import contextlib
import gc
import threading

_LOCK = threading.Lock()
_PAUSES = [0, False]  # jobs running with the collector paused; whether it was on before the first


@contextlib.contextmanager
def collector_paused():
    """The cyclic garbage collector off for a job's row loop (issue 12 item 1, issue 10's claims): a roster or a
    claims chunk makes about ten objects a row, none of them in cycles that outlive it, yet each allocation burst
    triggers collections that walk every live object of the worker (measured: a third of an import commit's
    Python time, half of a claims run's). Reference counting still frees the rows; the collector is on again when
    the last such job in the process ends (counted: a threaded worker may run two at once), whatever happens,
    and then collects the young generations once."""
    with _LOCK:
        if _PAUSES[0] == 0:
            _PAUSES[1] = gc.isenabled()
            gc.disable()
        _PAUSES[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _PAUSES[0] -= 1
            if _PAUSES[0] == 0 and _PAUSES[1]:
                gc.enable()
                gc.collect(1)
