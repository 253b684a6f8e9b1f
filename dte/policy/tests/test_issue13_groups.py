"""Issue 13 items 1, 2, 3, 6, 7: who is covered, judged on the training's dates, from separate
facts. Each test quotes the clause it pins down."""

from datetime import date

import pytest

from dte.policy.cases import parse_case
from dte.policy.packs import get_pack
from dte.policy.packs.common import academic_year

from .conftest import case_dict, codes, quote

YUNNAN, SHANXI, TIANJIN = "云人社通〔2023〕39号", "晋人社厅发〔2024〕27号", "津人社办发〔2022〕94号"


def only(decision, code):
    [reason] = [r for r in decision.reasons if r.code == code]
    return reason


# --- item 1: 云人社通〔2023〕39号 二 -------------------------------------------------------
# “云南省在岗或拟从事数字技术领域工作的各类企业从业人员（含新就业形态劳动者、自由职业者）、
#  毕业年度及离校2年内未就业的高等院校、职业院校（含技工院校）毕业生”


@pytest.mark.parametrize(
    "trainee, eligible",
    [
        ({"status": "unemployed", "graduation_date": "2024-03-01"}, True),  # exactly 2 years before 2026-03-01
        ({"status": "unemployed", "graduation_date": "2024-03-02"}, True),
        ({"status": "graduate", "graduation_date": "2026-03-01"}, True),  # graduating on the reference date
        ({"status": "employee", "graduation_date": None}, True),  # 在岗
        ({"status": "freelancer", "graduation_date": None}, True),  # 自由职业者
        ({"status": None, "employed": True, "graduation_date": None}, True),  # the fact alone
        ({"status": "student", "employed": True, "graduation_date": "2026-07-01"}, True),  # 毕业年度, working student
    ],
)
def test_yunnan_groups_covered(trainee, eligible):
    decision = quote("yunnan", **{f"trainee.{k}": v for k, v in trainee.items()})
    assert decision.eligible is eligible and not [r for r in decision.reasons if r.effect in ("refuse", "pending")
                                                  and r.code != "STANDARD_NOT_PUBLISHED"]


def test_yunnan_unemployed_long_out_of_school_is_not_covered():
    decision = quote("yunnan", **{"trainee.status": "unemployed", "trainee.graduation_date": "2020-06-30"})
    reason = only(decision, "GRADUATE_WINDOW_PASSED")
    assert not decision.eligible and decision.items == [] and reason.effect == "refuse"
    assert reason.citation == YUNNAN + " 二（离校2年内未就业）" and "2020-06-30" in reason.message and "2年" in reason.message


def test_yunnan_window_across_29_february():
    # left school 2024-02-29: two years later is 2026-02-28, so 2026-03-01 is outside
    decision = quote("yunnan", **{"trainee.status": "unemployed", "trainee.graduation_date": "2024-02-29"})
    assert codes(decision) == ["GRADUATE_WINDOW_PASSED"]
    inside = quote("yunnan", **{"trainee.status": "unemployed", "trainee.graduation_date": "2024-02-29",
                                "course.start_date": "2026-02-28"})
    assert "GRADUATE_WINDOW_PASSED" not in codes(inside)


def test_yunnan_unemployed_without_graduation_date_is_pending_not_paid():
    decision = quote("yunnan", **{"trainee.status": "unemployed", "trainee.graduation_date": None})
    reason = only(decision, "GRADUATION_DATE_MISSING")
    assert reason.effect == "pending" and decision.items == [] and reason.citation.startswith(YUNNAN + " 二")


@pytest.mark.parametrize("province", ["yunnan", "tianjin", "guangxi", "tibet"])
def test_blank_status_without_facts_never_passes(province):
    decision = quote(province, **{"trainee.status": None})
    reason = only(decision, "TRAINEE_FACTS_MISSING")
    assert reason.effect == "pending" and decision.items == [] and decision.total_fen == 0
    assert reason.citation == get_pack(province).parameters.bind(date(2026, 3, 1)).citation("target_statuses")


