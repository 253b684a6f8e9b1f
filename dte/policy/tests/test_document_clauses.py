"""Money and who-may-be-subsidised clauses of the five documents at their boundaries, with the
documents' own numbers (h6 audit, /work/notes/h6_table.md): the cases a held-out check would
build that the province test modules did not pin down yet."""

from datetime import date

import pytest

from dte.policy.packs import get_pack

from .conftest import codes, quote

SHANXI, TIANJIN, TIBET, GUANGXI, YUNNAN = ("晋人社厅发〔2024〕27号", "津人社办发〔2022〕94号", "藏人社发〔2025〕13号",
                                         "广西人社厅通知（2023-09-19）", "云人社通〔2023〕39号")


def subsidy(day, code="2-02-10-09", level="junior", kind="training_subsidy"):
    return {"date": day, "kind": kind, "occupation_code": code, "level": level, "amount_fen": 1}


# --- 晋人社厅发〔2024〕27号 五(四): 150 元 × first 10 days, 100 元 after, at most 5000 元 --------------


@pytest.mark.parametrize("days, yuan, capped", [
    (9, 1350, False), (10, 1500, False), (11, 1600, False),
    (44, 4900, False), (45, 5000, False), (46, 5000, True), (100, 5000, True),
])
def test_shanxi_daily_rates_around_day_10_and_the_5000_cap(days, yuan, capped):
    decision = quote("shanxi", **{"course.training_days": days})
    assert decision.eligible and decision.total_fen == yuan * 100
    assert ("CAPPED" in codes(decision)) is capped
    [item] = decision.items
    assert item.payee == "institution" and item.citation.startswith(SHANXI + " 五(四)")


@pytest.mark.parametrize("size, employed, trainee_employed, paid", [
    (5, 4, False, True),    # 4/5 = 80 %: 按照培训人数全额拨付 — the unemployed trainee is paid too
    (4, 3, False, False),   # 3/4 = 75 %: 按照实际就业人数申领 — not the unemployed trainee
    (4, 3, True, True),     # … but the employed one
    (10000, 7999, False, False),  # 79.99 % is below 80 %: no rounding up
    (1, 1, True, True),
])
def test_shanxi_80_percent_employment_rule(size, employed, trainee_employed, paid):
    decision = quote("shanxi", **{"class": {"size": size, "employed_after_training": employed},
                                  "trainee.employed_after_training": trainee_employed})
    assert decision.eligible is paid
    assert decision.total_fen == (170000 if paid else 0)


def test_shanxi_same_occupation_level_within_a_year_even_across_calendar_years():
    # course starts 2026-03-01; a subsidy on 2025-12-31 is within the year, one on 2025-03-01 is not
    inside = quote("shanxi", history=[subsidy("2025-12-31", "2-02-10-11")])
    assert codes(inside) == ["REPEAT_SAME_OCCUPATION_LEVEL"] and inside.total_fen == 0
    assert quote("shanxi", history=[subsidy("2025-03-01", "2-02-10-11")]).total_fen == 170000
    # 五(四) limits only the same occupation AND level; Shanxi sets no per-year count
    other = quote("shanxi", history=[subsidy("2026-01-05", "2-02-10-09"), subsidy("2026-02-01", "2-02-10-11", "senior")])
    assert other.total_fen == 170000


@pytest.mark.parametrize("province", ["shanxi", "tibet"])
@pytest.mark.parametrize("later, refused", [("2027-02-28", True), ("2027-03-01", False)])
def test_one_year_window_counts_a_later_training_claimed_first(province, later, refused):
    # 一年内不可重复享受 (晋 五(四), 藏 五(四)): course starts 2026-03-01; a same-occupation-level line of a
    # training starting 2027-02-28 is within a year of it, one starting 2027-03-01 is not
    decision = quote(province, history=[subsidy(later, "2-02-10-11")])
    assert ("REPEAT_SAME_OCCUPATION_LEVEL" in codes(decision)) is refused


# --- 津人社办发〔2022〕94号 ------------------------------------------------------------------------


