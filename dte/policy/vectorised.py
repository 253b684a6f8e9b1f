"""What-if mode over columns of cases (NumPy): totals without per-case reasons.

The per-case engine (packs/*/rules.py, packs/common.py) is the policy of record: it gives
every case its reasons with their messages. This module answers the other question a policy
owner asks — "what does this parameter change cost over the whole population?" — by running
the same rules as array expressions over columns, millions of cases a second. Each vector
rule below names the rule it mirrors (and so its document clause); parameters are read from
the same ParameterSet (what-if overrides included), per distinct parameter snapshot.

A test (tests/test_vectorised.py) runs both on the same population for every province and
requires the same eligible count, total fen, per-kind and per-payee fen, per-outcome counts,
per-reason-code counts and per-occupation/level rows. A pack rule with no vector twin here
makes `evaluate` refuse (VectorUnsupported), never silently skip it.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

import numpy as np

from .cases import MODES, SCHOOL_TYPES as _SCHOOLS, STATUSES, Case
from .engine import BoundParameters, ParameterSet
from .occupations import LEVEL_RANK, LEVELS, load_occupations
from .packs import common, get_pack
from .packs.guangxi import rules as guangxi_rules
from .packs.shanxi import rules as shanxi_rules
from .packs.tianjin import rules as tianjin_rules
from .packs.tibet import rules as tibet_rules
from .packs.yunnan import rules as yunnan_rules

SCHOOL_TYPES = (None, *_SCHOOLS)  # column value = index; 1 = university (Tianjin's students)
#: outcome of one case: refused (a refusing reason), pending (eligible, amount cannot be
#: computed yet), paid (eligible, amount computed — possibly reduced)
OUTCOMES = ("paid", "pending", "refused")


class VectorUnsupported(NotImplementedError):
    """A pack uses a rule that has no vectorised twin yet."""


# --- columns -------------------------------------------------------------------------------


def _tri(value: bool | None) -> int:
    return -1 if value is None else int(value)


def _province(code: str | None) -> int:
    return -1 if code is None else int(code)


def _day(value: date | None) -> int:
    return -(2**62) if value is None else value.toordinal()


@dataclass
class Columns:
    """A population as arrays, one entry per case (history flattened with a case index)."""

    ids: list
    arrays: dict[str, np.ndarray]
    occupations: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.arrays["status"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]


_CASE_FIELDS = (
    "status", "employed", "in_school", "retired", "school_type", "full_time", "graduation", "employed_after",
    "occupation", "level", "mode", "institution_province", "start", "end", "enrolment", "claim",
    "training_days", "hours_total", "hours_online", "training_certificate", "has_level_certificate",
    "certificate_province", "theory_passed", "ability_passed", "class_size", "class_employed",
)
_HISTORY_FIELDS = ("h_case", "h_date", "h_kind", "h_occupation", "h_level")
_DATE_FIELDS = ("graduation", "start", "end", "enrolment", "claim", "h_date")


def columns_from_cases(pairs: Iterable[tuple[str, Case]]) -> Columns:
    """Parsed cases (with their ids) as columns. Unknown facts become -1 (NaT for dates)."""
    occupations = tuple(o.code for o in load_occupations())
    occupation_index = {code: i for i, code in enumerate(occupations)}
    level_index = {level: i for i, level in enumerate(LEVELS)}
    status_index = {s: i for i, s in enumerate(STATUSES)}
    mode_index = {m: i for i, m in enumerate(MODES)}
    school_index = {s: i for i, s in enumerate(SCHOOL_TYPES)}
    data: dict[str, list] = {name: [] for name in _CASE_FIELDS + _HISTORY_FIELDS}
    ids = []
    (status, employed, in_school, retired, school_type, full_time, graduation, employed_after, occupation, level, mode,
     institution, start, end, enrolment, claim, days, hours, online, trained, has_cert, cert_province, theory, ability,
     class_size, class_employed) = (data[name].append for name in _CASE_FIELDS)
    h_case, h_date, h_kind, h_occupation, h_level = (data[name].append for name in _HISTORY_FIELDS)
    for index, (case_id, case) in enumerate(pairs):
        ids.append(case_id)
        t, c, k = case.trainee, case.course, case.class_info
        status(status_index.get(t.status, -1))
        employed(_tri(t.employed))
        in_school(_tri(t.in_school))
        retired(_tri(t.retired))
        school_type(school_index[t.school_type])
        full_time(_tri(t.full_time))
        graduation(_day(t.graduation_date))
        employed_after(_tri(t.employed_after_training))
        occupation(occupation_index[c.occupation_code])
        level(level_index[c.level])
        mode(mode_index[c.mode])
        institution(_province(c.institution_province))
        start(_day(c.start_date))
        end(_day(c.end_date))
        enrolment(_day(c.enrolment_date))
        claim(_day(case.claim_date))
        days(-1 if c.training_days is None else c.training_days)
        hours(-1 if c.hours_total is None else c.hours_total)
        online(-1 if c.hours_online is None else c.hours_online)
        trained(c.training_certificate)
        certificate = c.level_certificate
        has_cert(certificate is not None)
        cert_province(-1 if certificate is None else _province(certificate.province))
        theory(_tri(c.theory_passed))
        ability(_tri(c.ability_passed))
        class_size(0 if k is None else k.size)
        class_employed(0 if k is None else k.employed_after_training)
        for h in case.history:
            h_case(index)
            h_date(_day(h.date))
            h_kind(0 if h.kind == "training_subsidy" else 1)
            h_occupation(-1 if h.occupation_code is None else occupation_index[h.occupation_code])
            h_level(-1 if h.level is None else level_index[h.level])
    arrays = {}
    for name, values in data.items():
        if name in _DATE_FIELDS:
            ordinals = np.array(values, dtype=np.int64)
            days_ = np.where(ordinals < 0, np.iinfo(np.int64).min, ordinals - _EPOCH_ORDINAL)
            arrays[name] = days_.astype("datetime64[D]")  # int64 min is NaT
        elif name in ("training_certificate", "has_level_certificate"):
            arrays[name] = np.array(values, dtype=bool)
        else:
            arrays[name] = np.array(values, dtype=np.int64 if name in ("h_case", "training_days", "hours_total", "hours_online") else np.int32)
    return Columns(ids, arrays, occupations)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


# --- date helpers (vector twins of packs/common.py) ----------------------------------------


def _year(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def _shift_years(days: np.ndarray, years: int) -> np.ndarray:
    """common.years_after / years_before: same month and day `years` later (29 February → 28)."""
    months = days.astype("datetime64[M]")
    day_of_month = (days - months.astype("datetime64[D]")).astype(np.int64)
    shifted = (months + np.timedelta64(12 * years, "M")).astype("datetime64[D]") + day_of_month
    month_number = months.astype(np.int64) % 12 + 1
    target_year = _year(days) + years
    leap = (target_year % 4 == 0) & ((target_year % 100 != 0) | (target_year % 400 == 0))
    fix = (month_number == 2) & (day_of_month == 28) & ~leap
    return np.where(fix, shifted - np.timedelta64(1, "D"), shifted)


def _academic_year_bounds(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """common.academic_year: 1 September – 31 August around each day."""
    months = days.astype("datetime64[M]").astype(np.int64)
    first_year = np.where(months % 12 + 1 >= 9, _year(days), _year(days) - 1)
    start = (first_year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + np.timedelta64(8, "M")
    end = (first_year + 1 - 1970).astype("datetime64[Y]").astype("datetime64[M]") + np.timedelta64(7, "M")
    return start.astype("datetime64[D]"), end.astype("datetime64[D]") + np.timedelta64(30, "D")  # 31 August


class Calendar:
    """Every day in the population's range with its year, academic year and year shifts, worked
    out once by the functions above; a case's value is then one array lookup, not a calendar
    conversion per case. Unknown dates (NaT) read day one of the range: callers mask them."""

    def __init__(self, *arrays: np.ndarray):
        known = [a.view(np.int64)[~np.isnat(a)] for a in arrays]
        known = [k for k in known if len(k)]
        self.lo = int(min(k.min() for k in known)) if known else 0
        hi = int(max(k.max() for k in known)) if known else 0
        self.days = np.arange(self.lo, hi + 1).astype("datetime64[D]")
        self._year = _year(self.days)
        self._shifted: dict[int, np.ndarray] = {}
        self._academic: tuple[np.ndarray, np.ndarray] | None = None

    def _index(self, days: np.ndarray) -> np.ndarray:
        return np.clip(days.view(np.int64) - self.lo, 0, len(self.days) - 1)

    def year(self, days: np.ndarray) -> np.ndarray:
        return self._year[self._index(days)]

    def shift_years(self, days: np.ndarray, years: int) -> np.ndarray:
        table = self._shifted.get(years)
        if table is None:
            table = self._shifted[years] = _shift_years(self.days, years)
        return table[self._index(days)]

    def academic_year(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._academic is None:
            self._academic = _academic_year_bounds(self.days)
        index = self._index(days)
        return self._academic[0][index], self._academic[1][index]


def _in_graduation_year(ctx: "Context") -> np.ndarray:
    """common.in_graduation_year."""
    graduation = ctx.cols["graduation"]
    return ~np.isnat(graduation) & (ctx.cal.year(graduation) == ctx.facts_year)


def _in_graduation_academic_year(ctx: "Context") -> np.ndarray:
    """common.in_graduation_academic_year."""
    start, end = ctx.cal.academic_year(ctx.facts_on)
    graduation = ctx.cols["graduation"]
    return ~np.isnat(graduation) & (start <= graduation) & (graduation <= end)


def _left_school_within(ctx: "Context", years: int) -> np.ndarray:
    """common.left_school_within."""
    graduation, facts_on = ctx.cols["graduation"], ctx.facts_on
    return ~np.isnat(graduation) & (graduation <= facts_on) & (facts_on <= ctx.cal.shift_years(graduation, years))


# --- the person's facts (vector twin of cases.Trainee) -----------------------------------------

def _person_table() -> np.ndarray:
    """(employed, in school, retired, group) for every combination of the facts Trainee reads —
    status, the explicit employed / in_school / retired, whether a graduation date is known —
    computed by Trainee itself, so the vector path cannot drift from cases.Trainee."""
    from .cases import Trainee

    table = np.zeros((len(STATUSES) + 1, 3, 3, 3, 2, 4), dtype=np.int32)
    facts = (None, False, True)  # column value -1, 0, 1 → index 0, 1, 2
    for s, status in enumerate((None, *STATUSES)):
        for e, employed in enumerate(facts):
            for i, in_school in enumerate(facts):
                for r, retired in enumerate(facts):
                    for g in (0, 1):
                        t = Trainee(status, None, date(2000, 1, 1) if g else None, None, employed, in_school, retired)
                        table[s, e, i, r, g] = (_tri(t.is_employed), _tri(t.is_in_school), _tri(t.is_retired),
                                                -1 if t.group is None else STATUSES.index(t.group))
    return table


_PERSON = _person_table()


class Person:
    """cases.Trainee's derived facts per case: employed, in_school, retired (-1 unknown) and group."""

    def __init__(self, cols: Columns):
        row = _PERSON[cols["status"] + 1, cols["employed"] + 1, cols["in_school"] + 1, cols["retired"] + 1,
                      (~np.isnat(cols["graduation"])).astype(np.int8)]
        self.employed, self.in_school, self.retired, self.group = row[:, 0], row[:, 1], row[:, 2], row[:, 3]


