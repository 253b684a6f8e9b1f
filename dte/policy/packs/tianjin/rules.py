"""天津市 rules — 津人社办发〔2022〕94号 and its attachments 3 and 4. Each cites its clause."""

from __future__ import annotations

from ...cases import Case
from ...engine import BoundParameters, Item, Reason
from ...occupations import LEVEL_NAMES
from ..common import STATUS_NAMES, standard_for, years_after


def target_group(case: Case, p: BoundParameters):
    """二: people working or intending to work in the digital economy (incl. new-form
    workers and freelancers) and full-time students in their graduation academic year."""
    status = case.trainee.status
    if status not in p.get("target_statuses"):
        return Reason("NOT_TARGET_GROUP", f"{STATUS_NAMES[status]}不属于培育对象范围。", p.citation("target_statuses"))
    if status == "student":
        graduated = case.trainee.graduation_date
        if graduated is None or not (p.on <= graduated <= years_after(p.on, 1)):
            return Reason("NOT_TARGET_GROUP", "在校学生仅普通高校全日制毕业学年学生可参加培训。", p.citation("target_statuses"))
    return None


def catalogue_standard(case: Case, p: BoundParameters):
    """附件3: an occupation+level missing from the catalogue has no standard yet (the
    catalogue is adjusted dynamically, 三(三))."""
    if standard_for(p, "subsidy_standards", case) is not None:
        return None
    return Reason(
        "STANDARD_NOT_PUBLISHED",
        f"天津市数字经济技术技能人才培训补贴标准目录未收录该职业的{LEVEL_NAMES[case.course.level]}补贴标准，待录入。",
        p.citation("subsidy_standards"),
        "pending",
    )


def training_subsidy(case: Case, p: BoundParameters):
    """三(四) + 附件3: the catalogue amount to the institution (附件4 一(三)), and the
    one-time 1000 元 living allowance to the person (附件4 二(二))."""
    standard = standard_for(p, "subsidy_standards", case)
    items = [Item("training_subsidy", standard["amount_fen"], p.get("training_subsidy_payee"), p.citation("subsidy_standards"))]
    allowance = p.get("living_allowance_fen")
    if allowance:
        items.append(
            Item(
                "living_allowance",
                allowance,
                p.get("living_allowance_payee"),
                p.citation("living_allowance_fen"),
                note="培训结束后由培训机构提出申请，可在一年内申请",
            )
        )
    return items, []
