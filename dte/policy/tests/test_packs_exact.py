"""Shared rules and pack facts pinned down exactly (issue 13 item 18): reason codes, effects,
citations and messages, the pending branches for missing inputs, boundary dates."""

from datetime import date

import pytest

from dte.policy.cases import parse_case
from dte.policy.engine import DatedValue, Parameter, ParameterSet
from dte.policy.packs import get_pack
from dte.policy.packs import common
from dte.policy.packs.shanxi.rules import amount_for_days

from .conftest import case_dict, codes, quote

SHANXI, TIANJIN, TIBET, GUANGXI, YUNNAN = ("晋人社厅发〔2024〕27号", "津人社办发〔2022〕94号", "藏人社发〔2025〕13号",
                                         "广西人社厅通知（2023-09-19）", "云人社通〔2023〕39号")


def reason(decision, code):
    [found] = [r for r in decision.reasons if r.code == code]
    return found


def test_money_and_year_helpers():
    assert common.yuan(500000) == "5000" and common.yuan(12345) == "123.45" and common.yuan(5) == "0.05"
    assert common.years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert common.years_before(date(2026, 3, 1), 2) == date(2024, 3, 1)
    assert common.years_after(date(2024, 2, 29), 2) == date(2026, 2, 28)
    assert common.years_after(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert common.amount_of({"amount_fen": 7}) == 7 and common.amount_of(9) == 9 and common.amount_of(None) is None


def test_graduation_helpers_on_the_reference_date():
    case = parse_case(case_dict("shanxi", **{"trainee.graduation_date": "2026-03-01"}))
    assert common.in_graduation_year(case, date(2026, 3, 1)) and not common.in_graduation_year(case, date(2027, 1, 1))
    assert common.left_school_within(case, date(2026, 3, 1), 2)  # graduating on the reference date
    assert not common.left_school_within(case, date(2026, 2, 28), 2)  # not yet left
    assert common.left_school_within(case, date(2028, 3, 1), 2) and not common.left_school_within(case, date(2028, 3, 2), 2)
    none = parse_case(case_dict("shanxi", **{"trainee.graduation_date": None}))
    assert not common.in_graduation_year(none, date(2026, 3, 1)) and not common.left_school_within(none, date(2026, 3, 1), 2)
    assert not common.in_graduation_academic_year(none, date(2026, 3, 1))


def test_cross_province_institution():
    decision = quote("shanxi", **{"course.institution_province": "11"})
    r = reason(decision, "CROSS_PROVINCE_TRAINING")
    assert r.effect == "refuse" and r.citation == SHANXI + " 六(二)" and r.message == "培训机构所在省份（11）不是本省（14），不得跨省开展培训，不予补贴。"
    assert "CROSS_PROVINCE_TRAINING" not in codes(quote("shanxi", **{"course.institution_province": None}))
    assert "CROSS_PROVINCE_TRAINING" not in codes(quote("tibet", **{"course.institution_province": "31", "course.mode": "paired_aid"}))
    assert "CROSS_PROVINCE_TRAINING" in codes(quote("tibet", **{"course.institution_province": "31"}))


def test_mode_not_subsidised_names_the_mode():
    r = reason(quote("shanxi", **{"course.mode": "market"}), "MODE_NOT_SUBSIDISED")
    assert r.message == "市场收费培训不属于补贴性职业培训，不享受职业培训补贴。" and r.citation == SHANXI + " 五(四)"
    assert quote("shanxi", **{"course.mode": "project"}).items[0].note == "项目制培训可分时段阶段性结算"
    assert quote("shanxi", **{"course.mode": "subsidised"}).items[0].note == ""


@pytest.mark.parametrize("online, refused", [(64, False), (65, True), (0, False)])
def test_online_cap_at_exactly_half(online, refused):
    decision = quote("tianjin", **{"course.hours_online": online})
    if refused:
        r = reason(decision, "ONLINE_HOURS_OVER_CAP")
        assert r.message == "线上培训 65 学时，占总学时 128 的 50.8%，超过 50% 上限。" and r.citation == TIANJIN + " 三(四)"
    else:
        assert decision.eligible and codes(decision) == []


def test_online_cap_needs_both_numbers():
    assert "ONLINE_HOURS_OVER_CAP" not in codes(quote("tibet", **{"course.hours_online": None}))
    assert "ONLINE_HOURS_OVER_CAP" not in codes(quote("tibet", **{"course.hours_total": 0, "course.hours_online": 0}))


def test_training_certificate_and_other_province_certificate():
    r = reason(quote("tianjin", **{"course.training_certificate": False}), "TRAINING_CERTIFICATE_MISSING")
    assert r.message == "未取得培训合格证书。" and r.effect == "refuse" and r.citation
    other = reason(quote("shanxi", **{"course.level_certificate": {"issued_on": "2026-04-20", "province": "11"}}), "CERTIFICATE_OTHER_PROVINCE")
    assert other.citation == SHANXI + " 六(三)" and "（11）" in other.message
    assert codes(quote("shanxi", **{"course.level_certificate": {"issued_on": "2026-04-20"}})) == []


def test_both_exams_named_when_both_failed():
    r = reason(quote("guangxi", **{"course.exam": {"theory_passed": False, "ability_passed": False}}), "EXAM_NOT_PASSED")
    assert r.message == "理论知识考试、专业能力考核未合格；两项均合格方可取得专业技术等级证书。"
    passed = quote("guangxi", **{"course.exam": {"theory_passed": True, "ability_passed": True}})
    assert passed.eligible and codes(passed) == []


def test_required_hours_pending_exact_and_below():
    missing = reason(quote("tianjin", **{"course.hours_total": None, "course.hours_online": None}), "HOURS_MISSING")
    assert missing.effect == "pending" and missing.message == "未提供培训学时，无法核对学时要求（128 学时）。"
    assert missing.citation.startswith(TIANJIN + " 附件3")
    assert codes(quote("tianjin", **{"course.hours_total": 128})) == []
    below = reason(quote("tianjin", **{"course.hours_total": 127, "course.hours_online": 0}), "HOURS_BELOW_REQUIREMENT")
    assert below.message == "培训 127 学时，少于补贴标准目录要求的 128 学时。" and below.effect == "refuse"
    assert quote("tianjin", **{"course.hours_total": None, "course.hours_online": None}).items == []


def test_pack_facts_other_apps_ask_for():
    tianjin = get_pack("tianjin")
    assert tianjin.required_hours("2-02-10-11", "senior", date(2026, 1, 1)) == (160, tianjin.parameters.bind(date(2026, 1, 1)).citation("subsidy_standards"))
    assert tianjin.required_hours("2-02-38-13", "junior") == (None, "")
    assert get_pack("shanxi").required_hours("2-02-10-11", "junior") == (None, "")
    assert tianjin.online_cap(date(2026, 1, 1)) == (5000, TIANJIN + " 三(四)")
    assert get_pack("shanxi").online_cap()[0] is None
    words = get_pack("guangxi").find_forbidden_certificate_words("中国数字技术培训证书")
    assert [w for w, _ in words] == ["中国"] and words[0][1] == GUANGXI + " 五(二)"
    assert get_pack("guangxi").find_forbidden_certificate_words(None) == [] and get_pack("guangxi").find_forbidden_claims(None) == []
    title = tianjin.title_for_level("senior")
    assert (title.title, title.basis, title.after_review) == ("高级工程师", "may_apply", "数字经济卓越工程师")
    assert get_pack("shanxi").title_for_level("junior").after_review == "" and get_pack("shanxi").title_for_level("grand") is None
    review = tianjin.deadlines()["class_review"]
    assert (review.key, review.days, review.unit, review.anchor, review.direction) == ("class_review", 5, "working", "class_application", "after")
    assert review.citation == TIANJIN + " 附件4 一(二)" and "training_report" not in tianjin.deadlines()
    described = get_pack("yunnan").describe()
    assert (described["code"], described["name"], described["division_code"]) == ("yunnan", "云南省", "530000")
    assert {"home_province", "target_statuses"} <= {p["name"] for p in described["parameters"]}


def test_continuing_education_hours_follow_the_certificate_rule():
    with_certificate = parse_case(case_dict("shanxi"))
    assert get_pack("shanxi").continuing_education_hours(with_certificate) == (128, SHANXI + " 五(一)")
    without = parse_case(case_dict("shanxi", **{"course.training_certificate": False}))
    assert get_pack("shanxi").continuing_education_hours(without) == (0, SHANXI + " 五(一)")
    no_hours = parse_case(case_dict("tianjin", **{"course.hours_total": None, "course.hours_online": None}))
    assert get_pack("tianjin").continuing_education_hours(no_hours)[0] == 0


def test_repeat_window_one_year_boundary_and_ever():
    def history(day, level="junior"):
        return [{"date": day, "kind": "training_subsidy", "occupation_code": "2-02-10-11", "level": level, "amount_fen": 1}]
    exact = quote("tibet", history=history("2025-03-01"))  # exactly one year before 2026-03-01: outside the window
    assert "REPEAT_SAME_OCCUPATION_LEVEL" not in codes(exact)
    inside = reason(quote("tibet", history=history("2025-03-02")), "REPEAT_SAME_OCCUPATION_LEVEL")
    assert inside.message == "2025-03-02 已享受同一职业同一等级（初级）培训补贴，一年内不可重复享受。" and inside.citation == TIBET + " 五(四)"
    # across 29 February: a subsidy on 2024-02-29 is within the year before 2025-02-28, not before 2025-03-01
    inside_leap = quote("tibet", history=history("2024-02-29"), **{"course.start_date": "2025-02-28", "course.end_date": "2025-03-20"})
    assert "REPEAT_SAME_OCCUPATION_LEVEL" in codes(inside_leap)
    after_leap = quote("tibet", history=history("2024-02-29"), **{"course.start_date": "2025-03-01", "course.end_date": "2025-03-20"})
    assert "REPEAT_SAME_OCCUPATION_LEVEL" not in codes(after_leap)
    ever = reason(quote("guangxi", history=history("2010-01-01")), "REPEAT_SAME_OCCUPATION_LEVEL")
    assert ever.message == "2010-01-01 已享受同一职业同一等级（初级）培训补贴，不可重复享受。"
    assert "REPEAT_SAME_OCCUPATION_LEVEL" not in codes(quote("guangxi", history=history("2025-01-01", "senior")))
    living = [{"date": "2026-01-01", "kind": "living_allowance", "amount_fen": 1}]
    assert "REPEAT_SAME_OCCUPATION_LEVEL" not in codes(quote("guangxi", history=living))


def test_annual_limit_wording_and_lower_level():
    history = [{"date": "2026-01-05", "kind": "training_subsidy", "occupation_code": "2-02-10-09", "level": "junior", "amount_fen": 1}]
    r = reason(quote("guangxi", history=history), "ANNUAL_LIMIT_REACHED")
    assert r.message == "2026 年已享受 1 次培训补贴。规定：每人每年只能享受一次培训补贴。" and r.effect == "refuse"
    lower = [{"date": "2025-01-05", "kind": "training_subsidy", "occupation_code": "2-02-10-11", "level": "intermediate", "amount_fen": 1}]
    low = reason(quote("tianjin", history=lower), "LOWER_LEVEL_AFTER_HIGHER")
    assert low.message == "已享受中级补贴，不得再享受初级补贴。" and low.citation == TIANJIN + " 附件4 注"
    same = [{**lower[0], "level": "junior", "date": "2019-01-01"}]
    assert "LOWER_LEVEL_AFTER_HIGHER" not in codes(quote("tianjin", history=same))
    no_level = [{**lower[0], "level": None}]
    assert "LOWER_LEVEL_AFTER_HIGHER" not in codes(quote("tianjin", history=no_level))


def test_standard_pending_and_payee_chain():
    yunnan = quote("yunnan")
    r = reason(yunnan, "STANDARD_NOT_PUBLISHED")
    assert r.effect == "pending" and r.message == "云南省补贴标准按云南省职业技能提升行动相关规定执行，尚未录入。"
    assert r.citation == YUNNAN + " 四(四)" and yunnan.eligible and yunnan.items == []
    params = get_pack("yunnan").parameters.with_overrides({"training_subsidy_fen": DatedValue(90000, None, "决定")})
    paid = quote("yunnan", params=params)
    [item] = paid.items
    assert (item.amount_fen, item.payee, item.onward_payee, item.citation) == (90000, "institution", "person", "决定")


def test_blocked_cases_compute_no_amount_and_are_not_in_force_before_the_document():
    pending = quote("shanxi", **{"trainee.graduation_date": None})
    assert pending.eligible and pending.items == [] and [r.effect for r in pending.reasons] == ["pending"]
    refused = quote("shanxi", **{"course.mode": "market"})
    assert not refused.eligible and refused.items == []
    early = quote("yunnan", on=date(2023, 12, 3))
    [r] = early.reasons
    assert r.code == "POLICY_NOT_IN_FORCE" and r.message == "2023-12-03 云南省实施方案尚未施行（自 2023-12-04 起施行）。"
    assert r.citation == YUNNAN + " 二（云南省）" and early.items == [] and not early.eligible


def test_shanxi_employment_and_days_branches():
    missing_days = reason(quote("shanxi", **{"course.training_days": None}), "TRAINING_DAYS_MISSING")
    assert missing_days.effect == "pending" and missing_days.citation == SHANXI + " 五(四)（每人每天150元）"
    unknown = quote("shanxi", **{"class": None, "trainee.employed_after_training": False})
    r = reason(unknown, "CLASS_EMPLOYMENT_UNKNOWN")
    assert r.effect == "pending" and unknown.items == [] and r.citation.startswith(SHANXI + " 五(四)（就业率")
    assert quote("shanxi", **{"class": None}).total_fen == 170000  # employed trainee, class unknown
    low = {"size": 50, "employed_after_training": 39}
    info = reason(quote("shanxi", **{"class": low}), "EMPLOYMENT_RATE_BELOW_THRESHOLD")
    assert info.effect == "info" and "39/50 = 78%" in info.message and "计入补贴" in info.message
    refused = quote("shanxi", **{"class": low, "trainee.employed_after_training": False})
    assert reason(refused, "EMPLOYMENT_RATE_BELOW_THRESHOLD").effect == "refuse" and refused.items == []
    at_cap = quote("shanxi", **{"course.training_days": 45})
    assert at_cap.total_fen == 500000 and "CAPPED" not in codes(at_cap)
    capped = reason(quote("shanxi", **{"course.training_days": 46}), "CAPPED")
    assert capped.message == "按天计算 5100 元，超过每人最高 5000 元，按上限补贴。" and capped.citation == SHANXI + " 五(四)（最高每人不超过5000元）"
    assert amount_for_days(-3, 10, 15000, 10000, 500000) == 0 and amount_for_days(10, 10, 15000, 10000, 100) == 100


def test_tianjin_standard_missing_and_amounts():
    missing = quote("tianjin", **{"course.occupation_code": "2-02-38-13"})
    r = reason(missing, "STANDARD_NOT_PUBLISHED")
    assert r.effect == "pending" and r.message == "天津市数字经济技术技能人才培训补贴标准目录未收录该职业的初级补贴标准，待录入。"
    assert missing.items == []
    paid = quote("tianjin")
    assert [(i.kind, i.amount_fen, i.payee) for i in paid.items] == [("training_subsidy", 351900, "institution"), ("living_allowance", 100000, "person")]
    assert paid.items[1].note == "培训结束后由培训机构提出申请，可在一年内申请" and paid.items[1].citation == TIANJIN + " 三(四)（1000元的一次性生活费补贴）"
    no_allowance = ParameterSet({"living_allowance_fen": Parameter("living_allowance_fen", values=[DatedValue(0, date(2022, 11, 30), "x")])})
    params = get_pack("tianjin").parameters.merged(no_allowance)
    assert [i.kind for i in quote("tianjin", params=params).items] == ["training_subsidy"]


@pytest.mark.parametrize("province, status, code, citation", [
    ("tibet", "retired", "RETIREE_EXCLUDED", TIBET + " 二（不包含已退休人员）"),
    ("tibet", "student", "NOT_TARGET_GROUP", None),
    ("guangxi", "retired", "NOT_TARGET_GROUP", GUANGXI + " 二"),
    ("tianjin", "retired", "NOT_TARGET_GROUP", TIANJIN + " 二"),
])
def test_target_group_refusals_cite_the_clause(province, status, code, citation):
    r = reason(quote(province, **{"trainee.status": status, "trainee.graduation_date": "2028-06-30"}), code)
    assert r.effect == "refuse" and r.message.endswith("。")
    assert r.citation == (citation or get_pack(province).parameters.bind(date(2026, 3, 1)).citation("target_statuses"))


def test_guangxi_student_only_in_graduation_year_message():
    r = reason(quote("guangxi", **{"trainee.status": "student", "trainee.graduation_date": "2027-06-30"}), "NOT_TARGET_GROUP")
    assert r.message == "在校学生仅应届毕业生属于培育对象。" and r.citation == GUANGXI + " 二"
    assert codes(quote("guangxi", **{"trainee.status": "student", "trainee.graduation_date": "2026-12-31"})) == []


def test_every_reason_code_in_the_packs_has_a_chinese_title():
    import re
    from pathlib import Path

    from dte.policy.reasons import REASON_TITLES, reason_title

    root = Path(get_pack("shanxi").parameter_file).parents[1]
    source = "".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    emitted = set(re.findall(r'Reason\(\s*"([A-Z_]+)"', source)) | set(re.findall(r'^\s+"([A-Z][A-Z_]{5,})",$', source, re.M))
    assert emitted and emitted <= set(REASON_TITLES), emitted - set(REASON_TITLES)
    assert reason_title("NOT_TARGET_GROUP") == "不属于培育对象" and reason_title("SOMETHING_NEW") == "其他原因"
