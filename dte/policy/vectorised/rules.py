"""The vector twin of every eligibility and subsidy rule, each beside the rule (and so the clause) it mirrors;
VECTOR_RULES / VECTOR_SUBSIDY_RULES map the pack's rule to its twin."""


from typing import Callable

import numpy as np

from ..cases import MODES, STATUSES
from ..occupations import LEVEL_RANK, LEVELS
from ..packs import common
from ..packs.guangxi import rules as guangxi_rules
from ..packs.shanxi import rules as shanxi_rules
from ..packs.tianjin import rules as tianjin_rules
from ..packs.tibet import rules as tibet_rules
from ..packs.yunnan import rules as yunnan_rules

from .context import Context, _in_graduation_academic_year, _in_graduation_year, _in_statuses, _left_school_within

# --- common rules (packs/common.py) ------------------------------------------------------------


def v_facts_missing(ctx: Context) -> np.ndarray:
    """common.facts_missing: nothing known about the person → pending."""
    return ctx.person.group < 0


def v_institution_in_home_province(ctx: Context) -> None:
    p, cols = ctx.p, ctx.cols
    if not p.get("cross_province_training_forbidden"):
        return
    province = cols["institution_province"]
    outside = (province >= 0) & (province != int(p.get("home_province")))
    allowed = [MODES.index(m) for m in p.get("cross_province_allowed_modes") or ()]
    ctx.reason("CROSS_PROVINCE_TRAINING", outside & ~np.isin(cols["mode"], allowed))


def v_subsidised_mode(ctx: Context) -> None:
    modes = [MODES.index(m) for m in ctx.p.get("subsidised_modes") or ()]
    ctx.reason("MODE_NOT_SUBSIDISED", ~np.isin(ctx.cols["mode"], modes))


def v_online_hours_cap(ctx: Context) -> None:
    cap_bp = ctx.p.get("online_cap_bp")
    if cap_bp is None:
        return
    total, online = ctx.cols["hours_total"], ctx.cols["hours_online"]  # both in tenths: the ratio is the engine's
    ctx.reason("ONLINE_HOURS_OVER_CAP", (total > 0) & (online >= 0) & (online * 10000 > cap_bp * total))


def v_training_certificate(ctx: Context) -> None:
    if ctx.p.get("training_certificate_required"):
        ctx.reason("TRAINING_CERTIFICATE_MISSING", ~ctx.cols["training_certificate"])


def v_level_certificate(ctx: Context) -> None:
    p, cols = ctx.p, ctx.cols
    if not p.get("level_certificate_required"):
        return
    failed = (cols["theory_passed"] == 0) | (cols["ability_passed"] == 0)
    exam = failed if p.get("both_exams_must_pass") else np.zeros(ctx.n, dtype=bool)
    ctx.reason("EXAM_NOT_PASSED", exam)
    ctx.reason("LEVEL_CERTIFICATE_MISSING", ~exam & ~cols["has_level_certificate"])


def v_certificate_from_home_province(ctx: Context) -> None:
    p, cols = ctx.p, ctx.cols
    if not p.get("other_province_certificate_excluded"):
        return
    province = cols["certificate_province"]
    ctx.reason("CERTIFICATE_OTHER_PROVINCE", cols["has_level_certificate"] & (province >= 0) & (province != int(p.get("home_province"))))


def v_required_hours(ctx: Context) -> None:
    _, required, _ = ctx.standard("subsidy_standards")
    hours = ctx.cols["hours_total"]  # tenths of an hour; the requirement is in whole hours
    applies = required >= 0
    ctx.reason("HOURS_MISSING", applies & (hours < 0), "pending")
    ctx.reason("HOURS_BELOW_REQUIREMENT", applies & (hours >= 0) & (hours < required * 10))


def v_repeat_same_occupation_level(ctx: Context) -> None:
    window = ctx.p.get("repeat_same_occupation_level")
    if not window:
        return
    cols = ctx.cols
    h_case = cols["h_case"]
    same = ctx.subsidies() & (cols["h_occupation"] == cols["occupation"][h_case]) & (cols["h_level"] == cols["level"][h_case])
    if window == "one_year":
        same &= (cols["h_date"] > ctx.cal.shift_years(ctx.facts_on, -1)[h_case]) & \
            (cols["h_date"] < ctx.cal.shift_years(ctx.facts_on, 1)[h_case])  # either way (common.repeat_same_occupation_level)
    ctx.reason("REPEAT_SAME_OCCUPATION_LEVEL", ctx.history_any(same))


def v_subsidies_per_year(ctx: Context) -> None:
    limits = ctx.p.get("subsidies_per_year")
    if not limits:
        return
    cols = ctx.cols
    group = ctx.person.group
    limit = np.full(ctx.n, limits["default"], dtype=np.int64)
    for status, value in limits.items():
        if status in STATUSES:
            limit[group == STATUSES.index(status)] = value
    in_year = ctx.subsidies() & (ctx.cal.year(cols["h_date"]) == ctx.facts_year[cols["h_case"]])
    ctx.reason("ANNUAL_LIMIT_REACHED", ctx.history_count(in_year) >= limit)


