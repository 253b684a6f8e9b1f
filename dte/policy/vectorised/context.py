"""Vector twins of the date and person facts of cases.py and packs/common.py, and the evaluation context."""


from datetime import date

import numpy as np

from ..cases import STATUSES
from ..engine import BoundParameters
from ..occupations import LEVELS

from .columns import Columns, _tri

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
    from ..cases import Trainee

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
