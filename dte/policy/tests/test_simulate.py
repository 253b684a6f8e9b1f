"""Streaming simulation: deterministic demo, CSV/JSONL populations, merging, comparison."""

import csv
import json

from dte.policy import simulate as sim
from dte.policy.cases import parse_case
from dte.policy.engine import parse_overrides
from dte.policy.packs import get_pack

from .conftest import case_dict


def test_demo_is_deterministic_per_seed():
    first = list(sim.demo_chunk("shanxi", 7, 0, 50))
    assert first == list(sim.demo_chunk("shanxi", 7, 0, 50))
    assert first != list(sim.demo_chunk("shanxi", 8, 0, 50))


def test_parallel_and_serial_runs_agree():
    params = get_pack("tianjin").parameters
    serial = sim.run("tianjin", sim.demo_tasks(12000, 3), params, workers=1)
    parallel = sim.run("tianjin", sim.demo_tasks(12000, 3), params, workers=2)
    for key in ("cases", "eligible", "total_fen", "reasons", "by_occupation_level", "by_kind_fen"):
        assert serial[key] == parallel[key]
    assert serial["cases"] == 12000


def test_simulated_total_equals_sum_of_single_quotes():
    pack = get_pack("shanxi")
    cases = list(sim.demo_chunk("shanxi", 1, 0, 300))
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
    chunks = list(sim.chunked(range(12), 5))
    assert [len(c) for c in chunks] == [5, 5, 2]
