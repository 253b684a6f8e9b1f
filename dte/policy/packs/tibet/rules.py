"""西藏自治区 rules — 藏人社发〔2025〕13号. Each function cites its clause."""

from __future__ import annotations

from ...cases import Case
from ...engine import BoundParameters, Reason
from ..common import STATUS_NAMES, facts_missing, standard_amount_subsidy


def target_group(case: Case, p: BoundParameters):
    """二 培育对象: graduates, employed or willing technical staff (incl. freelancers and
    new-form workers), explicitly not retirees."""
    if case.trainee.is_retired and p.get("retirees_excluded"):
        return Reason("RETIREE_EXCLUDED", "培育对象不包含已退休人员。", p.citation("retirees_excluded"))
    missing = facts_missing(case, p, "target_statuses")
    if missing:
        return missing
    group = case.trainee.group
    if group not in p.get("target_statuses"):
        return Reason("NOT_TARGET_GROUP", f"{STATUS_NAMES[group]}不属于培育对象范围。", p.citation("target_statuses"))
    return None


def training_subsidy(case: Case, p: BoundParameters):
    """五(四): the region has yet to publish its standard; a what-if value may supply it."""
    return standard_amount_subsidy(case, p, "西藏自治区补贴标准尚未公布，待录入。")