@pytest.mark.parametrize("total, online, eligible", [(75, 37, True), (75, 38, False), (60, 30, True), (60, 31, False)])
def test_tianjin_online_half_of_an_odd_total(total, online, eligible):
    # 三(四) 线上培训课时一般不得超过培训总课时的50%: 37.5 of 75 hours is the limit; 数字化管理师 初级 needs 60 hours
    decision = quote("tianjin", **{"course.occupation_code": "2-02-30-11", "course.hours_total": total, "course.hours_online": online})
    assert decision.eligible is eligible
    if eligible:
        assert decision.items[0].amount_fen == 210200
    else:
        assert codes(decision) == ["ONLINE_HOURS_OVER_CAP"] and decision.reasons[0].citation == TIANJIN + " 三(四)"


def test_tianjin_twice_a_year_counts_calendar_years():
    # 附件4 注 其他人员每人每年最多可享受两次补贴: 2025-12-31 belongs to last year
    history = [subsidy("2025-12-31", "2-02-10-10"), subsidy("2026-01-02", "2-02-10-12")]
    assert quote("tianjin", history=history, **{"trainee.status": "employee"}).eligible
    history.append(subsidy("2026-02-01", "2-02-10-13"))
    refused = quote("tianjin", history=history, **{"trainee.status": "employee"})
    assert codes(refused) == ["ANNUAL_LIMIT_REACHED"] and "2026 年已享受 2 次" in refused.reasons[0].message


def test_tianjin_living_allowance_is_not_a_subsidy_counted_against_the_yearly_limit():
    # a student (once a year) whose only earlier entry this year is a living allowance of last year's training
    decision = quote("tianjin", history=[subsidy("2026-01-10", None, None, "living_allowance")],
                     **{"trainee.status": "student", "trainee.graduation_date": "2026-06-30"})
    assert decision.eligible and decision.items[0].amount_fen == 351900
    assert [r.code for r in decision.reasons] == ["LIVING_ALLOWANCE_ALREADY_GRANTED"]  # 一次性: once per person


@pytest.mark.parametrize("earlier, now, code", [
    ("senior", "intermediate", "LOWER_LEVEL_AFTER_HIGHER"),
    ("senior", "junior", "LOWER_LEVEL_AFTER_HIGHER"),
    ("intermediate", "junior", "LOWER_LEVEL_AFTER_HIGHER"),
    ("junior", "intermediate", None),  # a higher level after a lower one is allowed
    ("intermediate", "senior", None),
    ("intermediate", "intermediate", "REPEAT_SAME_OCCUPATION_LEVEL"),
])
def test_tianjin_no_lower_level_after_a_higher_one(earlier, now, code):
    # 附件4 注: 同一职业同一等级不得重复享受，已享受高等级补贴的，不得享受低等级补贴 (years apart)
    expected = {"junior": 351900, "intermediate": 403100, "senior": 583800}[now]
    decision = quote("tianjin", history=[subsidy("2020-05-01", "2-02-10-11", earlier)],
                     **{"course.level": now, "course.hours_total": 160, "course.hours_online": 0})
    if code:
        assert code in codes(decision) and not decision.eligible and decision.total_fen == 0
        assert next(r for r in decision.reasons if r.code == code).citation == TIANJIN + " 附件4 注"
    else:
        assert decision.eligible and decision.items[0].amount_fen == expected


@pytest.mark.parametrize("code", ["2-02-38-13", "2-02-38-12"])  # 密码工程、数据安全: named by Yunnan, not in 附件3
def test_tianjin_occupation_missing_from_attachment_3_pays_nothing_yet(code):
    decision = quote("tianjin", **{"course.occupation_code": code})
    assert decision.items == [] and codes(decision) == ["STANDARD_NOT_PUBLISHED"]
    assert decision.reasons[0].effect == "pending"


def test_tianjin_claim_deadline_is_30_calendar_days_after_the_exam():
    claim = get_pack("tianjin").deadlines(date(2025, 3, 3))["subsidy_claim"]
    assert (claim.days, claim.unit, claim.anchor, claim.direction) == (30, "calendar", "assessment_end", "after")
    assert claim.citation == TIANJIN + " 附件4 一(二)"


