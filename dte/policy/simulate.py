"""Evaluate a whole population against a pack, streaming (pure Python, no Django).

Cases flow through generators in fixed-size chunks; each worker process evaluates a
chunk into a small mergeable Summary, so memory stays flat whatever the population size.
Parameters are resolved once per date per process (ParameterSet snapshots, one untraced
binding per pair of dates), and no trace or Decision is built in bulk runs: each case goes
through `PolicyPack.outcome` — the same rules and reasons as `quote`. Demo populations are
generated already parsed (`population.demo_cases`, the same cases as `population.demo_chunk`).

For totals only, `vectorised.py` evaluates the same rules over NumPy columns (`--vectorised`).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Iterator

from dte.ops.memory import collector_paused

from .cases import Case, CaseError, parse_case
from .engine import ParameterSet
from .packs import get_pack
from .population import CHUNK_SIZE, chunked, demo_cases, read_population

MAX_EXAMPLES = 5


# --- results -----------------------------------------------------------------------------


@dataclass
class Summary:
    cases: int = 0
    invalid: int = 0
    eligible: int = 0
    total_fen: int = 0
    by_kind_fen: Counter = field(default_factory=Counter)
    by_payee_fen: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    invalid_fields: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)  # paid / pending / refused (vectorised.OUTCOMES)
    by_occupation_level: dict = field(default_factory=dict)  # "code/level" -> [cases, eligible, fen]
    compare: dict | None = None

    def merge(self, other: "Summary") -> None:
        self.cases += other.cases
        self.invalid += other.invalid
        self.eligible += other.eligible
        self.total_fen += other.total_fen
        self.by_kind_fen.update(other.by_kind_fen)
        self.by_payee_fen.update(other.by_payee_fen)
        self.reasons.update(other.reasons)
        self.invalid_fields.update(other.invalid_fields)
        self.outcomes.update(other.outcomes)
        for key, (n, e, fen) in other.by_occupation_level.items():
            row = self.by_occupation_level.setdefault(key, [0, 0, 0])
            row[0] += n
            row[1] += e
            row[2] += fen
        if other.compare is not None:
            if self.compare is None:
                self.compare = _empty_compare()
            mine, theirs = self.compare, other.compare
            for key in ("gainers", "losers", "unchanged", "gain_fen", "loss_fen", "total_b_fen"):
                mine[key] += theirs[key]
            mine["newly_eligible"] += theirs["newly_eligible"]
            mine["no_longer_eligible"] += theirs["no_longer_eligible"]
            mine["by_occupation_level_delta_fen"].update(theirs["by_occupation_level_delta_fen"])
            mine["examples"] = sorted(mine["examples"] + theirs["examples"], key=lambda e: -abs(e["delta_fen"]))[:MAX_EXAMPLES]


def _empty_compare() -> dict:
    return {
        "gainers": 0,
        "losers": 0,
        "unchanged": 0,
        "gain_fen": 0,
        "loss_fen": 0,
        "total_b_fen": 0,
        "newly_eligible": 0,
        "no_longer_eligible": 0,
        "by_occupation_level_delta_fen": Counter(),
        "examples": [],
    }


def parsed_cases(cases: Iterable[dict], summary: "Summary") -> Iterator[tuple[str | None, Case]]:
    """(id, Case) for every valid raw case; invalid ones are counted in `summary` by field."""
    for raw in cases:
        try:
            if "__error__" in raw:
                raise CaseError("case", raw["__error__"])
            case = parse_case(raw)
        except CaseError as error:
            summary.cases += 1
            summary.invalid += 1
            summary.invalid_fields[error.path] += 1
            continue
        yield raw.get("id"), case  # parse_case accepted it, so it is a mapping


def evaluate_chunk(province: str, cases: Iterable[dict], params: ParameterSet, compare: ParameterSet | None, on: date | None) -> Summary:
    summary = Summary(compare=_empty_compare() if compare is not None else None)
    return evaluate_parsed(province, parsed_cases(cases, summary), params, compare, on, summary)


def evaluate_parsed(province: str, pairs: Iterable[tuple[str | None, Case]], params: ParameterSet, compare: ParameterSet | None,
                    on: date | None, summary: Summary | None = None) -> Summary:
    """Quote every case (no trace) and add it to the chunk's Summary. Counters are keyed by
    cheap tuples while the chunk runs and turned into the report's keys once at its end."""
    pack = get_pack(province)
    decide = pack.outcome
    summary = summary or Summary(compare=_empty_compare() if compare is not None else None)
    table: dict[tuple[str, str], list[int]] = {}
    items_seen: Counter = Counter()  # (kind, payee) -> fen
    reasons = summary.reasons
    outcomes = summary.outcomes
    cases = eligible_count = total_fen = 0
    for case_id, case in pairs:
        cases += 1
        eligible, items, case_reasons = decide(case, on, params)
        course = case.course
        key = (course.occupation_code, course.level)
        row = table.get(key)
        if row is None:
            row = table[key] = [0, 0, 0]
        row[0] += 1
        total = 0
        for item in items:
            total += item.amount_fen
            items_seen[item.kind, item.payee] += item.amount_fen
        row[2] += total
        total_fen += total
        pending = False
        for reason in case_reasons:
            reasons[reason.code] += 1
            if reason.effect == "pending":
                pending = True
        if eligible:
            eligible_count += 1
            row[1] += 1
            outcomes["pending" if pending else "paid"] += 1
        else:
            outcomes["refused"] += 1
        if compare is not None:
            a = pack.quote(case, on, params, False)
            _compare_one(summary.compare, {"id": case_id}, case, a, pack.quote(case, on, compare, False), f"{key[0]}/{key[1]}")
    summary.cases += cases
    summary.eligible += eligible_count
    summary.total_fen += total_fen
    for (kind, payee), fen in items_seen.items():
        summary.by_kind_fen[kind] += fen
        summary.by_payee_fen[payee] += fen
    by_key = summary.by_occupation_level
    for (code, level), (n, e, fen) in table.items():
        row = by_key.setdefault(f"{code}/{level}", [0, 0, 0])
        row[0] += n
        row[1] += e
        row[2] += fen
    return summary


