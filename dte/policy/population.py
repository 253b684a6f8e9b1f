"""Populations for the policy simulation (pure Python, no Django): where the cases come from.

* the synthetic demo population — deterministic: the same (seed, chunk) always gives the same cases, however
  many processes share the run. `demo_chunk` yields JSON-like case dicts (as a file or the API would give
  them); `demo_cases` yields the same cases already parsed (`(id, Case)`), drawing the same random numbers in
  the same order without building the dicts (test_simulate checks the two agree for every province);
* a population file — `read_population` streams .csv (dotted column names) or .jsonl cases;
* `chunked` cuts any stream into the simulation's chunks of CHUNK_SIZE cases.

`simulate.py` evaluates them; `vectorised/` turns the demo population into NumPy columns."""

from __future__ import annotations

import csv
import json
import random
from bisect import bisect
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable, Iterator

from .cases import Case, ClassInfo, Course, HistoryEntry, LevelCertificate, Trainee
from .occupations import LEVELS, load_occupations
from .packs import get_pack

CHUNK_SIZE = 5000  # cases per chunk (one worker task); also numbers the demo cases: demo-<chunk × CHUNK_SIZE + n>


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
                        yield json.loads(line, parse_float=Decimal)  # hours 64.5 exactly (cases._hours)
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
