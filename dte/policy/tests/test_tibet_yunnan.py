"""西藏 (藏人社发〔2025〕13号) and 云南 (云人社通〔2023〕39号): no published amounts."""

from datetime import date

import pytest

from dte.policy.engine import DatedValue, parse_overrides
from dte.policy.packs import get_pack

from .conftest import codes, quote

TIBET = "藏人社发〔2025〕13号"
YUNNAN = "云人社通〔2023〕39号"


def test_tibet_standard_not_published_gives_reason_and_no_amount():
    decision = quote("tibet")
    assert decision.eligible and decision.items == [] and decision.total_fen == 0
    reason = decision.reasons[0]
    assert reason.code == "STANDARD_NOT_PUBLISHED" and reason.effect == "pending"
    assert reason.message == "西藏自治区补贴标准尚未公布，待录入。" and reason.citation == TIBET + " 五(四)"


def test_tibet_what_if_standard_supplied_as_override():
    pack = get_pack("tibet")
    params = pack.parameters.with_overrides(parse_overrides({"training_subsidy_fen": {"value": 150000, "effective_from": "2025-06-01"}}))
    decision = quote("tibet", params=params)
    assert decision.total_fen == 150000 and decision.items[0].payee == "person"
    assert "覆盖值" in decision.items[0].citation
    # before the what-if effective date the standard is still missing
    assert quote("tibet", params=params, on=date(2025, 5, 31)).total_fen == 0
    # the published pack itself is untouched: history is added to, never edited
    assert [v.value for v in pack.parameters.parameters["training_subsidy_fen"].values] == [None]


def test_tibet_override_table_by_occupation_and_level():
    params = get_pack("tibet").parameters.with_overrides(
        {"training_subsidy_fen": DatedValue({"2-02-10-11": {"junior": 120000}}, date(2025, 1, 1), "假设")}
    )
    assert quote("tibet", params=params).total_fen == 120000
    assert quote("tibet", params=params, **{"course.level": "senior"}).total_fen == 0


@pytest.mark.parametrize(
    "status, eligible, code",
    [("retired", False, "RETIREE_EXCLUDED"), ("employee", True, None), ("freelancer", True, None), ("student", False, "NOT_TARGET_GROUP")],
)
def test_tibet_target_group(status, eligible, code):
    decision = quote("tibet", **{"trainee.status": status})
    assert decision.eligible is eligible
    if code:
        assert codes(decision) == [code]
        assert decision.reasons[0].citation.startswith(TIBET + " 二")


@pytest.mark.parametrize("online, eligible", [(64, True), (65, False)])
def test_tibet_online_cap(online, eligible):
    decision = quote("tibet", **{"course.hours_online": online})
    assert decision.eligible is eligible
    if not eligible:
        assert decision.reasons[0].citation == TIBET + " 四(二)"


def test_tibet_modes_and_paired_aid_outside_tibet():
    assert codes(quote("tibet", **{"course.mode": "market"})) == ["MODE_NOT_SUBSIDISED"]
    # 对口援藏培训 happens in the supporting province: not a cross-province violation
    paired = quote("tibet", **{"course.mode": "paired_aid", "course.institution_province": "31"})
    assert codes(paired) == ["MODE_NOT_SUBSIDISED"]
    assert codes(quote("tibet", **{"course.institution_province": "31"})) == ["CROSS_PROVINCE_TRAINING"]


@pytest.mark.parametrize("history_date, eligible", [("2025-06-01", False), ("2024-06-01", True)])
def test_tibet_same_occupation_level_within_one_year(history_date, eligible):
    history = [{"date": history_date, "kind": "training_subsidy", "occupation_code": "2-02-10-11", "level": "junior", "amount_fen": 1}]
    assert quote("tibet", history=history).eligible is eligible


def test_yunnan_pending_amount_and_payee_chain():
    decision = quote("yunnan")
    assert decision.eligible and decision.total_fen == 0
    assert decision.reasons[0].code == "STANDARD_NOT_PUBLISHED" and decision.reasons[0].citation == YUNNAN + " 四(四)"
    params = get_pack("yunnan").parameters.with_overrides(parse_overrides({"training_subsidy_fen": 100000}))
    item = quote("yunnan", params=params).items[0]
    assert (item.amount_fen, item.payee, item.onward_payee) == (100000, "institution", "person")


@pytest.mark.parametrize(
    "status, graduation_date, eligible, code",
    [
        ("employee", None, True, None),
        ("freelancer", None, True, None),
        ("graduate", "2026-06-30", True, None),  # 毕业年度
        ("graduate", "2024-06-30", True, None),  # 离校2年内
        ("graduate", "2023-06-30", False, "GRADUATE_WINDOW_PASSED"),
        ("student", "2026-07-01", True, None),
        ("student", "2027-07-01", False, "GRADUATE_WINDOW_PASSED"),
        ("retired", None, False, "NOT_TARGET_GROUP"),
    ],
)
def test_yunnan_target_group(status, graduation_date, eligible, code):
    decision = quote("yunnan", **{"trainee.status": status, "trainee.graduation_date": graduation_date})
    assert decision.eligible is eligible
    if code:
        assert codes(decision) == [code] and decision.reasons[0].citation.startswith(YUNNAN + " 二")


def test_yunnan_no_repeat_limit_and_class_materials_deadline():
    history = [{"date": "2026-01-01", "kind": "training_subsidy", "occupation_code": "2-02-10-11", "level": "junior", "amount_fen": 1}]
    assert quote("yunnan", history=history).eligible  # the notice sets no repeat limit
    materials = get_pack("yunnan").deadlines()["class_materials"]
    assert (materials.days, materials.unit, materials.direction, materials.citation) == (15, "working", "before", YUNNAN + " 四(四) 1")
