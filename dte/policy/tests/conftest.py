"""Case builders for the policy tests: a valid base case per province, tweaked per test."""

import copy
from datetime import date, timedelta

import pytest

from dte.policy.cases import parse_case
from dte.policy.packs import get_pack

HOME = {"tibet": "54", "shanxi": "14", "guangxi": "45", "tianjin": "12", "yunnan": "53"}


def case_dict(province="shanxi", **changes):
    """The issue's example case, moved to `province`; `changes` use dotted paths,
    e.g. make(**{"course.training_days": 60}). A value of None deletes the field."""
    home = HOME[province]
    data = {
        "trainee": {"birth_date": "2001-05-01", "status": "graduate", "graduation_date": "2025-06-30", "employed_after_training": True},
        "course": {
            "occupation_code": "2-02-10-11",
            "level": "junior",
            "mode": "subsidised",
            "institution_province": home,
            "start_date": "2026-03-01",
            "end_date": "2026-03-20",
            "training_days": 12,
            "hours_total": 128,
            "hours_online": 60,
            "training_certificate": True,
            "level_certificate": {"issued_on": "2026-04-20", "province": home},
        },
        "class": {"size": 50, "employed_after_training": 40},
        "history": [],
    }
    data = copy.deepcopy(data)
    days = changes.get("course.training_days")
    if isinstance(days, int) and days > 20 and "course.end_date" not in changes:
        # keep the case coherent (issue 13 item 8): the course's dates must hold its days
        data["course"]["end_date"] = (date(2026, 3, 1) + timedelta(days=days - 1)).isoformat()
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        target = data
        for part in parents:
            target = target[part]
        if value is None:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return data


def quote(province, on=None, params=None, **changes):
    return get_pack(province).quote(parse_case(case_dict(province, **changes)), on=on, params=params)


def codes(decision):
    return [r.code for r in decision.reasons]


@pytest.fixture
def make():
    return case_dict