def test_yunnan_retired_and_student_outside_graduation_year():
    assert codes(quote("yunnan", **{"trainee.status": "retired"})) == ["NOT_TARGET_GROUP"]
    decision = quote("yunnan", **{"trainee.status": "student", "trainee.graduation_date": "2027-07-01"})
    assert codes(decision) == ["GRADUATE_WINDOW_PASSED"] and decision.reasons[0].effect == "refuse"


# --- item 2: the training's dates, not the quote or claim date -----------------------------


def test_eligibility_judged_on_training_start_not_on_claim_date():
    # 晋人社厅发〔2024〕27号 三 “两年内离校未就业”: eligible when the training started (2026-02-20),
    # the claim months later (2026-09-01) does not undo it.
    changes = {"trainee.graduation_date": "2024-03-01", "course.start_date": "2026-02-20", "course.end_date": "2026-03-10"}
    decision = quote("shanxi", on=date(2026, 9, 1), **changes)
    assert decision.eligible and decision.total_fen == 170000
    assert decision.reference_dates["eligibility"] == date(2026, 2, 20)
    assert decision.reference_dates["parameters"] == date(2026, 9, 1)
    assert {"reference_date": "eligibility", "date": "2026-02-20"} in decision.trace
    assert decision.to_dict()["reference_dates"]["training_start"] == "2026-02-20"


def test_enrolment_date_when_no_start_date_and_claim_date_recorded():
    data = case_dict("shanxi", **{"trainee.graduation_date": "2024-03-01", "course.start_date": None,
                                  "course.end_date": None, "course.enrolment_date": "2026-02-25"})
    data["claim_date"] = "2026-10-01"
    decision = get_pack("shanxi").quote(parse_case(data), on=date(2026, 10, 1))
    assert decision.eligible and decision.reference_dates["eligibility"] == date(2026, 2, 25)
    assert decision.reference_dates["claim"] == date(2026, 10, 1)
    assert {"reference_date": "claim", "date": "2026-10-01"} in decision.trace
    late = get_pack("shanxi").quote(parse_case({**data, "course": {**data["course"], "enrolment_date": "2026-03-02"}}))
    assert codes(late) == ["GRADUATE_WINDOW_PASSED"]  # enrolled one day after the two years ended


def test_repeat_window_and_annual_limit_count_from_the_training_date():
    # 晋人社厅发〔2024〕27号 五(四) “同一职业（工种）同一等级一年内不可重复享受”
    history = [{"date": "2025-03-01", "kind": "training_subsidy", "occupation_code": "2-02-10-11", "level": "junior", "amount_fen": 1}]
    later_claim = quote("shanxi", on=date(2026, 9, 1), history=history, **{"trainee.graduation_date": "2026-06-30"})
    assert "REPEAT_SAME_OCCUPATION_LEVEL" not in codes(later_claim)
    near = quote("shanxi", history=history, **{"trainee.graduation_date": "2026-06-30", "course.start_date": "2026-02-28"})
    assert only(near, "REPEAT_SAME_OCCUPATION_LEVEL").citation == SHANXI + " 五(四)"


# --- item 3: 晋人社厅发〔2024〕27号 三 “数字技术相关专业应届毕业生及两年内离校未就业……的人员” ----------


@pytest.mark.parametrize(
    "trainee, code, effect",
    [
        ({"status": "employee", "graduation_date": "2026-06-30"}, None, None),  # 应届 and employed: no condition
        ({"status": "graduate", "employed": True, "graduation_date": "2026-01-15"}, None, None),
        ({"status": "employee", "graduation_date": "2025-06-30"}, "NOT_TARGET_GROUP", "refuse"),
        ({"status": None, "graduation_date": "2025-06-30"}, "EMPLOYMENT_STATUS_MISSING", "pending"),
        ({"status": "graduate", "graduation_date": None}, "GRADUATION_DATE_MISSING", "pending"),
        ({"status": "graduate", "retired": True, "graduation_date": "2026-06-30"}, "NOT_TARGET_GROUP", "refuse"),
        ({"status": "student", "graduation_date": "2025-06-30"}, "GRADUATE_WINDOW_PASSED", "refuse"),  # still in school
        ({"status": "unemployed", "graduation_date": "2023-12-31"}, "GRADUATE_WINDOW_PASSED", "refuse"),
    ],
)
def test_shanxi_separate_facts(trainee, code, effect):
    decision = quote("shanxi", **{f"trainee.{k}": v for k, v in trainee.items()})
    if code is None:
        assert decision.eligible and decision.total_fen == 170000 and codes(decision) == []
        return
    reason = only(decision, code)
    assert reason.effect == effect and decision.total_fen == 0 and reason.citation.startswith(SHANXI + " 三")


