"""广西壮族自治区 rules — 广西人社厅通知（2023-09-19）. Each function cites its clause."""

from __future__ import annotations

from ...cases import Case
from ...engine import BoundParameters, Reason
from ..common import STATUS_NAMES, facts_missing, in_graduation_year, standard_amount_subsidy


def target_group(case: Case, p: BoundParameters):
    """二 培育对象: people working or intending to work in the digital economy, including
    new-form workers, freelancers and 应届毕业生 (students only in their graduation year)."""
    missing = facts_missing(case, p, "target_statuses")
    if missing:
        return missing
    group = case.trainee.group
    if group not in p.get("target_statuses"):
        return Reason("NOT_TARGET_GROUP", f"{STATUS_NAMES[group]}不属于培育对象范围。", p.citation("target_statuses"))
    if group == "student" and not in_graduation_year(case, p.facts_on):
        return Reason("NOT_TARGET_GROUP", "在校学生仅应届毕业生属于培育对象。", p.citation("target_statuses"))
    return None


def training_subsidy(case: Case, p: BoundParameters):
    """四(三): 800 元 per person for a professional technical level certificate."""
    return standard_amount_subsidy(case, p, "广西壮族自治区补贴标准未录入。")
