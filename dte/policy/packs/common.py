"""Rules shared by several provinces. Each reads its parameter, so the citation in a
reason is always the clause of the pack being evaluated (the parameter's citation)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..cases import Case, hours_json
from ..engine import BoundParameters, Item, Reason
from ..occupations import LEVEL_NAMES, LEVEL_RANK

STATUS_NAMES = {
    "graduate": "毕业生",
    "employee": "在岗人员",
    "unemployed": "未就业人员",
    "freelancer": "自由职业者/新就业形态劳动者",
    "student": "在校学生",
    "retired": "已退休人员",
}
MODE_NAMES = {
    "subsidised": "政府补贴培训",
    "order": "订单式培训",
    "project": "项目制培训",
    "market": "市场收费培训",
    "paired_aid": "对口援藏培训",
}


def yuan(fen: int) -> str:
    """Fen as yuan in a sentence: 1000 → "10", 1005 → "10.05". Exact (Decimal), never through a float."""
    return f"{Decimal(fen).scaleb(-2):f}" if fen % 100 else str(fen // 100)


def money(fen: int) -> str:
    """Fen as an amount on screen: 123450 → "¥1,234.50". Exact (Decimal), never through a float."""
    return f"{'-' if fen < 0 else ''}¥{Decimal(abs(fen)).scaleb(-2):,.2f}"


def hours_text(hours) -> str:
    """Hours as a reason prints them: 64 → "64", Decimal("64.5") → "64.5", Decimal("128.0") → "128"."""
    return str(hours_json(hours))


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def years_after(day: date, years: int) -> date:
    return years_before(day, -years)


def academic_year(on: date) -> tuple[date, date]:
    """The academic year (学年) containing `on`: 1 September to 31 August, the school year
    of Chinese universities (津人社办发〔2022〕94号 二 毕业学年 read this way)."""
    first = on.year if on.month >= 9 else on.year - 1
    return date(first, 9, 1), date(first + 1, 8, 31)


def in_graduation_academic_year(case: Case, on: date) -> bool:
    graduated = case.trainee.graduation_date
    start, end = academic_year(on)
    return graduated is not None and start <= graduated <= end


def in_graduation_year(case: Case, on: date) -> bool:
    graduated = case.trainee.graduation_date
    return graduated is not None and graduated.year == on.year


def left_school_within(case: Case, on: date, years: int) -> bool:
    graduated = case.trainee.graduation_date
    return graduated is not None and graduated <= on and on <= years_after(graduated, years)


def facts_missing(case: Case, p: BoundParameters, parameter: str):
    """Nothing is known about the person (a blank status and no facts): a pending reason,
    never a silent pass (issue 13 item 1)."""
    if case.trainee.group is not None:
        return None
    return Reason(
        "TRAINEE_FACTS_MISSING",
        "缺少人员类别（在岗/在校/退休/毕业日期等），无法判断是否属于培育对象。",
        p.citation(parameter),
        "pending",
    )


# --- course rules ------------------------------------------------------------------


def institution_in_home_province(case: Case, p: BoundParameters):
    """Training institutions may not train across provinces under 合作/联合/联盟 names."""
    home = p.get("home_province")
    province = case.course.institution_province
    if not p.get("cross_province_training_forbidden") or province is None or province == home:
        return None
    if case.course.mode in (p.get("cross_province_allowed_modes") or ()):
        return None
    return Reason(
        "CROSS_PROVINCE_TRAINING",
        f"培训机构所在省份（{province}）不是本省（{home}），不得跨省开展培训，不予补贴。",
        p.citation("cross_province_training_forbidden"),
    )


def subsidised_mode(case: Case, p: BoundParameters):
    modes = p.get("subsidised_modes") or ()
    if case.course.mode in modes:
        return None
    return Reason(
        "MODE_NOT_SUBSIDISED",
        f"{MODE_NAMES[case.course.mode]}不属于补贴性职业培训，不享受职业培训补贴。",
        p.citation("subsidised_modes"),
    )


def online_hours_cap(case: Case, p: BoundParameters):
    """Compared exactly, to the tenth of an hour the attendance credits (ints and Decimals; DECISIONS.md):
    64.5 online of 128.5 is 50.19 % and over a 50 % cap."""
    cap_bp = p.get("online_cap_bp")
    total, online = case.course.hours_total, case.course.hours_online
    if cap_bp is None or not total or online is None:
        return None
    if online * 10000 <= cap_bp * total:
        return None
    return Reason(
        "ONLINE_HOURS_OVER_CAP",
        f"线上培训 {hours_text(online)} 学时，占总学时 {hours_text(total)} 的 {online * 100 / total:.1f}%，超过 {cap_bp / 100:g}% 上限。",
        p.citation("online_cap_bp"),
    )


def training_certificate(case: Case, p: BoundParameters):
    if not p.get("training_certificate_required") or case.course.training_certificate:
        return None
    return Reason("TRAINING_CERTIFICATE_MISSING", "未取得培训合格证书。", p.citation("training_certificate_required"))


def level_certificate(case: Case, p: BoundParameters):
    """Both the theory exam and the professional-ability assessment must be passed."""
    if not p.get("level_certificate_required"):
        # 晋人社厅发〔2024〕27号 五(四): the certificate is no condition of payment, so an exam
        # result (which only decides the certificate) does not refuse it either.
        return None
    course = case.course
    # most cases carry no exam result: the failed exams are listed only when there is one
    if (course.theory_passed is False or course.ability_passed is False) and p.get("both_exams_must_pass"):
        failed = [name for name, passed in (("理论知识考试", course.theory_passed), ("专业能力考核", course.ability_passed)) if passed is False]
        return Reason("EXAM_NOT_PASSED", f"{'、'.join(failed)}未合格；两项均合格方可取得专业技术等级证书。", p.citation("both_exams_must_pass"))
    if course.level_certificate is None:
        return Reason("LEVEL_CERTIFICATE_MISSING", "未取得专业技术等级证书。", p.citation("level_certificate_required"))
    return None


def certificate_from_home_province(case: Case, p: BoundParameters):
    certificate = case.course.level_certificate
    home = p.get("home_province")
    if not p.get("other_province_certificate_excluded") or certificate is None or certificate.province in (None, home):
        return None
    return Reason(
        "CERTIFICATE_OTHER_PROVINCE",
        f"专业技术等级证书在外省（{certificate.province}）取得，原则上不对异地取证学员给予职业补贴。",
        p.citation("other_province_certificate_excluded"),
    )


def required_hours(case: Case, p: BoundParameters):
    standard = standard_for(p, "subsidy_standards", case)
    if not isinstance(standard, dict) or standard.get("hours") is None:
        return None
    hours = case.course.hours_total
    if hours is None:
        return Reason("HOURS_MISSING", f"未提供培训学时，无法核对学时要求（{standard['hours']} 学时）。", p.citation("subsidy_standards"), "pending")
    if hours >= standard["hours"]:  # exact, to the tenth (63.9 is below 64)
        return None
    return Reason(
        "HOURS_BELOW_REQUIREMENT",
        f"培训 {hours_text(hours)} 学时，少于补贴标准目录要求的 {standard['hours']} 学时。",
        p.citation("subsidy_standards"),
    )


# --- history rules -------------------------------------------------------------------


# The history rules run for every case of a simulation and most people have no history: each
# walks case.history once, looking at training subsidies only, with nothing built beforehand.


def repeat_same_occupation_level(case: Case, p: BoundParameters):
    """Same occupation and level: 'ever' = never twice; 'one_year' = not twice within a year
    (晋 五(四), 藏 五(四)): the two trainings' dates less than a year apart either way — a claim
    line of a later training may be in the history when an earlier one is claimed late."""
    window = p.get("repeat_same_occupation_level")
    if not window:
        return None
    course = case.course
    low, high = (years_before(p.facts_on, 1), years_after(p.facts_on, 1)) if window == "one_year" else (date.min, date.max)
    for h in case.history:
        if h.kind != "training_subsidy" or h.occupation_code != course.occupation_code or h.level != course.level:
            continue
        if low < h.date < high:
            when = "一年内" if window == "one_year" else ""
            return Reason(
                "REPEAT_SAME_OCCUPATION_LEVEL",
                f"{h.date.isoformat()} 已享受同一职业同一等级（{LEVEL_NAMES[course.level]}）培训补贴，{when}不可重复享受。",
                p.citation("repeat_same_occupation_level"),
            )
    return None


def subsidies_per_year(case: Case, p: BoundParameters):
    limits = p.get("subsidies_per_year")
    if not limits:
        return None
    limit = limits.get(case.trainee.group, limits["default"])
    year = p.facts_on.year
    used = 0
    for h in case.history:
        if h.kind == "training_subsidy" and h.date.year == year:
            used += 1
    if used < limit:
        return None
    return Reason(
        "ANNUAL_LIMIT_REACHED",
        f"{year} 年已享受 {used} 次培训补贴。规定：{limits['wording']}",
        p.citation("subsidies_per_year"),
    )


def no_lower_level_after_higher(case: Case, p: BoundParameters):
    if not p.get("no_lower_level_after_higher"):
        return None
    course = case.course
    rank = LEVEL_RANK[course.level]
    for h in case.history:
        if h.kind == "training_subsidy" and h.occupation_code == course.occupation_code and h.level and LEVEL_RANK[h.level] > rank:
            return Reason(
                "LOWER_LEVEL_AFTER_HIGHER",
                f"已享受{LEVEL_NAMES[h.level]}补贴，不得再享受{LEVEL_NAMES[course.level]}补贴。",
                p.citation("no_lower_level_after_higher"),
            )
    return None


# --- amounts ---------------------------------------------------------------------------


def standard_for(p: BoundParameters, name: str, case: Case):
    """A standard is either one amount for everyone or a table {occupation: {level: ...}};
    only the cell used goes into the trace."""
    dated = p.peek(name)
    if dated is None or not isinstance(dated.value, dict):
        return p.get(name)
    course = case.course
    if p.trace is None:  # nothing to record: read the cell straight (a simulation does this twice a case)
        row = dated.value.get(course.occupation_code)
        return row.get(course.level) if isinstance(row, dict) else None
    return p.cell(name, course.occupation_code, course.level)


def amount_of(standard) -> int | None:
    if isinstance(standard, dict):
        return standard.get("amount_fen")
    return standard


def standard_amount_subsidy(case: Case, p: BoundParameters, pending_message: str) -> tuple[list[Item], list[Reason]]:
    """Pay the published standard (flat or per occupation+level) to the pack's payee;
    without a published standard, say so instead of inventing an amount."""
    amount = amount_of(standard_for(p, "training_subsidy_fen", case))
    if amount is None:
        return [], [Reason("STANDARD_NOT_PUBLISHED", pending_message, p.citation("training_subsidy_standard_pending"), "pending")]
    item = Item(
        "training_subsidy",
        amount,
        p.get("training_subsidy_payee"),
        p.citation("training_subsidy_fen"),
        onward_payee=p.get("training_subsidy_onward_payee"),
    )
    return [item], []
