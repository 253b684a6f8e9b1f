"""Property tests: the Shanxi amount is monotonic in days and never exceeds the cap;
a decision's total always equals the sum of its items and is never negative."""

from hypothesis import given, settings
from hypothesis import strategies as st

from dte.policy.cases import parse_case
from dte.policy.packs import get_pack
from dte.policy.packs.shanxi.rules import amount_for_days

from .conftest import case_dict

SHANXI = get_pack("shanxi")


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=400))
def test_shanxi_amount_monotonic_and_capped(a, b):
    low, high = sorted((a, b))
    quote_low = SHANXI.quote(parse_case(case_dict("shanxi", **{"course.training_days": low})), trace=False).total_fen
    quote_high = SHANXI.quote(parse_case(case_dict("shanxi", **{"course.training_days": high})), trace=False).total_fen
    assert quote_low <= quote_high <= 500000
    assert quote_low == amount_for_days(low, 10, 15000, 10000, 500000)


@settings(max_examples=200, deadline=None)  # a loaded shared machine must not fail it on time
@given(
    province=st.sampled_from(["tibet", "shanxi", "guangxi", "tianjin", "yunnan"]),
    status=st.sampled_from(["graduate", "employee", "unemployed", "freelancer", "student", "retired"]),
    level=st.sampled_from(["junior", "intermediate", "senior"]),
    hours=st.integers(min_value=1, max_value=300),
    online_share=st.integers(min_value=0, max_value=100),
    employed=st.integers(min_value=0, max_value=50),
)
def test_totals_are_sums_and_refusals_pay_nothing(province, status, level, hours, online_share, employed):
    case = parse_case(
        case_dict(
            province,
            **{
                "trainee.status": status,
                "course.level": level,
                "course.hours_total": hours,
                "course.hours_online": hours * online_share // 100,
                "class": {"size": 50, "employed_after_training": employed},
            },
        )
    )
    decision = get_pack(province).quote(case)
    assert decision.total_fen == sum(i.amount_fen for i in decision.items) >= 0
    if not decision.eligible:
        assert decision.items == [] and any(r.effect == "refuse" for r in decision.reasons)
    assert all(isinstance(i.amount_fen, int) and i.payee in ("institution", "person") for i in decision.items)
