"""Evaluate a whole population against a pack, streaming (pure Python, no Django).

Cases flow through generators in fixed-size chunks; each worker process evaluates a
chunk into a small mergeable Summary, so memory stays flat whatever the population size.
Parameters are resolved once per date per process (ParameterSet snapshots, one untraced
binding per pair of dates), and no trace or Decision is built in bulk runs: each case goes
through `PolicyPack.outcome` — the same rules and reasons as `quote`. Demo populations are
generated already parsed (`demo_cases`, the same cases as `demo_chunk`).

For totals only, `vectorised.py` evaluates the same rules over NumPy columns (`--vectorised`).
"""

from __future__ import annotations

import csv
import gc
import json
import multiprocessing
import os
import random
import resource
import time
from bisect import bisect
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Iterator

from .cases import Case, CaseError, ClassInfo, Course, HistoryEntry, LevelCertificate, Trainee, parse_case
from .engine import ParameterSet
from .occupations import LEVELS, load_occupations
from .packs import get_pack

CHUNK_SIZE = 5000
MAX_EXAMPLES = 5


# --- populations -------------------------------------------------------------------------


def demo_chunk(province: str, seed: int, chunk_index: int, size: int) -> Iterator[dict]:
    """Deterministic synthetic cases: the same (seed, chunk) always gives the same cases,
    however many workers share the run."""
    rng = random.Random(f"{seed}:{chunk_index}")
    home = get_pack(province).division_code[:2]
    codes = [o.code for o in load_occupations()]
    statuses = ("graduate", "employee", "unemployed", "freelancer", "student", "retired")
    status_weights = (30, 30, 15, 10, 10, 5)
    base = date(2026, 1, 1)
    for offset in range(size):
        start = base + timedelta(days=rng.randrange(330))
        days = rng.randrange(3, 40)
        hours = rng.choice((60, 64, 80, 90, 100, 120, 128, 160, 192))
        size_of_class = rng.randrange(20, 61)
        occupation = rng.choice(codes)
        level = rng.choice(LEVELS)
        history = []
        if rng.random() < 0.2:
            history.append(
                {
                    "date": (start - timedelta(days=rng.randrange(30, 700))).isoformat(),
                    "kind": "training_subsidy",
                    "occupation_code": occupation if rng.random() < 0.5 else rng.choice(codes),
                    "level": rng.choice(LEVELS),
                    "amount_fen": 80000,
                }
            )
        yield {
            "id": f"demo-{chunk_index * CHUNK_SIZE + offset}",
            "trainee": {
                "status": rng.choices(statuses, status_weights)[0],
                "graduation_date": (start - timedelta(days=rng.randrange(-200, 1200))).isoformat(),
                "employed_after_training": rng.random() < 0.75,
            },
            "course": {
                "occupation_code": occupation,
                "level": level,
                "mode": rng.choices(("subsidised", "order", "project", "market"), (60, 15, 15, 10))[0],
                "institution_province": home if rng.random() < 0.95 else "11",
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=days)).isoformat(),
                "training_days": days,
                "hours_total": hours,
                "hours_online": rng.randrange(0, hours + 1),
                "training_certificate": rng.random() < 0.92,
                "level_certificate": {"issued_on": (start + timedelta(days=days + 30)).isoformat(), "province": home if rng.random() < 0.95 else "11"}
                if rng.random() < 0.8
                else None,
            },
            "class": {"size": size_of_class, "employed_after_training": rng.randrange(size_of_class // 2, size_of_class + 1)},
            "history": history,
        }


_DEMO_STATUSES = ("graduate", "employee", "unemployed", "freelancer", "student", "retired")
_DEMO_STATUS_CUM = (30, 60, 75, 85, 95, 100)  # cumulative weights 30, 30, 15, 10, 10, 5
_DEMO_MODES = ("subsidised", "order", "project", "market")
_DEMO_MODE_CUM = (60, 75, 90, 100)  # cumulative weights 60, 15, 15, 10
_DEMO_HOURS = (60, 64, 80, 90, 100, 120, 128, 160, 192)
_DAYS = [timedelta(days=n) for n in range(-1200, 1201)]  # _DAYS[1200 + n] == timedelta(n)


# Frozen facts shared by the demo cases of every chunk a process generates (same facts, one object).
_SHARED: dict[str, dict] = {"classes": {}, "trainees": {}, "certificates": {}}


def demo_cases(province: str, seed: int, chunk_index: int, size: int) -> Iterator[tuple[str, Case]]:
    """The cases of `demo_chunk`, already parsed: the same random draws in the same order,
    so `(id, parse_case(raw))` for every raw case of demo_chunk(province, seed, chunk_index, size)
    (test_simulate checks this per province). Skips building and re-reading a JSON-like dict
    per case, which cost more than deciding it. randrange(n) and choice() draw
    Random._randbelow(n): getrandbits(n.bit_length()) until the draw is below n; it is written
    out here (a function call per draw cost more than the draw). People with the same facts
    share one Trainee (they are frozen)."""
    rng = random.Random(f"{seed}:{chunk_index}")
    home = get_pack(province).division_code[:2]
    codes = [o.code for o in load_occupations()]
    n_codes, n_levels = len(codes), len(LEVELS)
    k_codes, k_levels = n_codes.bit_length(), n_levels.bit_length()
    bits, uniform = rng.getrandbits, rng.random
    base = date(2026, 1, 1)
    starts = [base + timedelta(days=n) for n in range(330)]
    days_ = _DAYS
    classes, trainees, certificates = _SHARED["classes"], _SHARED["trainees"], _SHARED["certificates"]
    if len(trainees) > 200_000:  # bounded: the demo has ~20,000 distinct people
        trainees.clear()
    first_id = chunk_index * CHUNK_SIZE
    for offset in range(size):
        r = bits(9)  # randrange(330): 330 has 9 bits
        while r >= 330:
            r = bits(9)
        start = starts[r]
        r = bits(6)  # randrange(3, 40) = 3 + below(37)
        while r >= 37:
            r = bits(6)
        days = 3 + r
        r = bits(4)  # choice of 9 hours
        while r >= 9:
            r = bits(4)
        hours = _DEMO_HOURS[r]
        r = bits(6)  # randrange(20, 61) = 20 + below(41)
        while r >= 41:
            r = bits(6)
        size_of_class = 20 + r
        r = bits(k_codes)
        while r >= n_codes:
            r = bits(k_codes)
        occupation = codes[r]
        r = bits(k_levels)
        while r >= n_levels:
            r = bits(k_levels)
        level = LEVELS[r]
        history: tuple = ()
        if uniform() < 0.2:
            r = bits(10)  # randrange(30, 700) days before = 30 + below(670)
            while r >= 670:
                r = bits(10)
            when = start - days_[1230 + r]
            if uniform() < 0.5:
                other = occupation
            else:
                r = bits(k_codes)
                while r >= n_codes:
                    r = bits(k_codes)
                other = codes[r]
            r = bits(k_levels)
            while r >= n_levels:
                r = bits(k_levels)
            history = (HistoryEntry(when, "training_subsidy", other, LEVELS[r], 80000),)
        # random.choices(population, weights) draws random() * total and bisects the cumulative weights
        status = _DEMO_STATUSES[bisect(_DEMO_STATUS_CUM, uniform() * 100.0, 0, 5)]
        r = bits(11)  # randrange(-200, 1200) days before = -200 + below(1400)
        while r >= 1400:
            r = bits(11)
        graduation = start - days_[1000 + r]
        person = (status, graduation, uniform() < 0.75)
        trainee = trainees.get(person)
        if trainee is None:
            trainee = trainees[person] = Trainee(status, None, graduation, person[2])
        mode = _DEMO_MODES[bisect(_DEMO_MODE_CUM, uniform() * 100.0, 0, 3)]
        institution = home if uniform() < 0.95 else "11"
        n = hours + 1  # randrange(hours + 1)
        k = n.bit_length()
        online = bits(k)
        while online >= n:
            online = bits(k)
        trained = uniform() < 0.92
        certificate = None
        if uniform() < 0.8:
            issued = (start + days_[1230 + days], home if uniform() < 0.95 else "11")
            certificate = certificates.get(issued)
            if certificate is None:
                certificate = certificates[issued] = LevelCertificate(*issued)
        n = size_of_class - size_of_class // 2 + 1  # randrange(size // 2, size + 1)
        k = n.bit_length()
        r = bits(k)
        while r >= n:
            r = bits(k)
        key = (size_of_class, size_of_class // 2 + r)
        klass = classes.get(key)
        if klass is None:
            klass = classes[key] = ClassInfo(*key)
        course = Course(occupation, level, mode, institution, start, start + days_[1200 + days], days, hours, online, trained, certificate)
        yield f"demo-{first_id + offset}", Case(trainee, course, klass, history)


def _unflatten(row: dict) -> dict:
    """CSV columns are dotted paths ("course.level"); `history` holds a JSON list."""
    case: dict = {}
    for key, raw in row.items():
        if key is None or raw is None or raw == "":
            continue
        if key == "history":
            raw = json.loads(raw)
        target = case
        *parents, leaf = key.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = raw
    return case


def read_population(path: str) -> Iterator[dict]:
    """Stream cases from a .csv (dotted column names) or .jsonl/.ndjson file (one case per line)."""
    with open(path, encoding="utf-8", newline="") as handle:
        if path.endswith((".jsonl", ".ndjson", ".json")):
            for line_number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError:
                        yield {"__error__": f"line {line_number}: invalid JSON"}
        else:
            for row in csv.DictReader(handle):
                try:
                    yield _unflatten(row)
                except json.JSONDecodeError:
                    yield {"__error__": f"row {row.get('id', '?')}: history is not valid JSON"}


def chunked(items: Iterable, size: int = CHUNK_SIZE) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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


class _FewerCollections:
    """A chunk allocates a few million short-lived, acyclic objects (cases, reasons, items) that
    reference counting frees; the cyclic collector's default of a pass every 700 allocations
    mostly rescans them. Collect less often while a chunk runs (~5–10 % of the time), then restore."""

    def __enter__(self):
        self.saved = gc.get_threshold()
        gc.set_threshold(50_000, 50, 100)

    def __exit__(self, *exc):
        gc.set_threshold(*self.saved)


def _run_task(task) -> Summary:
    with _FewerCollections():
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
