"""山西省 rules — 晋人社厅发〔2024〕27号. Each function cites its clause."""

from __future__ import annotations

from ...cases import Case
from ...engine import BoundParameters, Item, Reason
from ..common import in_graduation_year, left_school_within, yuan


def target_group(case: Case, p: BoundParameters):
    """三 培育对象: “数字技术相关专业应届毕业生及两年内离校未就业、有意愿从事数字技术领域
    工作的人员”. Two groups on separate facts (issue 13 item 3): 应届毕业生 — graduating in
    the calendar year of the training, employed or not; and graduates who left school within
    two years and are not employed. Everyone else (retirees, people long out of school,
    graduates of earlier years now employed) is outside."""
    trainee, on = case.trainee, p.facts_on
    if trainee.is_retired:
        return Reason("NOT_TARGET_GROUP", "已退休人员不属于培育对象（限应届毕业生及两年内离校未就业人员）。", p.citation("fresh_graduates_included"))
    if trainee.graduation_date is None:
        return Reason("GRADUATION_DATE_MISSING", "缺少毕业日期，无法判断是否为应届或两年内离校未就业毕业生。", p.citation("fresh_graduates_included"), "pending")
    if p.get("fresh_graduates_included") and in_graduation_year(case, on):
        return None
    years = p.get("unemployed_graduate_window_years")
    citation = p.citation("unemployed_graduate_window_years")
    if trainee.is_in_school or not left_school_within(case, on, years):
        return Reason(
            "GRADUATE_WINDOW_PASSED",
            f"毕业日期 {trainee.graduation_date.isoformat()}：既非应届毕业生，也不在离校{years}年内。",
            citation,
        )
    if trainee.is_employed is None:
        return Reason("EMPLOYMENT_STATUS_MISSING", f"离校{years}年内的毕业生须未就业，缺少就业情况。", citation, "pending")
    if trainee.is_employed:
        return Reason("NOT_TARGET_GROUP", f"离校{years}年内但已就业，不属于“两年内离校未就业”人员（非应届毕业生）。", citation)
    return None


def amount_for_days(days: int, first_days: int, first_rate_fen: int, after_rate_fen: int, cap_fen: int | None) -> int:
    """五(四): 150 元/天 for the first 10 days, 100 元/天 after, at most 5000 元 per person
    (cap_fen None: the amount before the cap)."""
    days = max(days, 0)
    amount = min(days, first_days) * first_rate_fen + max(days - first_days, 0) * after_rate_fen
    return amount if cap_fen is None else min(amount, cap_fen)


def employment_condition(case: Case, p: BoundParameters):
    """五(四): class employment ≥ 80 % → paid for every trainee; below → only employed ones."""
    threshold = p.get("employment_rate_threshold_bp")
    citation = p.citation("employment_rate_threshold_bp")
    employed = case.trainee.employed_after_training
    klass = case.class_info
    if klass is None:
        if employed:
            return None
        return Reason("CLASS_EMPLOYMENT_UNKNOWN", "缺少班级培训后就业情况，且该学员未报告就业，暂无法核定补贴。", citation, "pending")
    rate = klass.employment_rate_bp
    if rate >= threshold:
        return None
    shown = f"{klass.employed_after_training}/{klass.size} = {rate / 100:g}%"
    if employed:
        return Reason("EMPLOYMENT_RATE_BELOW_THRESHOLD", f"班级培训后就业率 {shown}，低于 {threshold / 100:g}%，按实际就业人数申领；该学员已就业，计入补贴。", citation, "info")
    return Reason(
        "EMPLOYMENT_RATE_BELOW_THRESHOLD",
        f"班级培训后就业率 {shown}，低于 {threshold / 100:g}%，只按实际就业人数申领补贴；该学员培训后未就业，不予补贴。",
        citation,
    )


def training_subsidy(case: Case, p: BoundParameters):
    """五(四): the daily-rate subsidy, paid to the institution, settled per order or in stages."""
    days = case.course.training_days
    if days is None:
        return [], [Reason("TRAINING_DAYS_MISSING", "缺少培训天数，无法按天计算补贴。", p.citation("subsidy_daily_first_days_fen"), "pending")]
    reasons = []
    condition = employment_condition(case, p)
    if condition is not None:
        if condition.effect != "info":
            return [], [condition]
        reasons.append(condition)
    cap = p.get("subsidy_cap_fen")
    uncapped = amount_for_days(days, p.get("subsidy_first_days"), p.get("subsidy_daily_first_days_fen"), p.get("subsidy_daily_after_fen"), None)
    amount = min(uncapped, cap)
    if uncapped > cap:
        reasons.append(Reason("CAPPED", f"按天计算 {yuan(uncapped)} 元，超过每人最高 {yuan(cap)} 元，按上限补贴。", p.citation("subsidy_cap_fen"), "reduce"))
    note = (p.get("settlement") or {}).get(case.course.mode, "")
    item = Item("training_subsidy", amount, p.get("training_subsidy_payee"), p.citation("subsidy_daily_first_days_fen"), note=note)
    return [item], reasons
