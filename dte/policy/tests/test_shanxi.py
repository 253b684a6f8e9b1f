"""山西 (晋人社厅发〔2024〕27号) — numbers from 五(四): 150元/天 × 前10天, 100元/天 after, cap 5000元,
full subsidy at ≥80 % class employment, otherwise only for employed trainees."""

import pytest

from dte.policy.packs.shanxi.rules import amount_for_days

from .conftest import codes, quote

SHANXI = "晋人社厅发〔2024〕27号"


@pytest.mark.parametrize(
    "days, expected_fen",
    [
        (0, 0),
        (1, 15000),
        (10, 150000),
        (11, 160000),
        (12, 170000),  # worked example
        (45, 500000),  # 150000 + 35 × 10000 = 500000, exactly the cap
        (46, 500000),
        (60, 500000),  # worked example: 650000 uncapped → 500000
    ],
)
def test_amount_by_training_days(days, expected_fen):
    decision = quote("shanxi", **{"course.training_days": days})
    assert decision.eligible
    assert decision.total_fen == expected_fen
    assert all(item.payee == "institution" for item in decision.items)


def test_worked_example_12_days_class_50_with_40_employed():
    decision = quote("shanxi", **{"course.training_days": 12, "class": {"size": 50, "employed_after_training": 40}})
    assert decision.total_fen == 170000
    assert decision.items[0].citation.startswith(SHANXI + " 五(四)")


def test_60_days_capped_with_reason():
    decision = quote("shanxi", **{"course.training_days": 60})
    assert decision.total_fen == 500000
    capped = [r for r in decision.reasons if r.code == "CAPPED"]
    assert capped and capped[0].effect == "reduce" and "5000" in capped[0].message


def test_employment_78_percent_unemployed_trainee_gets_nothing():
    decision = quote(
        "shanxi",
        **{"class": {"size": 50, "employed_after_training": 39}, "trainee.employed_after_training": False},
    )
    assert not decision.eligible
    assert decision.total_fen == 0 and decision.items == []
    reason = decision.reasons[0]
    assert reason.code == "EMPLOYMENT_RATE_BELOW_THRESHOLD"
    assert "80%" in reason.message and "78%" in reason.message
    assert reason.citation.startswith(SHANXI + " 五(四)") and "80%" in reason.citation


def test_employment_78_percent_employed_trainee_is_paid():
    decision = quote("shanxi", **{"class": {"size": 50, "employed_after_training": 39}})
    assert decision.eligible and decision.total_fen == 170000
    assert codes(decision) == ["EMPLOYMENT_RATE_BELOW_THRESHOLD"] and decision.reasons[0].effect == "info"


def test_exactly_80_percent_pays_everyone():
    decision = quote("shanxi", **{"class": {"size": 50, "employed_after_training": 40}, "trainee.employed_after_training": False})
    assert decision.eligible and decision.total_fen == 170000


@pytest.mark.parametrize(
    "status, graduation_date, eligible, code",
    [
        ("graduate", "2026-06-30", True, None),  # 应届毕业生
        ("student", "2026-07-01", True, None),  # graduating this year
        ("graduate", "2024-03-02", True, None),  # left school < 2 years before 2026-03-01
        ("unemployed", "2024-03-01", True, None),  # exactly two years
        ("unemployed", "2024-02-28", False, "GRADUATE_WINDOW_PASSED"),
        ("student", "2027-06-30", False, "GRADUATE_WINDOW_PASSED"),
        ("employee", "2025-06-30", False, "NOT_TARGET_GROUP"),
        ("freelancer", "2025-06-30", False, "NOT_TARGET_GROUP"),
        ("retired", "1985-06-30", False, "NOT_TARGET_GROUP"),
    ],
)
def test_target_group(status, graduation_date, eligible, code):
    decision = quote("shanxi", **{"trainee.status": status, "trainee.graduation_date": graduation_date})
    assert decision.eligible is eligible
    if code:
        assert code in codes(decision)
        assert decision.total_fen == 0


def test_certificate_from_another_province_not_subsidised():
    decision = quote("shanxi", **{"course.level_certificate": {"issued_on": "2026-04-20", "province": "11"}})
    assert not decision.eligible
    reason = decision.reasons[0]
    assert reason.code == "CERTIFICATE_OTHER_PROVINCE" and reason.citation == SHANXI + " 六(三)"


def test_cross_province_institution_refused():
    decision = quote("shanxi", **{"course.institution_province": "110000"})
    assert codes(decision) == ["CROSS_PROVINCE_TRAINING"] and decision.reasons[0].citation == SHANXI + " 六(二)"


@pytest.mark.parametrize(
    "history_date, level, eligible",
    [
        ("2025-03-02", "junior", False),  # within one year of 2026-03-01
        ("2025-03-01", "junior", True),  # exactly one year ago: no longer "within one year"
        ("2025-12-01", "intermediate", True),  # other level
    ],
)
def test_same_occupation_level_not_twice_within_one_year(history_date, level, eligible):
    history = [{"date": history_date, "kind": "training_subsidy", "occupation_code": "2-02-38-03", "level": level, "amount_fen": 170000}]
    decision = quote("shanxi", history=history)
    assert decision.eligible is eligible
    if not eligible:
        assert codes(decision) == ["REPEAT_SAME_OCCUPATION_LEVEL"]
        assert decision.reasons[0].citation == SHANXI + " 五(四)"


def test_market_mode_not_subsidised_and_order_mode_settled_per_order():
    assert codes(quote("shanxi", **{"course.mode": "market"})) == ["MODE_NOT_SUBSIDISED"]
    order = quote("shanxi", **{"course.mode": "order"})
    assert order.total_fen == 170000 and order.items[0].note == "订单式培训一单一结算"


def test_amount_helper_never_negative():
    assert amount_for_days(-5, 10, 15000, 10000, 500000) == 0