def test_a_deadline_binds_the_items_its_parameter_names():
    # 附件4 一(二) 报送名单并提出补贴申请: the training-fee claim; the living allowance has its own year (三(四))
    claim = get_pack("tianjin").deadlines(date(2025, 3, 3))["subsidy_claim"]
    assert claim.items == ("training_subsidy",) and claim.binds("training_subsidy") and not claim.binds("living_allowance")
    report = get_pack("guangxi").deadlines(date(2025, 3, 3))["training_report"]  # names no item: binds them all
    assert report.items == () and report.binds("training_subsidy") and report.binds("living_allowance")


# --- 广西人社厅通知（2023-09-19） 四(三): 800 元/人, one a year, never the same occupation+level twice ----


@pytest.mark.parametrize("code, level", [("2-02-09-06", "senior"), ("2-02-10-15", "intermediate"), ("2-02-38-13", "junior")])
def test_guangxi_800_is_flat_for_every_occupation_and_level(code, level):
    decision = quote("guangxi", **{"course.occupation_code": code, "course.level": level})
    assert decision.total_fen == 80000 and decision.items[0].payee == "person"


def test_guangxi_one_a_year_then_next_year_another_occupation():
    assert codes(quote("guangxi", history=[subsidy("2026-01-01", "2-02-10-09")])) == ["ANNUAL_LIMIT_REACHED"]
    assert quote("guangxi", history=[subsidy("2025-12-31", "2-02-10-09")]).total_fen == 80000
    # same occupation and level in an earlier year: never twice
    assert codes(quote("guangxi", history=[subsidy("2023-10-01", "2-02-10-11")])) == ["REPEAT_SAME_OCCUPATION_LEVEL"]


# --- 藏人社发〔2025〕13号 ------------------------------------------------------------------------


@pytest.mark.parametrize("status, graduation, eligible", [
    ("graduate", "2024-06-30", True),   # 全日制普通高校毕业生
    ("unemployed", None, True),         # 有意愿从事数字技术领域工作的技术技能人才
    ("employee", None, True),           # 在岗
    ("retired", None, False),           # 不包含已退休人员
])
def test_tibet_target_group(status, graduation, eligible):
    decision = quote("tibet", **{"trainee.status": status, "trainee.graduation_date": graduation})
    assert decision.eligible is eligible
    if not eligible:
        assert decision.reasons[0].citation == TIBET + " 二（不包含已退休人员）"


def test_tibet_one_year_window_and_both_certificates():
    # 五(四) 同一职业（工种）同一等级一年内不可重复享受; course starts 2026-03-01
    assert "REPEAT_SAME_OCCUPATION_LEVEL" in codes(quote("tibet", history=[subsidy("2025-03-02", "2-02-10-11")]))
    assert "REPEAT_SAME_OCCUPATION_LEVEL" not in codes(quote("tibet", history=[subsidy("2025-03-01", "2-02-10-11")]))
    # 五(四) 取得培训合格证书和专业技术等级证书的人员
    assert codes(quote("tibet", **{"course.level_certificate": None})) == ["LEVEL_CERTIFICATE_MISSING"]
    assert codes(quote("tibet", **{"course.training_certificate": False})) == ["TRAINING_CERTIFICATE_MISSING"]


# --- 云人社通〔2023〕39号 四(四) ------------------------------------------------------------------


def test_yunnan_certificates_before_subsidy_and_no_online_cap():
    # 3. 先缴后补、见证补贴: the level certificate comes first
    assert codes(quote("yunnan", **{"course.level_certificate": None})) == ["LEVEL_CERTIFICATE_MISSING"]
    assert codes(quote("yunnan", **{"course.training_certificate": False})) == ["TRAINING_CERTIFICATE_MISSING"]
    # the notice states no online share: 100 % online is not refused for it
    assert "ONLINE_HOURS_OVER_CAP" not in codes(quote("yunnan", **{"course.hours_online": 128}))
    assert get_pack("yunnan").online_cap(date(2026, 1, 1))[0] is None
