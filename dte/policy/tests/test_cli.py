"""`dte policy quote|explain|simulate`: decisions exit 0, malformed input exits 2."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import case_dict

# `quote` reads the standards officials entered in the catalogue (an empty database here).
pytestmark = pytest.mark.django_db


DTE = Path(sys.executable).with_name("dte")


def run_quote(*args, stdin):
    out = io.StringIO()
    call_command("policy", "quote", *args, stdin=io.StringIO(stdin), stdout=out)
    return json.loads(out.getvalue())


def test_quote_prints_decision():
    data = run_quote("--province", "shanxi", stdin=json.dumps(case_dict("shanxi")))
    assert data["eligible"] is True and data["total_fen"] == 170000
    assert data["items"][0]["payee"] == "institution" and data["trace"]


def test_quote_accepts_wrapped_case_and_what_if_parameters(tmp_path):
    overrides = tmp_path / "tibet.yaml"
    overrides.write_text("training_subsidy_fen:\n  value: 99900\n  citation: 测算假设\n", encoding="utf-8")
    data = run_quote("--province", "tibet", "--parameters", str(overrides), stdin=json.dumps({"case": case_dict("tibet")}))
    assert data["total_fen"] == 99900 and data["items"][0]["citation"] == "测算假设"


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["--province", "hebei"], json.dumps(case_dict()), "未知省份"),
        (["--province", "shanxi", "--on", "2026-02-30"], json.dumps(case_dict()), "日期"),
        (["--province", "shanxi"], "{not json", "JSON"),
        (["--province", "shanxi"], json.dumps(case_dict(**{"course.occupation_code": "2-02-99-99"})), "course.occupation_code"),
        (["--province", "shanxi"], json.dumps(case_dict(**{"course.training_days": -3})), "course.training_days"),
        (["--province", "shanxi"], json.dumps(case_dict(**{"course.level": "master"})), "course.level"),
        (["--province", "shanxi"], json.dumps(case_dict(**{"trainee.status": "pupil"})), "trainee.status"),
        (["--province", "shanxi"], json.dumps(case_dict(**{"course.mode": "gift"})), "course.mode"),
    ],
)
def test_malformed_input_is_command_error_with_returncode_2(args, stdin, message):
    with pytest.raises(CommandError) as error:
        run_quote(*args, stdin=stdin)
    assert error.value.returncode == 2 and message in str(error.value)


def test_unknown_override_parameter_exit_2(tmp_path):
    overrides = tmp_path / "bad.json"
    overrides.write_text('{"no_such_parameter": 1}', encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run_quote("--province", "tibet", "--parameters", str(overrides), stdin=json.dumps(case_dict("tibet")))
    assert error.value.returncode == 2 and "no_such_parameter" in str(error.value)


@pytest.mark.skipif(not DTE.exists(), reason="console script not installed")
def test_real_process_exit_codes():
    ok = subprocess.run([str(DTE), "policy", "quote", "--province", "tianjin"], input=json.dumps(case_dict("tianjin")), capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and json.loads(ok.stdout)["total_fen"] == 351900 + 100000
    bad = subprocess.run([str(DTE), "policy", "quote", "--province", "tianjin"], input="[1,", capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "JSON" in bad.stderr and bad.stdout == ""


def test_explain_text_and_json():
    out = io.StringIO()
    call_command("policy", "explain", "tianjin", "--on", "2026-01-01", stdout=out)
    text = out.getvalue()
    assert "津人社办发〔2022〕94号 附件3" in text and "大数据工程技术人员" in text and "from 2022-11-30" in text
    out = io.StringIO()
    call_command("policy", "explain", "shanxi", "--json", stdout=out)
    data = json.loads(out.getvalue())
    cap = next(p for p in data["parameters"] if p["name"] == "subsidy_cap_fen")
    assert cap["history"] == [{"value": 500000, "effective_from": "2024-05-23", "published": "2024-05-23", "citation": "晋人社厅发〔2024〕27号 五(四)（最高每人不超过5000元）", "note": "", "source": "document"}]


def test_simulate_demo_with_compare(tmp_path):
    richer = tmp_path / "richer.yaml"
    richer.write_text("subsidy_cap_fen: 600000\nsubsidy_daily_after_fen: 12000\n", encoding="utf-8")
    out = io.StringIO()
    call_command("policy", "simulate", "--province", "shanxi", "--demo", "3000", "--workers", "1", "--compare", str(richer), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["cases"] == 3000 and result["throughput_cases_per_second"] > 0
    assert result["compare"]["gainers"] > 0 and result["compare"]["losers"] == 0
    assert result["compare"]["net_change_fen"] == result["compare"]["gain_fen"] > 0


def test_simulate_bad_population_file_exit_2():
    with pytest.raises(CommandError) as error:
        call_command("policy", "simulate", "--province", "shanxi", "--population", "/nonexistent.csv")
    assert error.value.returncode == 2


def test_simulate_vectorised_gives_the_per_case_totals_and_compare(tmp_path):
    richer = tmp_path / "richer.yaml"
    richer.write_text("subsidy_cap_fen: 600000\nsubsidy_daily_after_fen: 12000\n", encoding="utf-8")
    results = {}
    for mode in ((), ("--vectorised",)):
        out = io.StringIO()
        call_command("policy", "simulate", "--province", "shanxi", "--demo", "3000", "--workers", "1", "--compare", str(richer), "--json", *mode, stdout=out)
        results[mode] = json.loads(out.getvalue())
    per_case, vectorised = results[()], results[("--vectorised",)]
    assert vectorised["mode"] == "vectorised" and vectorised["cases"] == 3000
    for key in ("eligible", "total_fen", "by_kind_fen", "by_payee_fen", "reasons", "outcomes", "by_occupation_level"):
        assert vectorised[key] == per_case[key], key
    for key in ("gainers", "losers", "unchanged", "gain_fen", "loss_fen", "total_b_fen", "newly_eligible", "no_longer_eligible",
                "by_occupation_level_delta_fen", "net_change_fen"):
        assert vectorised["compare"][key] == per_case["compare"][key], key
    text = io.StringIO()
    call_command("policy", "simulate", "--province", "tianjin", "--demo", "500", "--workers", "1", "--vectorised", stdout=text)
    assert "Mode: vectorised" in text.getvalue() and "Outcomes: paid" in text.getvalue()


def test_simulate_vectorised_population_file_counts_invalid_rows(tmp_path):
    path = tmp_path / "people.jsonl"
    rows = [{"id": f"p{i}", **case_dict("shanxi")} for i in range(3)] + [{"id": "bad", **case_dict("shanxi", **{"course.level": "guru"})}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("policy", "simulate", "--province", "shanxi", "--population", str(path), "--vectorised", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["cases"], result["invalid"], result["eligible"], result["total_fen"]) == (4, 1, 3, 3 * 170000)
    assert result["invalid_fields"] == {"course.level": 1}
