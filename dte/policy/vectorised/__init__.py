"""What-if mode over columns of cases (NumPy): totals without per-case reasons.

The per-case engine (packs/*/rules.py, packs/common.py) is the policy of record: it gives
every case its reasons with their messages. This module answers the other question a policy
owner asks — "what does this parameter change cost over the whole population?" — by running
the same rules as array expressions over columns, millions of cases a second. Each vector
rule (rules.py) names the rule it mirrors (and so its document clause); parameters are read from
the same ParameterSet (what-if overrides included), per distinct parameter snapshot.

A test (tests/test_vectorised.py) runs both on the same population for every province and
requires the same eligible count, total fen, per-kind and per-payee fen, per-outcome counts,
per-reason-code counts and per-occupation/level rows. A pack rule with no vector twin here
makes `evaluate` refuse (VectorUnsupported), never silently skip it.
"""



import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ..engine import BoundParameters, ParameterSet
from ..occupations import LEVELS
from ..packs import get_pack

from .columns import OUTCOMES, Columns, VectorUnsupported, _CASE_FIELDS, _DATE_FIELDS, _EPOCH_ORDINAL, _HISTORY_FIELDS, columns_from_cases, concat, demo_columns  # noqa: F401 (the public API)
from .context import Calendar, Context, _shift_years  # noqa: F401
from .rules import VECTOR_RULES, VECTOR_SUBSIDY_RULES  # noqa: F401

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
    from ..simulate import peak_memory_mb

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
