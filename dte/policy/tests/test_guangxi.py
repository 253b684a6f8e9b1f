"""广西 (通知 2023-09-19) — 四(三): 800元/人, 每人每年只能享受一次, 同一职业同一等级不可重复."""

import pytest

from dte.policy.packs import get_pack

from .conftest import codes, quote

GUANGXI = "广西人社厅通知（2023-09-19）"


def _subsidy(date, code="2-02-10-09", level="junior"):
    return {"date": date, "kind": "training_subsidy", "occupation_code": code, "level": level, "amount_fen": 80000}


def test_800_yuan_per_person():
    decision = quote("guangxi")
    assert decision.eligible and decision.total_fen == 80000
    assert decision.items[0].citation.startswith(GUANGXI + " 四(三)")


def test_second_subsidy_in_same_year_refused_with_document_wording():
    decision = quote("guangxi", **{"course.start_date": "2026-09-01", "course.end_date": "2026-09-20"}, history=[_subsidy("2026-02-01")])
    assert not decision.eligible and decision.total_fen == 0
    reason = decision.reasons[0]
    assert reason.code == "ANNUAL_LIMIT_REACHED"
    assert "每人每年只能享受一次培训补贴" in reason.message
    assert "每人每年只能享受一次培训补贴" in reason.citation and reason.citation.startswith(GUANGXI + " 四(三)")


def test_subsidy_last_year_does_not_count_against_this_year():
    assert quote("guangxi", history=[_subsidy("2025-12-31")]).total_fen == 80000


def test_same_occupation_level_never_twice_even_years_apart():
    decision = quote("guangxi", history=[_subsidy("2020-05-01", "2-02-38-03", "junior")])
    assert codes(decision) == ["REPEAT_SAME_OCCUPATION_LEVEL"]


@pytest.mark.parametrize(
    "status, graduation_date, eligible",
    [
        ("employee", None, True),
        ("freelancer", None, True),
        ("unemployed", None, True),  # 拟从事
        ("graduate", "2020-06-30", True),
        ("student", "2026-06-30", True),  # 应届毕业生
        ("student", "2028-06-30", False),
        ("retired", None, False),  # not named among 各类从业人员
    ],
)
def test_target_group(status, graduation_date, eligible):
    assert quote("guangxi", **{"trainee.status": status, "trainee.graduation_date": graduation_date}).eligible is eligible


def test_level_certificate_required_but_no_online_cap():
    assert codes(quote("guangxi", **{"course.level_certificate": None})) == ["LEVEL_CERTIFICATE_MISSING"]
    assert quote("guangxi", **{"course.hours_online": 128}).eligible  # no cap stated in the notice


def test_forbidden_certificate_words():
    pack = get_pack("guangxi")
    found = pack.find_forbidden_certificate_words("全国数字技术工程师职业资格证书")
    assert {word for word, _ in found} == {"全国", "职业资格"}
    assert all(citation == GUANGXI + " 五(二)" for _, citation in found)
    assert pack.find_forbidden_certificate_words("大数据工程技术人员专业技术等级证书") == []
    assert get_pack("shanxi").find_forbidden_certificate_words("全国") == []


def test_province_confirmation_is_ten_working_days():
    confirmation = get_pack("guangxi").deadlines()["province_confirmation"]
    assert (confirmation.days, confirmation.unit) == (10, "working")
    assert get_pack("shanxi").deadlines()["province_confirmation"].unit == "calendar"


def test_forbidden_claims_history_is_dated():
    pack = get_pack("guangxi")
    from datetime import date

    assert [p for p, _ in pack.forbidden_claims(date(2023, 10, 1))] == ["培训贷"]
    assert "包过" in [p for p, _ in pack.forbidden_claims(date(2024, 1, 1))]
