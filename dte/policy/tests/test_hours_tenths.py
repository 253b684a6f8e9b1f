"""Credited hours reach the engine exactly, to the tenth the attendance credits (issue 10, money-path
audit): 64.5 online of 128.5 total is 50.19 % and over Tianjin's 50 % cap (津人社办发〔2022〕94号 三(四)),
though truncated to 64 of 128 it was exactly 50 % and paid; 63.9 hours is below a 64-hour requirement
(附件3). Through parse_case, the rules, the CLI, the API and the vectorised what-if mode."""

from __future__ import annotations

import io
import json
import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dte.policy import simulate as sim
from dte.policy import vectorised as vec
from dte.policy.cases import CaseError, hours_json, parse_case
from dte.policy.packs import PACK_MODULES, get_pack
from dte.policy.packs.common import hours_text

from .conftest import case_dict, codes, quote
from .population import varied_population

TIANJIN = "津人社办发〔2022〕94号"
AI_JUNIOR = "2-02-10-09"  # 人工智能工程技术人员 初级: 64 hours in Tianjin (附件3); the base case's 2-02-10-11 needs 128


# --- parsing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, parsed", [
    (64, 64), ("64", 64), (Decimal("64.0"), 64), ("128.0", 128), (" 64.5 ", Decimal("64.5")),
    ("64.5", Decimal("64.5")), (Decimal("64.50"), Decimal("64.5")), ("0.5", Decimal("0.5")), (0, 0),
])
def test_hours_parse_exactly_to_the_tenth(raw, parsed):
    course = parse_case(case_dict("tianjin", **{"course.hours_total": raw, "course.hours_online": 0})).course
    assert course.hours_total == parsed and type(course.hours_total) is type(parsed)


@pytest.mark.parametrize("raw, message", [
    ("64.55", "至多一位小数"), (Decimal("63.95"), "至多一位小数"), (64.5, "应为整数或一位小数"), (True, "应为整数或一位小数"),
    ("-0.5", "不能小于 0"), (-1, "不能小于 0"), ("abc", "应为整数或一位小数"), ("NaN", "无效"), ("1e999", "无效"), ([64], "应为整数或一位小数"),
])
def test_hours_refused_with_the_field_named(raw, message):
    for field in ("hours_total", "hours_online"):
        with pytest.raises(CaseError) as error:
            parse_case(case_dict("tianjin", **{f"course.{field}": raw}))
        assert error.value.path == f"course.{field}" and message in error.value.message and error.value.fix


def test_online_above_total_compared_exactly():
    with pytest.raises(CaseError) as error:
        parse_case(case_dict("tianjin", **{"course.hours_total": "64.4", "course.hours_online": "64.5"}))
    assert error.value.path == "course.hours_online" and "64.5" in error.value.message and "64.4" in error.value.message


def test_hours_json_keeps_whole_hours_as_ints_and_reads_back_exactly():
    assert hours_json(None) is None and hours_json(64) == 64 and hours_json(Decimal("128.0")) == 128
    assert type(hours_json(Decimal("128.0"))) is int and hours_json(Decimal("64.50")) == "64.5"
    for value in (Decimal("0.5"), Decimal("63.9"), Decimal("128.5"), Decimal("1000.1")):
        case = parse_case(case_dict("tianjin", **{"course.hours_total": hours_json(value), "course.hours_online": 0}))
        assert case.course.hours_total == value


def test_hours_text_prints_no_trailing_zero():
    assert [hours_text(h) for h in (64, Decimal("64.5"), Decimal("128.0"), Decimal("1E+2"), Decimal("0.5"))] == \
        ["64", "64.5", "128", "100", "0.5"]


# --- the rules --------------------------------------------------------------------------------------


def test_audit_numbers_online_cap_tianjin():
    refused = quote("tianjin", **{"course.hours_total": "128.5", "course.hours_online": "64.5"})
    assert not refused.eligible and codes(refused) == ["ONLINE_HOURS_OVER_CAP"]
    reason = refused.reasons[0]
    assert reason.message == "线上培训 64.5 学时，占总学时 128.5 的 50.2%，超过 50% 上限。" and reason.citation == TIANJIN + " 三(四)"
    accepted = quote("tianjin", **{"course.hours_total": "128.5", "course.hours_online": "64.0"})
    assert accepted.eligible and codes(accepted) == [] and accepted.total_fen > 0
    # the exact boundary: 64.2 of 128.4 is 50 % and allowed, 64.3 of 128.5 is over
    assert quote("tianjin", **{"course.hours_total": "128.4", "course.hours_online": "64.2"}).eligible
    assert codes(quote("tianjin", **{"course.hours_total": "128.5", "course.hours_online": "64.3"})) == ["ONLINE_HOURS_OVER_CAP"]


