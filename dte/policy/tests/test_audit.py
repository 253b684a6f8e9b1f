"""Clause-by-clause audit of the five packs against the documents in the shared seeds.

Each table row is one rule of one document, with the document's own number and the
clause numbering as printed (e.g. 藏人社发〔2025〕13号 三(一)4 — item 4 under 三(一)).
"""

from datetime import date, timedelta

import pytest

from dte.policy.engine import describe
from dte.policy.packs import all_packs, get_pack

from .conftest import codes, quote

TIBET = "藏人社发〔2025〕13号"
SHANXI = "晋人社厅发〔2024〕27号"
GUANGXI = "广西人社厅通知（2023-09-19）"
TIANJIN = "津人社办发〔2022〕94号"
YUNNAN = "云人社通〔2023〕39号"


@pytest.mark.parametrize("pack", all_packs(), ids=lambda p: p.code)
def test_every_parameter_has_a_description_and_a_cited_value(pack):
    """`dte policy explain` must show, for every parameter, what it is and where it comes from."""
    for parameter in describe(pack.parameters):
        assert parameter["description"].strip(), f"{pack.code}.{parameter['name']} has no description"
        assert parameter["history"], f"{pack.code}.{parameter['name']} has no dated, cited value"
        assert all(v["citation"].strip() for v in parameter["history"]), f"{pack.code}.{parameter['name']}"


# (province, parameter, value in force, citation exactly as it should read)
CITED_VALUES = [
    # 藏人社发〔2025〕13号: the four modes are items 1-4 under 三(一)
    ("tibet", "subsidised_modes", ["subsidised"], TIBET + " 三(一)1、五(四)（纳入补贴性职业培训计划）"),
    ("tibet", "cross_province_allowed_modes", ["paired_aid"], TIBET + " 三(一)4"),
    # not in the document: a decision recorded for the policy owner (issue 13 item 9)
    ("tibet", "training_subsidy_payee", "person", "政策所有者决定 D-XZ-1（packs/DECISIONS.md）；" + TIBET + " 三(一)1 只写“落实参训人员职业培训补贴”"),
    ("tibet", "online_cap_bp", 5000, TIBET + " 四(二)"),
    ("tibet", "repeat_same_occupation_level", "one_year", TIBET + " 五(四)"),
    ("tibet", "retirees_excluded", True, TIBET + " 二（不包含已退休人员）"),
    ("tibet", "training_subsidy_fen", None, TIBET + " 五(四)（制定并公布全区数字技术领域职业（工种）培训补贴标准）"),
    # 晋人社厅发〔2024〕27号 五(四): 150 元 × 前10天, 100 元 after, ≤ 5000 元, 80 %
    ("shanxi", "subsidy_daily_first_days_fen", 15000, SHANXI + " 五(四)（每人每天150元）"),
    ("shanxi", "subsidy_first_days", 10, SHANXI + " 五(四)（培训前10天）"),
    ("shanxi", "subsidy_daily_after_fen", 10000, SHANXI + " 五(四)（之后每人每天100元）"),
    ("shanxi", "subsidy_cap_fen", 500000, SHANXI + " 五(四)（最高每人不超过5000元）"),
    ("shanxi", "employment_rate_threshold_bp", 8000, SHANXI + " 五(四)（就业率达到80%及以上的，按照培训人数全额拨付）"),
    ("shanxi", "repeat_same_occupation_level", "one_year", SHANXI + " 五(四)"),
    ("shanxi", "other_province_certificate_excluded", True, SHANXI + " 六(三)"),
    ("shanxi", "unemployed_graduate_window_years", 2, SHANXI + " 三（两年内离校未就业）"),
    # 广西 四(三): 800 元/人, 每人每年一次, 同一职业同一等级不可重复
    ("guangxi", "training_subsidy_fen", 80000, GUANGXI + " 四(三)（800元/人的培训补贴）"),
    ("guangxi", "repeat_same_occupation_level", "ever", GUANGXI + " 四(三)"),
    ("guangxi", "online_cap_bp", None, "人社厅发〔2021〕71号：“线上+线下”培训，未规定全国统一比例（上限由各省规定）"),
    # 津人社办发〔2022〕94号 三(四) and 附件4
    ("tianjin", "online_cap_bp", 5000, TIANJIN + " 三(四)"),
    ("tianjin", "living_allowance_fen", 100000, TIANJIN + " 三(四)（1000元的一次性生活费补贴）"),
    ("tianjin", "living_allowance_payee", "person", TIANJIN + " 附件4 二(二)"),
    ("tianjin", "training_subsidy_payee", "institution", TIANJIN + " 附件4 一(三)"),
    ("tianjin", "repeat_same_occupation_level", "ever", TIANJIN + " 附件4 注"),
    ("tianjin", "no_lower_level_after_higher", True, TIANJIN + " 附件4 注"),
    # 云人社通〔2023〕39号 四(四) 3: 拨付至培训机构，再由培训机构发放到补贴对象
    ("yunnan", "training_subsidy_payee", "institution", YUNNAN + " 四(四) 3（把关拨付至培训机构，再由培训机构发放到补贴对象）"),
    ("yunnan", "training_subsidy_onward_payee", "person", YUNNAN + " 四(四) 3"),
    ("yunnan", "training_subsidy_fen", None, YUNNAN + " 四(四)（补贴标准及补贴对象按照云南省职业技能提升行动相关规定执行）"),
    ("yunnan", "forbidden_claims", ["培训贷", "包过", "不过退费", "包就业", "包年薪"], YUNNAN + " 五(二)"),
]


