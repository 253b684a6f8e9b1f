"""Pack facts asked for a date, the not-in-force decision and flat-vs-table standards, pinned
down exactly (issue 13 item 18: survivors of the first mutation run of packs/base.py and the
province rules)."""

from datetime import date

from dte.policy.cases import parse_case
from dte.policy.engine import DatedValue
from dte.policy.packs import get_pack

from .conftest import case_dict, quote

BEFORE_TIANJIN = date(2022, 11, 29)


def test_not_in_force_decision_is_complete():
    decision = quote("tianjin", on=BEFORE_TIANJIN)
    assert (decision.province, decision.on, decision.eligible, decision.items) == ("tianjin", BEFORE_TIANJIN, False, [])
    assert decision.reference_dates["parameters"] == BEFORE_TIANJIN and decision.reference_dates["training_start"] == date(2026, 3, 1)
    assert decision.trace[0] == {"reference_date": "parameters", "date": "2022-11-29"}
    untraced = get_pack("tianjin").quote(parse_case(case_dict("tianjin")), on=BEFORE_TIANJIN, trace=False)
    assert untraced.trace == [] and untraced.reference_dates["eligibility"] == date(2026, 3, 1)


def test_facts_are_read_for_the_date_asked():
    tianjin = get_pack("tianjin")
    assert tianjin.online_cap(BEFORE_TIANJIN) == (None, "")
    assert tianjin.required_hours("2-02-10-11", "junior", BEFORE_TIANJIN) == (None, "")
    assert "class_review" not in tianjin.deadlines(BEFORE_TIANJIN) and "class_review" in tianjin.deadlines(date(2022, 11, 30))
    assert tianjin.title_for_level("junior", BEFORE_TIANJIN) is None
    guangxi = get_pack("guangxi")
    assert guangxi.forbidden_certificate_words(date(2023, 9, 18)) == []
    assert guangxi.find_forbidden_certificate_words("中国", date(2023, 9, 18)) == []
    assert guangxi.find_forbidden_claims("包过", date(2023, 9, 19)) == []  # only 培训贷 listed until 2023-12-04
    assert [p for p, _ in guangxi.find_forbidden_claims("包过", date(2023, 12, 4))] == ["包过"]
    assert guangxi.find_forbidden_claims("", date(2023, 12, 4)) == [] and guangxi.find_forbidden_certificate_words("") == []
    title = get_pack("shanxi").title_for_level("intermediate", date(2025, 1, 1))
    assert (title.level, title.citation) == ("intermediate", "晋人社厅发〔2024〕27号 五(二)")


def test_continuing_education_uses_the_case_date_and_says_nothing_where_it_does_not_count():
    case = parse_case(case_dict("tianjin"))
    assert get_pack("tianjin").continuing_education_hours(case) == (128, "津人社办发〔2022〕94号 三(一)")
    assert get_pack("tianjin").continuing_education_hours(case, BEFORE_TIANJIN) == (0, "")
    early = parse_case(case_dict("tianjin", **{"course.start_date": "2022-11-01", "course.end_date": "2022-11-20"}))
    assert get_pack("tianjin").continuing_education_hours(early) == (0, "")


def test_standards_flat_table_and_unpublished():
    guangxi = get_pack("guangxi")
    none = guangxi.parameters.with_overrides({"training_subsidy_fen": DatedValue(None, None, "未定")})
    [reason] = quote("guangxi", params=none).reasons
    assert (reason.code, reason.message, reason.effect) == ("STANDARD_NOT_PUBLISHED", "广西壮族自治区补贴标准未录入。", "pending")
    table = {"2-02-10-11": {"junior": {"amount_fen": 123400}}}
    for province in ("guangxi", "yunnan", "tibet"):
        params = get_pack(province).parameters.with_overrides({"training_subsidy_fen": DatedValue(table, None, "表")})
        assert quote(province, params=params).total_fen == 123400
        assert quote(province, params=params, **{"course.level": "senior"}).items == []