def test_audit_numbers_online_cap_tibet():
    assert get_pack("tibet").online_cap(date(2026, 3, 1))[0] == 5000
    assert codes(quote("tibet", **{"course.hours_total": "128.5", "course.hours_online": "64.5"})) == ["ONLINE_HOURS_OVER_CAP"]
    assert quote("tibet", **{"course.hours_total": "128.5", "course.hours_online": "64.0"}).eligible


def test_required_hours_compared_to_the_tenth():
    below = quote("tianjin", **{"course.occupation_code": AI_JUNIOR, "course.hours_total": "63.9", "course.hours_online": 0})
    assert codes(below) == ["HOURS_BELOW_REQUIREMENT"] and not below.eligible
    assert below.reasons[0].message == "培训 63.9 学时，少于补贴标准目录要求的 64 学时。"
    assert below.reasons[0].citation.startswith(TIANJIN + " 附件3")
    for enough in ("64.0", "64", "64.1"):
        assert quote("tianjin", **{"course.occupation_code": AI_JUNIOR, "course.hours_total": enough, "course.hours_online": 0}).eligible
    whole = quote("tianjin", **{"course.hours_total": "127.0", "course.hours_online": 0})
    assert whole.reasons[0].message == "培训 127 学时，少于补贴标准目录要求的 128 学时。"  # no trailing .0


def test_continuing_education_hours_exact():
    case = parse_case(case_dict("tianjin", **{"course.hours_total": "128.5"}))
    hours, citation = get_pack("tianjin").continuing_education_hours(case)
    assert hours == Decimal("128.5") and hours_text(hours) == "128.5" and citation == TIANJIN + " 三(一)"


# --- the CLI and the API: JSON numbers with a fraction are read as the decimal written ------------------


def _cli(case: str) -> dict:
    out = io.StringIO()
    call_command("policy", "quote", "--province", "tianjin", stdin=io.StringIO(case), stdout=out)
    return json.loads(out.getvalue())


def _json(**changes) -> str:
    text = json.dumps(case_dict("tianjin", **{"course.hours_total": 1285, "course.hours_online": 645, **changes}))
    return text.replace("1285", "128.5").replace("645", "64.5")  # JSON numbers, not strings


@pytest.mark.django_db
def test_cli_reads_json_numbers_exactly():
    refused = _cli(_json())
    assert refused["eligible"] is False and "线上培训 64.5 学时，占总学时 128.5" in refused["reasons"][0]["message"]
    accepted = _cli(_json().replace("64.5", "64.0"))
    assert accepted["eligible"] is True
    assert _cli(json.dumps(case_dict("tianjin", **{"course.hours_total": "128.5", "course.hours_online": "64.5"})))["eligible"] is False
    with pytest.raises(CommandError) as error:
        _cli(_json().replace("64.5", "64.55"))
    assert "course.hours_online" in str(error.value) and error.value.returncode == 2


@pytest.mark.django_db
def test_api_reads_json_numbers_exactly(client):
    from dte.organisations.roles import Role
    from dte.organisations.tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.PROVINCE_OFFICER))

    def post(case_text: str):
        return client.post("/api/policy/quote", '{"province": "tianjin", "case": ' + case_text + "}", content_type="application/json")

    refused = post(_json())
    assert refused.status_code == 200 and refused.json()["eligible"] is False
    assert refused.json()["reasons"][0]["code"] == "ONLINE_HOURS_OVER_CAP" and "64.5 学时" in refused.json()["reasons"][0]["message"]
    assert post(_json().replace("64.5", "64.0")).json()["eligible"] is True
    as_text = json.dumps(case_dict("tianjin", **{"course.hours_total": "128.5", "course.hours_online": "64.5"}))
    assert post(as_text).json()["eligible"] is False
    below = post(_json(**{"course.occupation_code": AI_JUNIOR}).replace("128.5", "63.9").replace("64.5", "0"))
    assert below.json()["reasons"][0]["code"] == "HOURS_BELOW_REQUIREMENT"
    bad = post(_json().replace("64.5", "64.55"))
    assert bad.status_code == 422 and "course.hours_online" in bad.json()["message"]
    assert post(_json(**{"course.training_days": 1205}).replace("1205", "12.5")).status_code == 422  # other numbers stay whole


