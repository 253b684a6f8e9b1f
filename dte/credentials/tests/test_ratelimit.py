"""The per-client limit holds across processes sharing the cache: local counts are pushed to the shared
counter in batches that shrink to 1 near the limit."""

from dte.credentials import ratelimit


def test_limit_exact_in_one_process(settings):
    settings.DTE_VERIFY_RATE = "50/60"
    results = [ratelimit.throttle("10.0.0.1") for _ in range(51)]
    assert results[:50] == [None] * 50 and 1 <= results[50] <= 60
    assert ratelimit.throttle("10.0.0.2") is None  # another client has its own budget


def test_limit_shared_between_processes(settings):
    settings.DTE_VERIFY_RATE = "40/60"
    allowed = 0
    for _ in range(30):  # "process A"
        allowed += ratelimit.throttle("10.0.0.3") is None
    assert allowed == 30
    ratelimit.reset()  # "process B": no local memory of A's requests
    allowed_b = sum(ratelimit.throttle("10.0.0.3") is None for _ in range(40))
    assert allowed + allowed_b <= 40 + 40 // ratelimit.SPREAD  # bounded overshoot
    assert allowed_b < 40