def test_yunnan_messages():
    retired = quote("yunnan", **{"trainee.status": "retired"}).reasons[0]
    assert retired.message == "已退休人员不属于培育对象范围。"
    missing = quote("yunnan", **{"trainee.status": "unemployed", "trainee.graduation_date": None}).reasons[0]
    assert missing.message == "未就业人员须为毕业年度或离校2年内的毕业生，缺少毕业日期。"
    window = quote("yunnan", **{"trainee.status": "graduate", "trainee.graduation_date": "2023-06-30"}).reasons[0]
    assert window.message == "毕业生须为毕业年度或离校2年内未就业（毕业日期：2023-06-30）。"


def test_shanxi_messages_and_uncapped_amount():
    from dte.policy.packs.shanxi.rules import amount_for_days

    assert amount_for_days(60, 10, 15000, 10000, None) == 650000 and amount_for_days(60, 10, 15000, 10000, 500000) == 500000

    def first(**changes):
        return quote("shanxi", **changes).reasons[0]

    assert first(**{"trainee.status": "retired"}).message == "已退休人员不属于培育对象（限应届毕业生及两年内离校未就业人员）。"
    assert first(**{"trainee.graduation_date": None}).message == "缺少毕业日期，无法判断是否为应届或两年内离校未就业毕业生。"
    assert first(**{"trainee.status": "student", "trainee.graduation_date": "2025-06-30"}).message == \
        "毕业日期 2025-06-30：既非应届毕业生，也不在离校2年内。"
    assert first(**{"trainee.status": None, "trainee.graduation_date": "2025-06-30"}).message == "离校2年内的毕业生须未就业，缺少就业情况。"
    assert first(**{"class": None, "trainee.employed_after_training": False}).message == \
        "缺少班级培训后就业情况，且该学员未报告就业，暂无法核定补贴。"
    assert first(**{"course.training_days": None}).message == "缺少培训天数，无法按天计算补贴。"
    low = {"size": 50, "employed_after_training": 39}
    assert first(**{"class": low}).message == "班级培训后就业率 39/50 = 78%，低于 80%，按实际就业人数申领；该学员已就业，计入补贴。"
    assert first(**{"class": low, "trainee.employed_after_training": False}).message == \
        "班级培训后就业率 39/50 = 78%，低于 80%，只按实际就业人数申领补贴；该学员培训后未就业，不予补贴。"
    capped = quote("shanxi", **{"course.training_days": 60})
    assert [(r.code, r.message) for r in capped.reasons] == [("CAPPED", "按天计算 6500 元，超过每人最高 5000 元，按上限补贴。")]
    assert quote("shanxi", **{"course.training_days": 0}).total_fen == 0 and quote("shanxi", **{"course.training_days": 0}).reasons == []


def test_citations_and_messages_of_the_remaining_branches():
    tianjin = "津人社办发〔2022〕94号"
    below = quote("tianjin", **{"course.hours_total": 100, "course.hours_online": 0}).reasons[0]
    assert below.citation == tianjin + " 附件3；三(四)（按职业技能培训费补贴最高标准享受补贴）"
    missing = quote("tianjin", **{"course.occupation_code": "2-02-38-13"}).reasons[0]
    assert missing.citation == below.citation
    vocational = quote("tianjin", **{"trainee.status": "student", "trainee.school_type": "vocational"}).reasons[0]
    assert (vocational.message, vocational.citation) == ("在校学生仅普通高校全日制学生可参加培训。", tianjin + " 二")
    undated = quote("tianjin", **{"trainee.status": "student", "trainee.graduation_date": None}).reasons[0]
    assert undated.message.endswith("（毕业日期：未提供）。")
    assert quote("yunnan", **{"trainee.status": None}).reasons[0].message == "缺少人员类别（在岗/在校/退休/毕业日期等），无法判断是否属于培育对象。"
    assert quote("guangxi", **{"course.level_certificate": None}).reasons[0].message == "未取得专业技术等级证书。"
    assert "ONLINE_HOURS_OVER_CAP" not in [r.code for r in quote("tianjin", **{"course.hours_online": None}).reasons]