def _in_statuses(group: np.ndarray, statuses) -> np.ndarray:
    wanted = [STATUSES.index(s) for s in statuses or ()]
    return np.isin(group, wanted)  # (group -1, nothing known, is in no list)


# --- the evaluation context --------------------------------------------------------------------


class Context:
    """One parameter snapshot over a subset of the population; rules add (code, effect, mask)."""

    def __init__(self, cols: Columns, p: BoundParameters, facts_on: np.ndarray, cal: Calendar):
        self.cols, self.p, self.facts_on, self.cal = cols, p, facts_on, cal
        self.facts_year = cal.year(facts_on)
        self.person = Person(cols)
        self.n = len(cols)
        self.reasons: list[tuple[str, str, np.ndarray]] = []
        self._tables: dict = {}

    def reason(self, code: str, mask: np.ndarray, effect: str = "refuse") -> None:
        self.reasons.append((code, effect, mask))

    def subsidies(self) -> np.ndarray:
        return self.cols["h_kind"] == 0

    def history_any(self, mask: np.ndarray) -> np.ndarray:
        """Per case: does any of its history entries satisfy `mask` (over history rows)?"""
        hit = np.zeros(self.n, dtype=bool)
        hit[self.cols["h_case"][mask]] = True
        return hit

    def history_count(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.cols["h_case"][mask], minlength=self.n)

    def standard(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """common.standard_for per case: (known, hours or -1, amount_fen or -1) — a flat value
        for everyone or a table {occupation: {level: cell}} looked up per occupation and level."""
        if name in self._tables:
            return self._tables[name]
        dated = self.p.peek(name)
        occupations = self.cols.occupations
        known = np.zeros((len(occupations), len(LEVELS)), dtype=bool)
        hours = np.full(known.shape, -1, dtype=np.int64)
        amount = np.full(known.shape, -1, dtype=np.int64)
        for i, code in enumerate(occupations):
            for j, level in enumerate(LEVELS):
                if dated is None or not isinstance(dated.value, dict):
                    value = self.p.get(name)
                else:
                    value = dated.value.get(code)
                    value = value.get(level) if isinstance(value, dict) else None
                known[i, j] = value is not None
                if isinstance(value, dict):
                    hours[i, j] = -1 if value.get("hours") is None else value["hours"]
                    amount[i, j] = -1 if value.get("amount_fen") is None else value["amount_fen"]
                elif value is not None:
                    amount[i, j] = value  # amount_of: a flat standard is the amount itself
        occupation, level = self.cols["occupation"], self.cols["level"]
        result = (known[occupation, level], hours[occupation, level], amount[occupation, level])
        self._tables[name] = result
        return result


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
    total, online = ctx.cols["hours_total"], ctx.cols["hours_online"]
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
    hours = ctx.cols["hours_total"]
    applies = required >= 0
    ctx.reason("HOURS_MISSING", applies & (hours < 0), "pending")
    ctx.reason("HOURS_BELOW_REQUIREMENT", applies & (hours >= 0) & (hours < required))


def v_repeat_same_occupation_level(ctx: Context) -> None:
    window = ctx.p.get("repeat_same_occupation_level")
    if not window:
        return
    cols = ctx.cols
    h_case = cols["h_case"]
    same = ctx.subsidies() & (cols["h_occupation"] == cols["occupation"][h_case]) & (cols["h_level"] == cols["level"][h_case])
    if window == "one_year":
        same &= cols["h_date"] > ctx.cal.shift_years(ctx.facts_on, -1)[h_case]
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


# --- evaluation -------------------------------------------------------------------------------


@dataclass
class VectorResult:
    """Per-case arrays of one evaluation (no reasons), and the counts of reason codes."""

    eligible: np.ndarray
    total_fen: np.ndarray
    outcome: np.ndarray  # index into OUTCOMES
    by_kind_fen: Counter = field(default_factory=Counter)
    by_payee_fen: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)