def _compare_one(result: dict, raw: dict, case, a, b, key: str) -> None:
    delta = b.total_fen - a.total_fen
    result["total_b_fen"] += b.total_fen
    if delta > 0:
        result["gainers"] += 1
        result["gain_fen"] += delta
    elif delta < 0:
        result["losers"] += 1
        result["loss_fen"] += -delta
    else:
        result["unchanged"] += 1
    result["newly_eligible"] += int(b.eligible and not a.eligible)
    result["no_longer_eligible"] += int(a.eligible and not b.eligible)
    if delta:
        result["by_occupation_level_delta_fen"][key] += delta
        examples = result["examples"]
        if len(examples) < MAX_EXAMPLES or abs(delta) > abs(examples[-1]["delta_fen"]):
            examples.append({"id": raw.get("id"), "occupation_level": key, "a_fen": a.total_fen, "b_fen": b.total_fen, "delta_fen": delta})
            examples.sort(key=lambda e: -abs(e["delta_fen"]))
            del examples[MAX_EXAMPLES:]


# --- running -----------------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(province, params, compare, on) -> None:
    _WORKER.update(province=province, params=params, compare=compare, on=on)


def _run_task(task) -> Summary:
    # a chunk allocates a few million short-lived, acyclic objects (cases, reasons, items) that reference
    # counting frees; the cyclic collector would mostly rescan them (the one pause mechanism, dte.ops.memory)
    with collector_paused():
        return _evaluate_task(task)


def _evaluate_task(task) -> Summary:
    kind, payload = task
    w = _WORKER
    if kind == "demo":  # generated already parsed: the same cases as demo_chunk, without the dicts
        return evaluate_parsed(w["province"], demo_cases(w["province"], *payload), w["params"], w["compare"], w["on"])
    return evaluate_chunk(w["province"], payload, w["params"], w["compare"], w["on"])


def demo_tasks(n: int, seed: int) -> Iterator[tuple]:
    for chunk_index, start in enumerate(range(0, n, CHUNK_SIZE)):
        yield ("demo", (seed, chunk_index, min(CHUNK_SIZE, n - start)))


def file_tasks(path: str) -> Iterator[tuple]:
    for chunk in chunked(read_population(path)):
        yield ("cases", chunk)


def peak_memory_mb() -> dict:
    """Peak resident memory (ru_maxrss is in KiB on Linux): this process and the largest worker."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"main_mb": round(own, 1), "largest_worker_mb": round(children, 1)}


def run(province: str, tasks: Iterable[tuple], params: ParameterSet, compare: ParameterSet | None = None, on: date | None = None, workers: int | None = None) -> dict:
    """Evaluate every task, keeping at most 2 chunks per worker in flight (streaming)."""
    workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    total = Summary(compare=_empty_compare() if compare is not None else None)
    if workers == 1:
        _init_worker(province, params, compare, on)
        for task in tasks:
            total.merge(_run_task(task))
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(province, params, compare, on)) as pool:
            pending = set()
            for task in tasks:
                pending.add(pool.submit(_run_task, task))
                if len(pending) >= workers * 2:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        total.merge(future.result())
            for future in pending:
                total.merge(future.result())
    elapsed = time.perf_counter() - started
    return report(province, total, elapsed, workers)


def report(province: str, s: Summary, elapsed: float, workers: int) -> dict:
    result = {
        "province": province,
        "cases": s.cases,
        "invalid": s.invalid,
        "invalid_fields": dict(s.invalid_fields.most_common()),
        "eligible": s.eligible,
        "total_fen": s.total_fen,
        "by_kind_fen": dict(s.by_kind_fen),
        "by_payee_fen": dict(s.by_payee_fen),
        "reasons": dict(s.reasons.most_common()),
        "outcomes": {name: s.outcomes[name] for name in ("paid", "pending", "refused")},
        "by_occupation_level": {
            key: {"cases": n, "eligible": e, "total_fen": fen} for key, (n, e, fen) in sorted(s.by_occupation_level.items())
        },
        "seconds": round(elapsed, 2),
        "workers": workers,
        "throughput_cases_per_second": round(s.cases / elapsed) if elapsed else None,
        "peak_memory": peak_memory_mb(),
    }
    if s.compare is not None:
        c = dict(s.compare)
        c["by_occupation_level_delta_fen"] = dict(sorted(c["by_occupation_level_delta_fen"].items()))
        c["net_change_fen"] = c["total_b_fen"] - s.total_fen
        result["compare"] = c
    return result