def v_no_lower_level_after_higher(ctx: Context) -> None:
    if not ctx.p.get("no_lower_level_after_higher"):
        return
    cols = ctx.cols
    h_case = cols["h_case"]
    rank = np.array([LEVEL_RANK[level] for level in LEVELS])
    h_rank = np.where(cols["h_level"] >= 0, rank[np.maximum(cols["h_level"], 0)], -1)
    higher = ctx.subsidies() & (cols["h_occupation"] == cols["occupation"][h_case]) & (cols["h_level"] >= 0) & (h_rank > rank[cols["level"][h_case]])
    ctx.reason("LOWER_LEVEL_AFTER_HIGHER", ctx.history_any(higher))


def v_standard_amount_subsidy(ctx: Context, open_: np.ndarray) -> list[tuple]:
    """common.standard_amount_subsidy: the published standard, else pending."""
    known, _, amount = ctx.standard("training_subsidy_fen")
    has = amount >= 0
    ctx.reason("STANDARD_NOT_PUBLISHED", open_ & ~has, "pending")
    return [("training_subsidy", ctx.p.get("training_subsidy_payee"), open_ & has, np.where(open_ & has, amount, 0))]


# --- province rules (packs/<province>/rules.py) ---------------------------------------------


def _not_target(ctx: Context, missing: np.ndarray) -> np.ndarray:
    outside = ~missing & ~_in_statuses(ctx.person.group, ctx.p.get("target_statuses"))
    ctx.reason("NOT_TARGET_GROUP", outside)
    return outside


def v_tibet_target_group(ctx: Context) -> None:
    """tibet.rules.target_group (藏人社发〔2025〕13号 二)."""
    retired = (ctx.person.retired == 1) if ctx.p.get("retirees_excluded") else np.zeros(ctx.n, dtype=bool)
    ctx.reason("RETIREE_EXCLUDED", retired)
    missing = ~retired & v_facts_missing(ctx)
    ctx.reason("TRAINEE_FACTS_MISSING", missing, "pending")
    _not_target(ctx, retired | missing)


def v_guangxi_target_group(ctx: Context) -> None:
    """guangxi.rules.target_group (广西人社厅通知（2023-09-19） 二)."""
    missing = v_facts_missing(ctx)
    ctx.reason("TRAINEE_FACTS_MISSING", missing, "pending")
    outside = _not_target(ctx, missing)
    student = ~missing & ~outside & (ctx.person.group == STATUSES.index("student"))
    ctx.reason("NOT_TARGET_GROUP", student & ~_in_graduation_year(ctx))


def v_tianjin_target_group(ctx: Context) -> None:
    """tianjin.rules.target_group (津人社办发〔2022〕94号 二)."""
    cols = ctx.cols
    missing = v_facts_missing(ctx)
    ctx.reason("TRAINEE_FACTS_MISSING", missing, "pending")
    outside = _not_target(ctx, missing)
    student = ~missing & ~outside & (ctx.person.group == STATUSES.index("student"))
    wrong_school = (cols["school_type"] > 1) | (cols["full_time"] == 0)  # not (None or university), or part-time
    ctx.reason("NOT_TARGET_GROUP", student & wrong_school)
    ctx.reason("NOT_GRADUATION_ACADEMIC_YEAR", student & ~wrong_school & ~_in_graduation_academic_year(ctx))


def v_tianjin_catalogue_standard(ctx: Context) -> None:
    known, _, _ = ctx.standard("subsidy_standards")
    ctx.reason("STANDARD_NOT_PUBLISHED", ~known, "pending")


def v_yunnan_target_group(ctx: Context) -> None:
    """yunnan.rules.target_group (云人社通〔2023〕39号 二)."""
    person, cols = ctx.person, ctx.cols
    missing = v_facts_missing(ctx)
    ctx.reason("TRAINEE_FACTS_MISSING", missing, "pending")
    outside = _not_target(ctx, missing)
    rest = ~missing & ~outside & ~((person.employed == 1) & (person.in_school != 1)) & ~_in_graduation_year(ctx)
    no_date = np.isnat(cols["graduation"])
    ctx.reason("GRADUATION_DATE_MISSING", rest & no_date, "pending")
    years = ctx.p.get("unemployed_graduate_window_years")
    within = (person.in_school != 1) & _left_school_within(ctx, years)
    ctx.reason("GRADUATE_WINDOW_PASSED", rest & ~no_date & ~within)


