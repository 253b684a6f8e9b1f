"""云南省 rules — 云人社通〔2023〕39号. Each function cites its clause."""

from __future__ import annotations

from ...cases import Case
from ...engine import BoundParameters, Reason
from ..common import STATUS_NAMES, in_graduation_year, left_school_within, standard_amount_subsidy


def target_group(case: Case, p: BoundParameters):
    """二: employees (incl. new-form workers and freelancers) working or intending to work
    in the field; graduates in their graduation year or within 2 years of leaving school
    and not employed."""
    status = case.trainee.status
    if status not in p.get("target_statuses"):
        return Reason("NOT_TARGET_GROUP", f"{STATUS_NAMES[status]}不属于培育对象范围。", p.citation("target_statuses"))
    if status in ("graduate", "student"):
        if in_graduation_year(case, p.on):
            return None
        years = p.get("unemployed_graduate_window_years")
        if status == "graduate" and left_school_within(case, p.on, years):
            return None
        return Reason(
            "GRADUATE_WINDOW_PASSED",
            f"毕业生须为毕业年度或离校{years}年内未就业（毕业日期：{case.trainee.graduation_date or '未提供'}）。",
            p.citation("unemployed_graduate_window_years"),
        )
    return None


def training_subsidy(case: Case, p: BoundParameters):
    """四(四): 先缴后补、见证补贴; paid to the institution, which pays the trainee. The
    amount follows Yunnan's skills-upgrading rules, which are not in this document."""
    return standard_amount_subsidy(case, p, "云南省补贴标准按云南省职业技能提升行动相关规定执行，尚未录入。")
