"""Streaming simulation: deterministic demo, CSV/JSONL populations, merging, comparison."""

import csv
import json
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from dte.policy import population as pop
from dte.policy import simulate as sim
from dte.policy.cases import parse_case
from dte.policy.engine import parse_overrides
from dte.policy.packs import PACK_MODULES, get_pack

from .conftest import case_dict
from .population import varied_population


def test_demo_is_deterministic_per_seed():
    first = list(pop.demo_chunk("shanxi", 7, 0, 50))
    assert first == list(pop.demo_chunk("shanxi", 7, 0, 50))
    assert first != list(pop.demo_chunk("shanxi", 8, 0, 50))


def test_parallel_and_serial_runs_agree():
    params = get_pack("tianjin").parameters
    serial = sim.run("tianjin", sim.demo_tasks(12000, 3), params, workers=1)
    parallel = sim.run("tianjin", sim.demo_tasks(12000, 3), params, workers=2)
    for key in ("cases", "eligible", "total_fen", "reasons", "by_occupation_level", "by_kind_fen"):
        assert serial[key] == parallel[key]
    assert serial["cases"] == 12000


def test_simulated_total_equals_sum_of_single_quotes():
    pack = get_pack("shanxi")
    cases = list(pop.demo_chunk("shanxi", 1, 0, 300))
    expected = sum(pack.quote(parse_case(c)).total_fen for c in cases)
    result = sim.run("shanxi", [("cases", cases)], pack.parameters, workers=1)
    assert result["total_fen"] == expected


def _write_csv(path, rows):
    columns = ["id", "trainee.status", "trainee.graduation_date", "trainee.employed_after_training", "course.occupation_code",
               "course.level", "course.institution_province", "course.start_date", "course.training_days",
               "course.training_certificate", "class.size", "class.employed_after_training", "history"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


def test_csv_population_with_invalid_rows_counted(tmp_path):
    row = {"id": "a", "trainee.status": "graduate", "trainee.graduation_date": "2025-06-30", "trainee.employed_after_training": "true",
           "course.occupation_code": "2-02-10-11", "course.level": "junior", "course.institution_province": "14",
           "course.start_date": "2026-03-01", "course.training_days": "12", "course.training_certificate": "1",
           "class.size": "50", "class.employed_after_training": "40", "history": "[]"}
    path = tmp_path / "people.csv"
    _write_csv(path, [row, {**row, "id": "b", "course.training_days": "60"}, {**row, "id": "c", "course.level": "guru"}])
    result = sim.run("shanxi", sim.file_tasks(str(path)), get_pack("shanxi").parameters, workers=1)
    assert (result["cases"], result["invalid"], result["total_fen"]) == (3, 1, 170000 + 500000)
    assert result["invalid_fields"] == {"course.level": 1}
    assert result["by_occupation_level"]["2-02-10-11/junior"] == {"cases": 2, "eligible": 2, "total_fen": 670000}


def test_jsonl_population_and_compare(tmp_path):
    path = tmp_path / "people.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"p{i}", **case_dict("tibet")}) for i in range(4)) + "\n", encoding="utf-8")
    pack = get_pack("tibet")
    what_if = pack.parameters.with_overrides(parse_overrides({"training_subsidy_fen": 50000}))
    result = sim.run("tibet", sim.file_tasks(str(path)), pack.parameters, compare=what_if, workers=1)
    assert result["total_fen"] == 0 and result["reasons"] == {"STANDARD_NOT_PUBLISHED": 4}
    compare = result["compare"]
    assert (compare["gainers"], compare["gain_fen"], compare["losers"], compare["total_b_fen"]) == (4, 200000, 0, 200000)
    assert compare["examples"][0]["delta_fen"] == 50000


def test_chunks_are_bounded():
    chunks = list(pop.chunked(range(12), 5))
    assert [len(c) for c in chunks] == [5, 5, 2]


# --- old and new paths give the same results (issue 12 item 3: no behaviour lost) -------------

@pytest.mark.parametrize("province", list(PACK_MODULES))
def test_demo_cases_are_the_parsed_demo_chunk(province):
    raw = list(pop.demo_chunk(province, 9, 3, 2000))
    assert list(pop.demo_cases(province, 9, 3, 2000)) == [(r["id"], parse_case(r)) for r in raw]


@pytest.mark.parametrize("province", list(PACK_MODULES))
def test_untraced_quote_gives_the_traced_decision(province):
    """The bulk path (no trace) decides every case exactly as the traced quote of one case:
    same eligibility, items and reasons with their messages and citations."""
    pack = get_pack(province)
    for _, case in varied_population(province, 1000, seed=2):
        traced = pack.quote(case)
        untraced = pack.quote(case, trace=False)
        assert untraced.trace == [] and traced.trace
        assert replace(untraced, trace=traced.trace) == traced
        assert pack.outcome(case) == (traced.eligible, traced.items, traced.reasons)  # the simulation's path
        on = pack.quote(case, on=date(2026, 5, 1))
        assert pack.outcome(case, on=date(2026, 5, 1)) == (on.eligible, on.items, on.reasons)


def _old_summary(province, raws, params):
    """The simulation as it was before issue 12: parse each raw case, quote, count."""
    pack = get_pack(province)
    s = {"cases": 0, "eligible": 0, "total_fen": 0, "by_kind_fen": Counter(), "by_payee_fen": Counter(), "reasons": Counter(), "by_occupation_level": {}}
    for raw in raws:
        s["cases"] += 1
        case = parse_case(raw)
        decision = pack.quote(case, params=params)
        key = f"{case.course.occupation_code}/{case.course.level}"
        row = s["by_occupation_level"].setdefault(key, {"cases": 0, "eligible": 0, "total_fen": 0})
        row["cases"] += 1
        row["total_fen"] += decision.total_fen
        row["eligible"] += decision.eligible
        s["eligible"] += decision.eligible
        s["total_fen"] += decision.total_fen
        for item in decision.items:
            s["by_kind_fen"][item.kind] += item.amount_fen
            s["by_payee_fen"][item.payee] += item.amount_fen
        s["reasons"].update(r.code for r in decision.reasons)
    return s


@pytest.mark.parametrize("province", list(PACK_MODULES))
def test_new_simulation_path_reports_what_the_old_one_did(province):
    params = get_pack(province).parameters
    raws = list(pop.demo_chunk(province, 4, 0, 1500))
    old = _old_summary(province, raws, params)
    new = sim.run(province, sim.demo_tasks(1500, 4), params, workers=1)
    for key, value in old.items():
        assert new[key] == (dict(value) if isinstance(value, Counter) else value), key
    assert sum(new["outcomes"].values()) == new["cases"]
