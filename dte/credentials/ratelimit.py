"""Per-client rate limit for the public verification: a fixed window of DTE_VERIFY_RATE ("count/seconds")
per client IP, counted in the shared Django cache (Redis in production) so that every worker sees the
same total.

To keep the lean path free of a cache round trip per request, each process counts locally and adds its
pending count to the shared counter in batches: a process syncs once its pending count reaches the
remaining headroom divided by SPREAD (capped at MAX_BATCH), and always while the client is near the limit
(the batch is then 1). The local view (last shared total + own pending) is exact with one process; with
up to SPREAD processes the limit cannot be overshot by more than the headroom left at their last sync.
A cache failure lets requests through (fail open): verification never answers 5xx because of it.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)
PREFIX = "dte:verify:rl:"
SPREAD = 8  # processes assumed to share one client's budget
MAX_BATCH = 100
_lock = threading.Lock()
_state: dict[str, list[int]] = {}  # ip → [window slot, pending (not yet shared), last shared total]


@lru_cache(maxsize=8)
def parse_rate(spec: str) -> tuple[int, int]:
    count, _, seconds = (spec or "30/60").partition("/")
    return max(1, int(count)), max(1, int(seconds or 60))


def _shared_add(key: str, amount: int, ttl: int) -> int:
    """Add to the shared counter and return its new total (one round trip on Redis)."""
    from .verification import shared_client

    client = shared_client()
    if client is not None:  # Redis: INCRBY and EXPIRE in one round trip
        full = cache.make_and_validate_key(key)
        pipe = client.pipeline()
        pipe.incrby(full, amount)
        pipe.expire(full, ttl)
        return int(pipe.execute()[0])
    if cache.add(key, amount, ttl):
        return amount
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired in between
        cache.add(key, amount, ttl)
        return amount


def throttle(ip: str) -> int | None:
    """Count this request; seconds to wait when the client is over the limit, else None."""
    count, window = parse_rate(settings.DTE_VERIFY_RATE)
    now = time.time()
    slot = int(now // window)
    retry = max(1, int((slot + 1) * window - now + 0.999))
    with _lock:
        state = _state.get(ip)
        if state is None or state[0] != slot:
            if len(_state) > 50_000:
                _state.clear()
            state = _state[ip] = [slot, 0, 0]
        state[1] += 1
        if state[2] + state[1] > count:
            return retry
        batch = max(1, min(MAX_BATCH, (count - state[2]) // SPREAD))
        pending = state[1] if state[1] >= batch else 0
        if pending:
            state[1] -= pending
    if not pending:
        return None
    try:
        total = _shared_add(f"{PREFIX}{ip}:{slot}", pending, window + 1)
    except Exception:  # noqa: BLE001 - the cache is down: let the request through rather than fail
        log.warning("verification rate limit unavailable", exc_info=True)
        return None
    with _lock:
        if state[0] == slot:
            state[2] = max(state[2], total)
    return retry if total > count else None


def reset() -> None:
    """Forget the local counts (tests; the shared counters expire with their window)."""
    with _lock:
        _state.clear()
