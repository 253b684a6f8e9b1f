"""云南省 rules — 云人社通〔2023〕39号. Each function cites its clause."""

from __future__ import annotations

from ...cases import Case
from ...engine import BoundParameters, Reason
from ..common import STATUS_NAMES, facts_missing, in_graduation_year, left_school_within, standard_amount_subsidy


def target_group(case: Case, p: BoundParameters):
    """二: “在岗或拟从事数字技术领域工作的各类企业从业人员（含新就业形态劳动者、自由职业者）、
    毕业年度及离校2年内未就业的高等院校、职业院校（含技工院校）毕业生”. Two groups: people in
    work (employees, new-form workers, freelancers — 在岗 or moving into the field), and
    graduates in their graduation year or within 2 years of leaving school and not employed.
    A person out of work and long out of school is in neither (issue 13 item 1)."""
    missing = facts_missing(case, p, "target_statuses")
    if missing:
        return missing
    trainee, group = case.trainee, case.trainee.group
    if group not in p.get("target_statuses"):
        return Reason("NOT_TARGET_GROUP", f"{STATUS_NAMES[group]}不属于培育对象范围。", p.citation("target_statuses"))
    if trainee.is_employed and not trainee.is_in_school:
        return None
    if in_graduation_year(case, p.facts_on):
        return None
    years = p.get("unemployed_graduate_window_years")
    citation = p.citation("unemployed_graduate_window_years")
    if trainee.graduation_date is None:
        return Reason("GRADUATION_DATE_MISSING", f"未就业人员须为毕业年度或离校{years}年内的毕业生，缺少毕业日期。", citation, "pending")
    if not trainee.is_in_school and left_school_within(case, p.facts_on, years):
        return None
    return Reason(
        "GRADUATE_WINDOW_PASSED",
        f"毕业生须为毕业年度或离校{years}年内未就业（毕业日期：{trainee.graduation_date.isoformat()}）。",
        citation,
    )


def training_subsidy(case: Case, p: BoundParameters):
    """四(四): 先缴后补、见证补贴; paid to the institution, which pays the trainee. The
    amount follows Yunnan's skills-upgrading rules, which are not in this document."""
    return standard_amount_subsidy(case, p, "云南省补贴标准按云南省职业技能提升行动相关规定执行，尚未录入。")