def test_shanxi_messages_name_the_group():
    employed = quote("shanxi", **{"trainee.status": "employee", "trainee.graduation_date": "2025-06-30"})
    assert "已就业" in employed.reasons[0].message and employed.reasons[0].citation == SHANXI + " 三（两年内离校未就业）"
    retired = quote("shanxi", **{"trainee.status": "retired"})
    assert "已退休" in retired.reasons[0].message and retired.reasons[0].citation == SHANXI + " 三"


# --- item 6: 津人社办发〔2022〕94号 二 “普通高校全日制毕业学年学生” ---------------------------------


@pytest.mark.parametrize(
    "on, first, last",
    [(date(2026, 3, 1), date(2025, 9, 1), date(2026, 8, 31)), (date(2026, 9, 1), date(2026, 9, 1), date(2027, 8, 31)),
     (date(2026, 8, 31), date(2025, 9, 1), date(2026, 8, 31))],
)
def test_academic_year_runs_1_september_to_31_august(on, first, last):
    assert academic_year(on) == (first, last)


@pytest.mark.parametrize(
    "start, graduation, code",
    [
        ("2026-03-01", "2026-08-31", None),
        ("2026-03-01", "2026-09-01", "NOT_GRADUATION_ACADEMIC_YEAR"),  # within 12 months, but next academic year
        ("2026-08-31", "2027-06-30", "NOT_GRADUATION_ACADEMIC_YEAR"),
        ("2026-09-01", "2027-06-30", None),
        ("2026-03-01", "2025-09-01", None),
    ],
)
def test_tianjin_student_only_in_graduation_academic_year(start, graduation, code):
    end = start  # a one-day course keeps the dates coherent
    decision = quote("tianjin", **{"trainee.status": "student", "trainee.graduation_date": graduation,
                                   "course.start_date": start, "course.end_date": end, "course.training_days": 1})
    if code is None:
        assert "NOT_GRADUATION_ACADEMIC_YEAR" not in codes(decision) and decision.eligible
    else:
        reason = only(decision, code)
        assert reason.citation == TIANJIN + " 二" and reason.effect == "refuse" and graduation in reason.message


@pytest.mark.parametrize("facts", [{"school_type": "vocational"}, {"school_type": "technical"}, {"full_time": False}])
def test_tianjin_student_must_be_full_time_university(facts):
    decision = quote("tianjin", **{"trainee.status": "student", "trainee.graduation_date": "2026-06-30",
                                   **{f"trainee.{k}": v for k, v in facts.items()}})
    assert codes(decision) == ["NOT_TARGET_GROUP"] and "全日制" in decision.reasons[0].message
    ok = quote("tianjin", **{"trainee.status": "student", "trainee.graduation_date": "2026-06-30",
                             "trainee.school_type": "university", "trainee.full_time": True})
    assert ok.eligible and codes(ok) == []


# --- item 7: 津人社办发〔2022〕94号 “本方案自印发之日起施行”, 版记 “2022年11月30日印发” ------------------


def test_tianjin_in_force_from_30_november_2022():
    before = quote("tianjin", on=date(2022, 11, 29))
    assert codes(before) == ["POLICY_NOT_IN_FORCE"] and "2022-11-30" in before.reasons[0].message
    assert "印发之日起施行" in before.reasons[0].citation
    assert quote("tianjin", on=date(2022, 11, 30)).eligible