def v_shanxi_target_group(ctx: Context) -> None:
    """shanxi.rules.target_group (晋人社厅发〔2024〕27号 三)."""
    person, cols, p = ctx.person, ctx.cols, ctx.p
    retired = person.retired == 1
    ctx.reason("NOT_TARGET_GROUP", retired)
    no_date = ~retired & np.isnat(cols["graduation"])
    ctx.reason("GRADUATION_DATE_MISSING", no_date, "pending")
    rest = ~retired & ~no_date
    if p.get("fresh_graduates_included"):
        rest &= ~_in_graduation_year(ctx)
    years = p.get("unemployed_graduate_window_years")
    passed = rest & ((person.in_school == 1) | ~_left_school_within(ctx, years))
    ctx.reason("GRADUATE_WINDOW_PASSED", passed)
    rest &= ~passed
    ctx.reason("EMPLOYMENT_STATUS_MISSING", rest & (person.employed < 0), "pending")
    ctx.reason("NOT_TARGET_GROUP", rest & (person.employed == 1))


def v_shanxi_training_subsidy(ctx: Context, open_: np.ndarray) -> list[tuple]:
    """shanxi.rules.training_subsidy + employment_condition (晋人社厅发〔2024〕27号 五(四))."""
    cols, p = ctx.cols, ctx.p
    days = cols["training_days"]
    no_days = open_ & (days < 0)
    ctx.reason("TRAINING_DAYS_MISSING", no_days, "pending")
    open_ = open_ & ~no_days
    employed = cols["employed_after"] == 1
    size = cols["class_size"]
    no_class = size == 0
    ctx.reason("CLASS_EMPLOYMENT_UNKNOWN", open_ & no_class & ~employed, "pending")
    rate = np.where(no_class, 0, cols["class_employed"] * 10000 // np.maximum(size, 1))
    below = open_ & ~no_class & (rate < p.get("employment_rate_threshold_bp"))
    ctx.reason("EMPLOYMENT_RATE_BELOW_THRESHOLD", below & employed, "info")
    ctx.reason("EMPLOYMENT_RATE_BELOW_THRESHOLD", below & ~employed)
    paid = open_ & ~(no_class & ~employed) & ~(below & ~employed)
    first_days = p.get("subsidy_first_days")
    d = np.maximum(days, 0)
    uncapped = np.minimum(d, first_days) * p.get("subsidy_daily_first_days_fen") + np.maximum(d - first_days, 0) * p.get("subsidy_daily_after_fen")
    cap = p.get("subsidy_cap_fen")
    ctx.reason("CAPPED", paid & (uncapped > cap), "reduce")
    return [("training_subsidy", p.get("training_subsidy_payee"), paid, np.where(paid, np.minimum(uncapped, cap), 0))]


def v_tianjin_training_subsidy(ctx: Context, open_: np.ndarray) -> list[tuple]:
    """tianjin.rules.training_subsidy + living_allowance_refused (津人社办发〔2022〕94号 三(四), 附件3, 附件4)."""
    cols, p = ctx.cols, ctx.p
    _, _, amount = ctx.standard("subsidy_standards")
    items = [("training_subsidy", p.get("training_subsidy_payee"), open_, np.where(open_, amount, 0))]
    allowance = p.get("living_allowance_fen")
    if not allowance:
        return items
    earlier = ctx.history_any(cols["h_kind"] == 1)
    ctx.reason("LIVING_ALLOWANCE_ALREADY_GRANTED", open_ & earlier, "reduce")
    ended, claimed = cols["end"], cols["claim"]
    known = ~np.isnat(ended) & ~np.isnat(claimed)
    late = known & (claimed > ctx.cal.shift_years(ended, p.get("living_allowance_window_years")))
    ctx.reason("LIVING_ALLOWANCE_WINDOW_PASSED", open_ & ~earlier & late, "reduce")
    granted = open_ & ~earlier & ~late
    items.append(("living_allowance", p.get("living_allowance_payee"), granted, np.where(granted, allowance, 0)))
    return items


VECTOR_RULES: dict[Callable, Callable] = {
    common.institution_in_home_province: v_institution_in_home_province,
    common.subsidised_mode: v_subsidised_mode,
    common.online_hours_cap: v_online_hours_cap,
    common.training_certificate: v_training_certificate,
    common.level_certificate: v_level_certificate,
    common.certificate_from_home_province: v_certificate_from_home_province,
    common.required_hours: v_required_hours,
    common.repeat_same_occupation_level: v_repeat_same_occupation_level,
    common.subsidies_per_year: v_subsidies_per_year,
    common.no_lower_level_after_higher: v_no_lower_level_after_higher,
    tibet_rules.target_group: v_tibet_target_group,
    guangxi_rules.target_group: v_guangxi_target_group,
    tianjin_rules.target_group: v_tianjin_target_group,
    tianjin_rules.catalogue_standard: v_tianjin_catalogue_standard,
    yunnan_rules.target_group: v_yunnan_target_group,
    shanxi_rules.target_group: v_shanxi_target_group,
}
VECTOR_SUBSIDY_RULES: dict[Callable, Callable] = {
    tibet_rules.training_subsidy: v_standard_amount_subsidy,
    guangxi_rules.training_subsidy: v_standard_amount_subsidy,
    yunnan_rules.training_subsidy: v_standard_amount_subsidy,
    shanxi_rules.training_subsidy: v_shanxi_training_subsidy,
    tianjin_rules.training_subsidy: v_tianjin_training_subsidy,
}