def _dates(cols: Columns, on: date | None) -> tuple[np.ndarray, np.ndarray]:
    """Case.reference_date / eligibility_date per case: parameters' date and facts' date."""
    eligibility = np.where(np.isnat(cols["start"]), cols["enrolment"], cols["start"])
    if on is not None:
        parameters_on = np.full(len(cols), np.datetime64(on, "D"))
    else:
        fallback = np.where(np.isnat(cols["claim"]), np.datetime64(date.today(), "D"), cols["claim"])
        parameters_on = np.where(np.isnat(eligibility), fallback, eligibility)
    facts_on = np.where(np.isnat(eligibility), parameters_on, eligibility)
    return parameters_on, facts_on


def _subset(cols: Columns, rows: np.ndarray) -> Columns:
    """The cases at `rows` (sorted indices) with their history rows, re-indexed."""
    arrays = {name: cols.arrays[name][rows] for name in _CASE_FIELDS}
    position = np.full(len(cols), -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    keep = position[cols["h_case"]] >= 0
    for name in _HISTORY_FIELDS:
        arrays[name] = cols.arrays[name][keep]
    arrays["h_case"] = position[arrays["h_case"]]
    return Columns([cols.ids[i] for i in rows], arrays, cols.occupations)


def evaluate(province: str, cols: Columns, params: ParameterSet | None = None, on: date | None = None) -> VectorResult:
    """Every case of `cols` under `params`, grouped by identical parameter snapshots."""
    pack = get_pack(province)
    params = params or pack.parameters
    n = len(cols)
    result = VectorResult(np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int8))
    parameters_on, facts_on = _dates(cols, on)
    cal = Calendar(*(cols[name] for name in _DATE_FIELDS), parameters_on, facts_on)
    offset = parameters_on.view(np.int64) - cal.lo
    groups: dict[tuple, list[int]] = {}
    for day in np.flatnonzero(np.bincount(offset)).tolist():  # the distinct parameter dates
        snapshot = params.snapshot(date.fromordinal(day + cal.lo + _EPOCH_ORDINAL))
        groups.setdefault(tuple(id(v) for v in snapshot.values()), []).append(day)
    for members in groups.values():
        first = date.fromordinal(members[0] + cal.lo + _EPOCH_ORDINAL)
        if len(groups) == 1:
            rows, sub = None, cols
        else:
            in_group = np.zeros(len(cal.days), dtype=bool)
            in_group[members] = True
            rows = np.flatnonzero(in_group[offset])
            sub = _subset(cols, rows)
        eligible, total, outcome = _evaluate_group(pack, sub, params.bind(first, None), facts_on if rows is None else facts_on[rows], cal, result)
        if rows is None:
            result.eligible, result.total_fen, result.outcome = eligible, total, outcome
        else:
            result.eligible[rows], result.total_fen[rows], result.outcome[rows] = eligible, total, outcome
    return result


