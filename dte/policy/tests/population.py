"""A varied synthetic population for comparing evaluation paths: unlike the demo population it
reaches every branch of the rules — unknown facts, explicit facts beside the status, schools,
exams, claim dates, living allowances already granted, missing classes, hours and days, other
provinces' certificates, and dates before a pack took effect or across a parameter change."""

from __future__ import annotations

import random
from datetime import date, timedelta

from dte.policy.cases import CaseError, parse_case
from dte.policy.occupations import LEVELS, load_occupations
from dte.policy.packs import get_pack


def _maybe(rng: random.Random, value, p_none: float = 0.15):
    return None if rng.random() < p_none else value


def varied_case(rng: random.Random, home: str, codes: list[str]) -> dict:
    start = date(2021, 1, 1) + timedelta(days=rng.randrange(2400))  # 2021 – 2027: before and after each pack
    days = rng.randrange(0, 40)
    end = start + timedelta(days=days + rng.randrange(0, 5))
    hours = _maybe(rng, rng.choice((0, 40, 64, 96, 128, 160, 192, 256)))
    occupation = rng.choice(codes)
    level = rng.choice(LEVELS)
    history = []
    for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3))):
        history.append(
            {
                "date": (start - timedelta(days=rng.randrange(-30, 900))).isoformat(),
                "kind": rng.choice(("training_subsidy", "training_subsidy", "living_allowance")),
                "occupation_code": occupation if rng.random() < 0.6 else _maybe(rng, rng.choice(codes)),
                "level": _maybe(rng, rng.choice(LEVELS)),
                "amount_fen": 80000,
            }
        )
    size = rng.randrange(1, 61)
    graduation = start - timedelta(days=rng.randrange(-400, 1600))
    if rng.random() < 0.1:  # 29 February graduations: the year-shift edge
        graduation = date(rng.choice((2020, 2024)), 2, 29)
    return {
        "id": f"v-{rng.randrange(10**9)}",
        "trainee": {
            "status": _maybe(rng, rng.choice(("graduate", "employee", "unemployed", "freelancer", "student", "retired")), 0.1),
            "graduation_date": _maybe(rng, graduation.isoformat()),
            "employed_after_training": _maybe(rng, rng.random() < 0.7, 0.2),
            "employed": _maybe(rng, rng.random() < 0.5, 0.8),
            "in_school": _maybe(rng, rng.random() < 0.5, 0.85),
            "retired": _maybe(rng, rng.random() < 0.3, 0.9),
            "school_type": _maybe(rng, rng.choice(("university", "vocational", "technical")), 0.6),
            "full_time": _maybe(rng, rng.random() < 0.7, 0.6),
        },
        "course": {
            "occupation_code": occupation,
            "level": level,
            "mode": rng.choice(("subsidised", "subsidised", "order", "project", "market", "paired_aid")),
            "institution_province": _maybe(rng, home if rng.random() < 0.85 else rng.choice(("11", "14", "54"))),
            "start_date": _maybe(rng, start.isoformat(), 0.05),
            "end_date": _maybe(rng, end.isoformat()),
            "enrolment_date": _maybe(rng, (start - timedelta(days=rng.randrange(0, 60))).isoformat(), 0.5),
            "training_days": _maybe(rng, days, 0.1),
            "hours_total": hours,
            "hours_online": None if hours is None else _maybe(rng, rng.randrange(0, hours + 1)),
            "training_certificate": rng.random() < 0.85,
            "level_certificate": {"issued_on": (end + timedelta(days=30)).isoformat(), "province": _maybe(rng, home if rng.random() < 0.85 else "11")}
            if rng.random() < 0.75
            else None,
            "exam": {"theory_passed": _maybe(rng, rng.random() < 0.85, 0.5), "ability_passed": _maybe(rng, rng.random() < 0.85, 0.5)},
        },
        "class": {"size": size, "employed_after_training": rng.randrange(0, size + 1)} if rng.random() < 0.85 else None,
        "history": history,
        "claim_date": _maybe(rng, (end + timedelta(days=rng.randrange(0, 800))).isoformat(), 0.4),
    }


def varied_population(province: str, n: int, seed: int = 1) -> list[tuple[str, object]]:
    """(id, Case) pairs of `n` valid varied cases for `province`."""
    rng = random.Random(f"varied:{seed}:{province}")
    home = get_pack(province).division_code[:2]
    codes = [o.code for o in load_occupations()]
    pairs = []
    while len(pairs) < n:
        raw = varied_case(rng, home, codes)
        try:
            pairs.append((raw["id"], parse_case(raw)))
        except CaseError:
            continue
    return pairs
