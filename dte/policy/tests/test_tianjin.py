"""天津 (津人社办发〔2022〕94号) — attachment 3 numbers, living allowance, attachment 4 limits."""

import pytest

from dte.policy.packs import get_pack

from .conftest import codes, quote

TIANJIN = "津人社办发〔2022〕94号"

# Attachment 3 exactly as printed: (code, level, hours, yuan)
ATTACHMENT_3 = [
    ("2-02-10-11", "junior", 128, 3519), ("2-02-10-11", "intermediate", 128, 4031), ("2-02-10-11", "senior", 160, 5838),
    ("2-02-10-15", "junior", 80, 2465), ("2-02-10-15", "intermediate", 64, 2759), ("2-02-10-15", "senior", 64, 4679),
    ("2-02-07-13", "junior", 90, 2778), ("2-02-07-13", "intermediate", 90, 3678), ("2-02-07-13", "senior", 80, 4482),
    ("2-02-10-12", "junior", 160, 3353), ("2-02-10-12", "intermediate", 160, 3993), ("2-02-10-12", "senior", 192, 5452),
    ("2-02-10-10", "junior", 128, 3002), ("2-02-10-10", "intermediate", 128, 3258), ("2-02-10-10", "senior", 160, 4937),
    ("2-02-10-09", "junior", 64, 2720), ("2-02-10-09", "intermediate", 80, 4026), ("2-02-10-09", "senior", 80, 4506),
    ("2-02-30-11", "junior", 60, 2102), ("2-02-30-11", "intermediate", 90, 3258), ("2-02-30-11", "senior", 120, 4654),
    ("2-02-10-13", "junior", 90, 2507), ("2-02-10-13", "intermediate", 120, 3663), ("2-02-10-13", "senior", 120, 4383),
    ("2-02-10-14", "junior", 120, 3350), ("2-02-10-14", "intermediate", 100, 3890), ("2-02-10-14", "senior", 100, 4890),
    ("2-02-09-06", "junior", 128, 3022), ("2-02-09-06", "intermediate", 128, 3278), ("2-02-09-06", "senior", 160, 4637),
]


def _course(code, level, hours, online=None):
    return {
        "course.occupation_code": code,
        "course.level": level,
        "course.hours_total": hours,
        "course.hours_online": hours // 2 if online is None else online,
    }


def test_worked_example_big_data_intermediate_128_hours():
    decision = quote("tianjin", **_course("2-02-10-11", "intermediate", 128, 60))
    assert decision.eligible
    assert [(i.kind, i.amount_fen, i.payee) for i in decision.items] == [
        ("training_subsidy", 403100, "institution"),
        ("living_allowance", 100000, "person"),
    ]
    assert decision.total_fen == 503100
    assert decision.items[0].citation.startswith(TIANJIN + " 附件3")
    assert decision.items[1].citation.startswith(TIANJIN + " 三(四)")
    assert {"parameter": "subsidy_standards[2-02-10-11][intermediate]", "value": {"hours": 128, "amount_fen": 403100},
            "citation": decision.items[0].citation, "effective_from": "2022-11-30"} in decision.trace


@pytest.mark.parametrize("code, level, hours, yuan", ATTACHMENT_3)
def test_attachment_3_amount_and_required_hours(code, level, hours, yuan):
    paid = quote("tianjin", **_course(code, level, hours))
    assert paid.items[0].amount_fen == yuan * 100
    assert get_pack("tianjin").required_hours(code, level)[0] == hours
    short = quote("tianjin", **_course(code, level, hours - 1))
    assert not short.eligible and codes(short) == ["HOURS_BELOW_REQUIREMENT"]


def test_occupation_outside_attachment_3_has_no_standard_yet():
    decision = quote("tianjin", **_course("2-02-38-13", "junior", 200))  # 密码工程技术人员
    assert decision.eligible and decision.total_fen == 0
    assert codes(decision) == ["STANDARD_NOT_PUBLISHED"] and decision.reasons[0].effect == "pending"


@pytest.mark.parametrize("online, eligible", [(64, True), (65, False)])
def test_online_hours_at_most_half(online, eligible):
    decision = quote("tianjin", **_course("2-02-10-11", "junior", 128, online))
    assert decision.eligible is eligible
    if not eligible:
        assert codes(decision) == ["ONLINE_HOURS_OVER_CAP"] and decision.reasons[0].citation == TIANJIN + " 三(四)"


def _subsidy(date, code="2-02-10-09", level="junior"):
    return {"date": date, "kind": "training_subsidy", "occupation_code": code, "level": level, "amount_fen": 272000}


@pytest.mark.parametrize(
    "status, graduation_date, history, eligible, code",
    [
        ("employee", None, [_subsidy("2026-01-10")], True, None),  # others: up to twice a year
        ("employee", None, [_subsidy("2026-01-10"), _subsidy("2026-02-10", "2-02-10-10")], False, "ANNUAL_LIMIT_REACHED"),
        ("student", "2026-07-01", [_subsidy("2026-01-10")], False, "ANNUAL_LIMIT_REACHED"),  # students once a year
        ("student", "2026-07-01", [_subsidy("2025-12-31")], True, None),  # last year's does not count
        ("employee", None, [_subsidy("2019-01-10", "2-02-10-11", "junior")], False, "REPEAT_SAME_OCCUPATION_LEVEL"),
        ("employee", None, [_subsidy("2025-01-10", "2-02-10-11", "senior")], False, "LOWER_LEVEL_AFTER_HIGHER"),
        ("employee", None, [_subsidy("2025-01-10", "2-02-10-09", "senior")], True, None),  # other occupation
    ],
)
def test_attachment_4_repeat_limits(status, graduation_date, history, eligible, code):
    decision = quote("tianjin", history=history, **{"trainee.status": status, "trainee.graduation_date": graduation_date})
    assert decision.eligible is eligible
    if code:
        assert code in codes(decision)
        assert next(r for r in decision.reasons if r.code == code).citation == TIANJIN + " 附件4 注"


@pytest.mark.parametrize(
    "status, graduation_date, eligible",
    [("student", "2026-06-30", True), ("student", "2027-06-30", False), ("retired", None, False), ("freelancer", None, True)],
)
def test_target_group(status, graduation_date, eligible):
    decision = quote("tianjin", **{"trainee.status": status, "trainee.graduation_date": graduation_date})
    assert decision.eligible is eligible


def test_both_certificates_needed():
    assert codes(quote("tianjin", **{"course.level_certificate": None})) == ["LEVEL_CERTIFICATE_MISSING"]
    assert codes(quote("tianjin", **{"course.training_certificate": False})) == ["TRAINING_CERTIFICATE_MISSING"]
    failed = quote("tianjin", **{"course.exam": {"theory_passed": True, "ability_passed": False}})
    assert codes(failed) == ["EXAM_NOT_PASSED"] and "专业能力考核" in failed.reasons[0].message


def test_deadlines_and_title():
    pack = get_pack("tianjin")
    deadlines = pack.deadlines()
    assert (deadlines["class_opening_application"].days, deadlines["class_opening_application"].unit, deadlines["class_opening_application"].direction) == (15, "calendar", "before")
    assert (deadlines["class_review"].days, deadlines["class_review"].unit) == (5, "working")
    assert (deadlines["subsidy_claim"].days, deadlines["subsidy_claim"].anchor) == (30, "assessment_end")
    assert "training_report" not in deadlines
    senior = pack.title_for_level("senior")
    assert (senior.title, senior.basis, senior.after_review) == ("高级工程师", "may_apply", "数字经济卓越工程师")
    assert pack.title_for_level("junior").title == "助理工程师"