@pytest.mark.parametrize("province, name, value, citation", CITED_VALUES)
def test_value_and_citation_match_the_document(province, name, value, citation):
    p = get_pack(province).parameters.bind(date(2026, 3, 1))
    assert p.get(name) == value
    assert p.citation(name) == citation


def test_clause_numbering_as_printed_everywhere():
    """Tibet's modes are items under 三(一) (not "三 1"); Guangxi's notice is cited one way."""
    baseline = get_pack("yunnan").parameters.parameters["subsidised_modes"].values[0].citation  # national value
    assert TIBET + " 三(一)1、2" in baseline
    for pack in all_packs():
        for parameter in pack.parameters.parameters.values():
            for dated in parameter.values:
                where = (pack.code, parameter.name)
                assert " 三 1" not in dated.citation and " 三 4" not in dated.citation, where
                assert "广西通知" not in dated.citation, where


# (province, deadline key, days, unit, anchor, direction, citation)
DEADLINES = [
    ("tibet", "training_report", 30, "calendar", "training_end", "after", TIBET + " 四(二)"),
    ("shanxi", "training_report", 30, "calendar", "training_end", "after", SHANXI + " 四(一)"),
    ("shanxi", "certificate_data_report", 30, "calendar", "assessment_end", "after", SHANXI + " 四(三)"),
    ("shanxi", "province_confirmation", 10, "calendar", "certificate_data_received", "after", SHANXI + " 四(三)"),
    ("shanxi", "certificate_issue", 30, "calendar", "national_review_passed", "after", SHANXI + " 四(三)"),
    ("guangxi", "training_report", 30, "calendar", "training_end", "after", GUANGXI + " 三(二)"),
    ("guangxi", "certificate_data_report", 30, "calendar", "assessment_end", "after", GUANGXI + " 三(三)"),
    ("guangxi", "province_confirmation", 10, "working", "certificate_data_received", "after", GUANGXI + " 三(三)"),  # 10个工作日
    ("guangxi", "certificate_issue", 30, "calendar", "national_review_passed", "after", GUANGXI + " 三(三)"),
    ("tianjin", "class_opening_application", 15, "calendar", "class_start", "before", TIANJIN + " 附件4 一(一)"),  # 提前15日
    ("tianjin", "class_review", 5, "working", "class_application", "after", TIANJIN + " 附件4 一(二)"),  # 5个工作日
    ("tianjin", "subsidy_claim", 30, "calendar", "assessment_end", "after", TIANJIN + " 附件4 一(二)"),
    ("yunnan", "class_materials", 15, "working", "class_start", "before", YUNNAN + " 四(四) 1"),  # 开班前15个工作日
]


@pytest.mark.parametrize("province, key, days, unit, anchor, direction, citation", DEADLINES)
def test_deadlines_calendar_or_working_days_as_written(province, key, days, unit, anchor, direction, citation):
    deadline = get_pack(province).deadlines(date(2026, 3, 1))[key]
    assert (deadline.days, deadline.unit, deadline.anchor, deadline.direction, deadline.citation) == (days, unit, anchor, direction, citation)


# (province, first day in force: the document's own date; Tibet: year of the number only)
IN_FORCE_FROM = [
    ("tibet", date(2025, 1, 1)),
    ("shanxi", date(2024, 5, 23)),  # 2024年5月23日印发
    ("guangxi", date(2023, 9, 19)),  # 2023年9月19日
    ("tianjin", date(2022, 11, 30)),  # 版记 2022年11月30日印发; 自印发之日起施行
    ("yunnan", date(2023, 12, 4)),  # 2023年12月4日
]