# --- the vectorised what-if mode: tenths in the int64 columns -----------------------------------------


def _tenths_population(province: str, n: int) -> list:
    """Varied cases with fractional hours near the requirements (60, 64, 80, 128, 160 …) and the 50 % cap."""
    rng = random.Random(f"tenths:{province}")
    pairs = []
    for case_id, case in varied_population(province, n, seed=7):
        total = Decimal(rng.choice((60, 64, 80, 128, 160))) + Decimal(rng.randrange(-3, 6)) / 10
        half = (total / 2).quantize(Decimal("0.1"))
        online = max(Decimal(0), min(total, half + Decimal(rng.randrange(-2, 3)) / 10))
        course = replace(case.course, hours_total=total if rng.random() < 0.95 else None,
                         hours_online=online if rng.random() < 0.95 else None)
        pairs.append((case_id, replace(case, course=course)))
    return pairs


def _truncated(pairs: list) -> list:
    return [(i, replace(c, course=replace(c.course, hours_total=None if c.course.hours_total is None else int(c.course.hours_total),
                                           hours_online=None if c.course.hours_online is None else int(c.course.hours_online))))
            for i, c in pairs]


@pytest.mark.parametrize("province", list(PACK_MODULES))
def test_vectorised_equals_engine_on_fractional_hours(province):
    pack = get_pack(province)
    pairs = _tenths_population(province, 1500)
    assert any(isinstance(c.course.hours_total, Decimal) and c.course.hours_total % 1 for _, c in pairs)
    for on in (None, date(2026, 5, 1)):
        per_case = sim.report(province, sim.evaluate_parsed(province, pairs, pack.parameters, None, on), 1.0, 1)
        vectorised = vec.run(province, vec.columns_from_cases(pairs), pack.parameters, on)
        for key in ("cases", "eligible", "total_fen", "by_kind_fen", "by_payee_fen", "reasons", "outcomes", "by_occupation_level"):
            assert vectorised[key] == per_case[key], key
    if province == "tianjin":  # the population reaches the cases truncation decided otherwise
        exact = sim.report(province, sim.evaluate_parsed(province, pairs, pack.parameters, None, None), 1.0, 1)
        cut = sim.report(province, sim.evaluate_parsed(province, _truncated(pairs), pack.parameters, None, None), 1.0, 1)
        assert exact["reasons"]["ONLINE_HOURS_OVER_CAP"] > cut["reasons"].get("ONLINE_HOURS_OVER_CAP", 0)


def test_vectorised_columns_hold_tenths():
    case = parse_case(case_dict("tianjin", **{"course.hours_total": "128.5", "course.hours_online": "64.5"}))
    columns = vec.columns_from_cases([("a", case), ("b", parse_case(case_dict("tianjin")))])
    assert columns["hours_total"].tolist() == [1285, 1280] and columns["hours_online"].tolist() == [645, 600]
    result = vec.run("tianjin", columns, get_pack("tianjin").parameters)
    assert result["reasons"].get("ONLINE_HOURS_OVER_CAP") == 1 and result["eligible"] == 1


def test_population_file_reads_json_numbers_exactly(tmp_path):
    from dte.policy.population import read_population

    path = tmp_path / "cases.jsonl"
    path.write_text(_json() + "\n" + _json().replace("64.5", "64.0") + "\n", encoding="utf-8")
    pairs = list(sim.parsed_cases(read_population(str(path)), sim.Summary()))
    assert [c.course.hours_online for _, c in pairs] == [Decimal("64.5"), 64]
    result = vec.run("tianjin", vec.columns_from_cases(pairs), get_pack("tianjin").parameters)
    assert result["eligible"] == 1 and result["reasons"] == {"ONLINE_HOURS_OVER_CAP": 1}