def _evaluate_group(pack, cols: Columns, p: BoundParameters, facts_on: np.ndarray, cal: Calendar, result: VectorResult):
    n = len(cols)
    if p.peek("home_province") is None:  # PolicyPack._not_in_force
        result.reasons["POLICY_NOT_IN_FORCE"] += n
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64), np.full(n, OUTCOMES.index("refused"), dtype=np.int8)
    ctx = Context(cols, p, facts_on, cal)
    for rule in pack.eligibility_rules:
        twin = VECTOR_RULES.get(rule)
        if twin is None:
            raise VectorUnsupported(f"{pack.code}: rule {rule.__module__}.{rule.__name__} has no vectorised twin")
        twin(ctx)
    blocked = np.zeros(n, dtype=bool)
    for _, effect, mask in ctx.reasons:
        if effect in ("refuse", "pending"):
            blocked |= mask
    items = []
    subsidy = type(pack).subsidy_rule
    if subsidy is not None:
        twin = VECTOR_SUBSIDY_RULES.get(subsidy)
        if twin is None:
            raise VectorUnsupported(f"{pack.code}: subsidy rule {subsidy.__module__}.{subsidy.__name__} has no vectorised twin")
        items = twin(ctx, ~blocked)
    refused = np.zeros(n, dtype=bool)
    pending = np.zeros(n, dtype=bool)
    for code, effect, mask in ctx.reasons:
        result.reasons[code] += int(np.count_nonzero(mask))
        if effect == "refuse":
            refused |= mask
        elif effect == "pending":
            pending |= mask
    eligible = ~refused
    total = np.zeros(n, dtype=np.int64)
    for kind, payee, present, amounts in items:
        paid = np.where(eligible, amounts, 0)
        if np.any(present & eligible):  # the per-case counters gain a key with the first item, even at 0 fen
            fen = int(paid.sum())
            result.by_kind_fen[kind] += fen
            result.by_payee_fen[payee] += fen
        total += paid
    outcome = np.where(refused, OUTCOMES.index("refused"), np.where(pending, OUTCOMES.index("pending"), OUTCOMES.index("paid")))
    return eligible, total, outcome.astype(np.int8)