@pytest.mark.parametrize("province, first_day", IN_FORCE_FROM)
def test_effective_date_is_the_documents_own(province, first_day):
    before = quote(province, on=first_day - timedelta(days=1))
    assert codes(before) == ["POLICY_NOT_IN_FORCE"] and first_day.isoformat() in before.reasons[0].message
    assert "POLICY_NOT_IN_FORCE" not in codes(quote(province, on=first_day))


# Where a document can be read more than one way, the note says which reading the pack takes.
READINGS = [
    ("tibet", "home_province", "未载成文日期"),
    ("tibet", "subsidised_modes", "纳入补贴性职业培训计划"),
    ("tibet", "online_cap_bp", "一般不得超过"),
    ("tibet", "training_subsidy_payee", "记为个人"),
    ("shanxi", "subsidised_modes", "订单式、项目制"),
    ("shanxi", "level_certificate_required", "不含取得专业技术等级证书"),
    ("shanxi", "other_province_certificate_excluded", "报省人社厅批准"),
    ("shanxi", "title_recognition", "助理工程师"),
    ("guangxi", "training_subsidy_fen", "专项职业能力证书"),
    ("guangxi", "forbidden_claims", "未列举用语"),
    ("tianjin", "home_province", "2022年11月30日印发"),
    ("tianjin", "subsidy_standards", "不受证书等级限制"),
    ("tianjin", "online_cap_bp", "一般不得超过"),
    ("tianjin", "living_allowance_fen", "一次性"),
    ("yunnan", "target_statuses", "未就业人员须为毕业年度或离校2年内的毕业生"),
]


@pytest.mark.parametrize("province, name, phrase", READINGS)
def test_ambiguous_clauses_carry_the_reading_taken(province, name, phrase):
    dated = get_pack(province).parameters.parameters[name].at(date(2026, 3, 1))
    assert phrase in dated.note


# The worked examples in the documents' own numbers.
WORKED = [
    # 晋 五(四): 10 × 150 + 2 × 100 = 1700 元; class 40/50 = 80 % → full
    ("shanxi", {"course.training_days": 12, "class": {"size": 50, "employed_after_training": 40}}, True, [("training_subsidy", 170000, "institution")], []),
    # 60 days: 1500 + 50 × 100 = 6500 元 → cap 5000 元
    ("shanxi", {"course.training_days": 60}, True, [("training_subsidy", 500000, "institution")], ["CAPPED"]),
    # 39/50 = 78 % and this trainee not employed → nothing
    ("shanxi", {"class": {"size": 50, "employed_after_training": 39}, "trainee.employed_after_training": False}, False, [], ["EMPLOYMENT_RATE_BELOW_THRESHOLD"]),
    # 津 附件3 大数据工程技术人员 中级 128学时 4031元 + 三(四) 1000元 to the person
    ("tianjin", {"course.level": "intermediate", "course.hours_total": 128, "course.hours_online": 64}, True,
     [("training_subsidy", 403100, "institution"), ("living_allowance", 100000, "person")], []),
    # 广西 四(三): 800元/人; a second one in the same year is refused
    ("guangxi", {}, True, [("training_subsidy", 80000, "person")], []),
    ("guangxi", {"history": [{"date": "2026-01-05", "kind": "training_subsidy", "occupation_code": "2-02-10-09", "level": "junior", "amount_fen": 80000}]},
     False, [], ["ANNUAL_LIMIT_REACHED"]),
]


@pytest.mark.parametrize("province, changes, eligible, items, reason_codes", WORKED)
def test_worked_examples(province, changes, eligible, items, reason_codes):
    decision = quote(province, **changes)
    assert decision.eligible is eligible
    assert [(i.kind, i.amount_fen, i.payee) for i in decision.items] == items
    assert codes(decision) == reason_codes
    if "EMPLOYMENT_RATE_BELOW_THRESHOLD" in reason_codes:
        assert "80%" in decision.reasons[0].message and decision.reasons[0].citation.startswith(SHANXI + " 五(四)")
    if "ANNUAL_LIMIT_REACHED" in reason_codes:
        assert "每人每年只能享受一次" in decision.reasons[0].citation and decision.reasons[0].citation.startswith(GUANGXI + " 四(三)")
