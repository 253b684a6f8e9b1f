"""天津市 rules — 津人社办发〔2022〕94号 and its attachments 3 and 4. Each cites its clause."""

from __future__ import annotations

from ...cases import Case
from ...engine import BoundParameters, Item, Reason
from ...occupations import LEVEL_NAMES
from ..common import STATUS_NAMES, academic_year, facts_missing, in_graduation_academic_year, standard_for, years_after


def target_group(case: Case, p: BoundParameters):
    """二: people working or intending to work in the digital economy (incl. new-form
    workers and freelancers) and full-time students in their graduation academic year."""
    missing = facts_missing(case, p, "target_statuses")
    if missing:
        return missing
    trainee, group = case.trainee, case.trainee.group
    if group not in p.get("target_statuses"):
        return Reason("NOT_TARGET_GROUP", f"{STATUS_NAMES[group]}不属于培育对象范围。", p.citation("target_statuses"))
    if group != "student":
        return None
    if trainee.school_type not in (None, "university") or trainee.full_time is False:
        return Reason("NOT_TARGET_GROUP", "在校学生仅普通高校全日制学生可参加培训。", p.citation("target_statuses"))
    if not in_graduation_academic_year(case, p.facts_on):
        # 毕业学年 = the academic year (1 September – 31 August) in which the student graduates.
        start, end = academic_year(p.facts_on)
        return Reason(
            "NOT_GRADUATION_ACADEMIC_YEAR",
            f"在校学生仅毕业学年（{start.isoformat()} 至 {end.isoformat()} 毕业）的普通高校全日制学生可参加培训"
            f"（毕业日期：{trainee.graduation_date.isoformat() if trainee.graduation_date else '未提供'}）。",
            p.citation("target_statuses"),
        )
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
    if not allowance:
        return items, []
    refused = living_allowance_refused(case, p)
    if refused:
        return items, [refused]
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


def living_allowance_refused(case: Case, p: BoundParameters) -> Reason | None:
    """三(四) “可以在一年内申请1000元的一次性生活费补贴” and 附件4 二(一) (applied for after
    the training ends): once per person — an allowance already in the history stops a second
    one — and a claim more than one year after the training ended is too late."""
    citation = p.citation("living_allowance_fen")
    earlier = [h for h in case.history if h.kind == "living_allowance"]
    if earlier:
        return Reason(
            "LIVING_ALLOWANCE_ALREADY_GRANTED",
            f"{earlier[0].date.isoformat()} 已享受一次性生活费补贴，每人限一次。",
            citation,
            "reduce",
        )
    ended, claimed = case.course.end_date, case.claim_date
    if ended is None or claimed is None:
        return None
    last = years_after(ended, p.get("living_allowance_window_years"))
    if claimed <= last:
        return None
    return Reason(
        "LIVING_ALLOWANCE_WINDOW_PASSED",
        f"培训于 {ended.isoformat()} 结束，生活费补贴须在一年内（{last.isoformat()} 前）申请，申请日期 {claimed.isoformat()}。",
        p.citation("living_allowance_window_years"),
        "reduce",
    )