def summarise(province: str, cols: Columns, result: VectorResult, seconds: float, invalid: Counter | None = None) -> dict:
    """The same report shape as simulate.report (per-case engine), without the worker fields."""
    from .simulate import peak_memory_mb

    invalid = invalid or Counter()
    n = len(cols)
    key = cols["occupation"].astype(np.int64) * len(LEVELS) + cols["level"]
    size = len(cols.occupations) * len(LEVELS)
    counts = np.bincount(key, minlength=size)
    eligible = np.bincount(key, weights=result.eligible, minlength=size)
    fen = np.bincount(key, weights=result.total_fen, minlength=size)  # float64: exact below 2**53 fen
    table = {}
    for index in np.flatnonzero(counts).tolist():
        code, level = cols.occupations[index // len(LEVELS)], LEVELS[index % len(LEVELS)]
        table[f"{code}/{level}"] = {"cases": int(counts[index]), "eligible": int(eligible[index]), "total_fen": int(fen[index])}
    outcomes = np.bincount(result.outcome, minlength=len(OUTCOMES))
    cases = n + sum(invalid.values())
    return {
        "province": get_pack(province).code,
        "mode": "vectorised",
        "cases": cases,
        "invalid": sum(invalid.values()),
        "invalid_fields": dict(invalid.most_common()),
        "eligible": int(result.eligible.sum()),
        "total_fen": int(result.total_fen.sum()),
        "by_kind_fen": dict(result.by_kind_fen),
        "by_payee_fen": dict(result.by_payee_fen),
        "reasons": dict(Counter({k: v for k, v in result.reasons.items() if v}).most_common()),
        "outcomes": {name: int(outcomes[i]) for i, name in enumerate(OUTCOMES)},
        "by_occupation_level": dict(sorted(table.items())),
        "seconds": round(seconds, 3),
        "workers": 1,
        "throughput_cases_per_second": round(cases / seconds) if seconds else None,
        "peak_memory": peak_memory_mb(),
    }


def run(province: str, cols: Columns, params: ParameterSet | None = None, on: date | None = None, invalid: Counter | None = None,
        compare_with: ParameterSet | None = None) -> dict:
    """Evaluate (and optionally compare with a second parameter set); the simulate report's shape."""
    started = time.perf_counter()
    result = evaluate(province, cols, params, on)
    other = evaluate(province, cols, compare_with, on) if compare_with is not None else None
    report = summarise(province, cols, result, time.perf_counter() - started, invalid)
    if other is not None:
        report["compare"] = compare(cols, result, other)
    return report


# --- building columns in parallel, comparing two parameter sets ----------------------------


def concat(parts: list[Columns]) -> Columns:
    """Columns of several chunks, one after the other (history case indices shifted)."""
    if len(parts) == 1:
        return parts[0]
    arrays = {}
    offsets = np.cumsum([0] + [len(part) for part in parts[:-1]])
    for name in parts[0].arrays:
        if name == "h_case":
            arrays[name] = np.concatenate([part[name] + offset for part, offset in zip(parts, offsets)])
        else:
            arrays[name] = np.concatenate([part[name] for part in parts])
    return Columns([i for part in parts for i in part.ids], arrays, parts[0].occupations)


def _demo_chunk_columns(args: tuple) -> Columns:
    from .simulate import demo_cases

    province, seed, chunk_index, size = args
    return columns_from_cases(demo_cases(province, seed, chunk_index, size))


def demo_columns(province: str, n: int, seed: int = 1, workers: int | None = None) -> Columns:
    """The demo population of `simulate.demo_tasks(n, seed)` as columns, chunks built in parallel."""
    import multiprocessing
    import os

    from .simulate import demo_tasks

    tasks = [(province, *payload) for _, payload in demo_tasks(n, seed)]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(tasks) == 1:
        return concat([_demo_chunk_columns(task) for task in tasks])
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return concat(pool.map(_demo_chunk_columns, tasks, chunksize=4))


def compare(cols: Columns, a: VectorResult, b: VectorResult, max_examples: int = 5) -> dict:
    """simulate's comparison (second parameter set minus first) over whole columns."""
    delta = b.total_fen - a.total_fen
    changed = np.flatnonzero(delta)
    key = cols["occupation"].astype(np.int64) * len(LEVELS) + cols["level"]
    by_key = np.bincount(key[changed], weights=delta[changed], minlength=len(cols.occupations) * len(LEVELS))
    by_occupation_level = {
        f"{cols.occupations[i // len(LEVELS)]}/{LEVELS[i % len(LEVELS)]}": int(by_key[i]) for i in np.flatnonzero(by_key).tolist()
    }
    top = changed[np.argsort(-np.abs(delta[changed]), kind="stable")[:max_examples]]
    return {
        "gainers": int(np.count_nonzero(delta > 0)),
        "losers": int(np.count_nonzero(delta < 0)),
        "unchanged": int(np.count_nonzero(delta == 0)),
        "gain_fen": int(delta[delta > 0].sum()),
        "loss_fen": int(-delta[delta < 0].sum()),
        "total_b_fen": int(b.total_fen.sum()),
        "newly_eligible": int(np.count_nonzero(b.eligible & ~a.eligible)),
        "no_longer_eligible": int(np.count_nonzero(a.eligible & ~b.eligible)),
        "by_occupation_level_delta_fen": dict(sorted(by_occupation_level.items())),
        "examples": [
            {
                "id": cols.ids[i],
                "occupation_level": f"{cols.occupations[cols['occupation'][i]]}/{LEVELS[cols['level'][i]]}",
                "a_fen": int(a.total_fen[i]),
                "b_fen": int(b.total_fen[i]),
                "delta_fen": int(delta[i]),
            }
            for i in top.tolist()
        ],
        "net_change_fen": int(b.total_fen.sum() - a.total_fen.sum()),
    }
