"""Dated parameters, overrides, traces, case validation, the registry and shared facts."""

from datetime import date

import pytest

from dte.policy.cases import CaseError, parse_case
from dte.policy.engine import DatedValue, Parameter, ParameterError, ParameterSet, parse_overrides
from dte.policy.occupations import find_occupation, load_occupations
from dte.policy.packs import PACK_MODULES, UnknownPack, all_packs, get_pack

from .conftest import case_dict


def _set():
    history = [DatedValue(100, date(2024, 1, 1), "A 一"), DatedValue(200, date(2025, 1, 1), "B 二", date(2024, 12, 1))]
    return ParameterSet({"rate": Parameter("rate", values=list(reversed(history)))})


@pytest.mark.parametrize("on, value", [(date(2023, 12, 31), None), (date(2024, 1, 1), 100), (date(2024, 12, 31), 100), (date(2025, 1, 1), 200)])
def test_value_in_force_on_date(on, value):
    assert _set().at("rate", on) == value


def test_trace_records_each_parameter_once_with_citation():
    trace = []
    bound = _set().bind(date(2025, 3, 1), trace)
    bound.get("rate")
    bound.get("rate")
    assert trace == [{"parameter": "rate", "value": 200, "citation": "B 二", "effective_from": "2025-01-01"}]


def test_override_adds_a_dated_value_and_keeps_history():
    base = _set()
    changed = base.with_overrides(parse_overrides({"rate": {"value": 300, "effective_from": "2026-01-01", "citation": "假设"}}))
    assert [v.value for v in changed.parameters["rate"].values] == [100, 200, 300]
    assert [v.value for v in base.parameters["rate"].values] == [100, 200]
    assert changed.at("rate", date(2025, 6, 1)) == 200 and changed.at("rate", date(2026, 6, 1)) == 300


def test_unknown_override_and_bad_date_rejected():
    with pytest.raises(ParameterError, match="nope"):
        _set().with_overrides(parse_overrides({"nope": 1}))
    with pytest.raises(ParameterError, match="ISO"):
        parse_overrides({"rate": {"value": 1, "effective_from": "soon"}})


def test_every_pack_loads_and_every_value_is_cited():
    assert sorted(p.code for p in all_packs()) == sorted(PACK_MODULES)
    for pack in all_packs():
        for parameter in pack.parameters.parameters.values():
            for value in parameter.values:
                assert value.citation.strip(), f"{pack.code}.{parameter.name} has no citation"


@pytest.mark.parametrize("key, code", [("shanxi", "shanxi"), ("140000", "shanxi"), ("54", "tibet"), ("450000", "guangxi"), ("12", "tianjin"), ("YUNNAN", "yunnan")])
def test_registry_lookup(key, code):
    assert get_pack(key).code == code


def test_registry_unknown():
    with pytest.raises(UnknownPack):
        get_pack("hebei")


def test_division_codes():
    assert {p.code: p.division_code for p in all_packs()} == {
        "tibet": "540000", "shanxi": "140000", "guangxi": "450000", "tianjin": "120000", "yunnan": "530000",
    }


def test_occupations_both_code_forms():
    assert len(load_occupations()) == 14
    assert find_occupation("2-02-38-03") is find_occupation("2-02-10-11")
    assert find_occupation("2-02-10-11").name == "大数据工程技术人员"
    assert find_occupation("2-02-38-13").name == "密码工程技术人员"
    assert find_occupation("9-99-99-99") is None
    assert all(o.levels == ("junior", "intermediate", "senior") and o.directions == () for o in load_occupations())


@pytest.mark.parametrize(
    "changes, path",
    [
        ({"trainee.status": "astronaut"}, "trainee.status"),
        ({"course.level": "expert"}, "course.level"),
        ({"course.mode": "free"}, "course.mode"),
        ({"course.occupation_code": "1-01-01-01"}, "course.occupation_code"),
        ({"course.training_days": -1}, "course.training_days"),
        ({"course.start_date": "2026-02-30"}, "course.start_date"),
        ({"course.hours_online": 200}, "course.hours_online"),
        ({"class": {"size": 10, "employed_after_training": 11}}, "class.employed_after_training"),
        ({"history": [{"date": "2025-01-01", "kind": "bonus"}]}, "history[0].kind"),
        ({"course.institution_province": "Shanxi"}, "course.institution_province"),
    ],
)
def test_malformed_cases_name_the_field(changes, path):
    with pytest.raises(CaseError) as error:
        parse_case(case_dict("shanxi", **changes))
    assert error.value.path == path and error.value.fix


def test_case_accepts_strings_from_csv_and_normalises_codes():
    case = parse_case(case_dict("shanxi", **{"course.training_days": "12", "course.occupation_code": "2-02-38-03", "course.institution_province": "140000"}))
    assert (case.course.training_days, case.course.occupation_code, case.course.institution_province) == (12, "2-02-10-11", "14")


@pytest.mark.parametrize("province", list(PACK_MODULES))
def test_title_recognition_baseline(province):
    pack = get_pack(province)
    assert pack.title_for_level("junior").title == "助理工程师"
    assert pack.title_for_level("intermediate").title == "工程师"
    assert pack.title_for_level("senior").title == "高级工程师" and pack.title_for_level("senior").basis != "direct"


def test_forbidden_claims_found_with_citation():
    found = get_pack("shanxi").find_forbidden_claims("零基础包过！不过退费，另有培训贷")
    assert {p for p, _ in found} == {"包过", "不过退费", "培训贷"}
    assert all(c == "晋人社厅发〔2024〕27号 六(二)" for _, c in found)
    assert get_pack("yunnan").find_forbidden_claims("高通过率") == []  # not in Yunnan's list
    assert get_pack("tianjin").find_forbidden_claims("包就业")[0][0] == "包就业"  # national baseline
    assert get_pack("tianjin").find_forbidden_claims("正规培训，按国家职业标准授课") == []


def test_continuing_education_hours():
    case = parse_case(case_dict("shanxi", **{"course.training_certificate": False}))
    assert get_pack("shanxi").continuing_education_hours(case)[0] == 0  # Shanxi: only with a training certificate
    hours, citation = get_pack("tianjin").continuing_education_hours(case)
    assert hours == 128 and citation == "津人社办发〔2022〕94号 三(一)"


@pytest.mark.parametrize("province, cap", [("tibet", 5000), ("tianjin", 5000), ("shanxi", None), ("guangxi", None), ("yunnan", None)])
def test_online_cap_per_province(province, cap):
    assert get_pack(province).online_cap()[0] == cap


def test_thirty_day_training_report_everywhere_but_tianjin():
    for pack in all_packs():
        report = pack.deadlines().get("training_report")
        if pack.code == "tianjin":
            assert report is None
        else:
            assert (report.days, report.unit, report.anchor) == (30, "calendar", "training_end")


def test_decision_json_shape():
    import json

    data = json.loads(get_pack("shanxi").quote(parse_case(case_dict("shanxi"))).to_json())
    assert set(data) >= {"eligible", "items", "total_fen", "reasons", "trace"}
    assert data["items"][0] == {"kind": "training_subsidy", "amount_fen": 170000, "payee": "institution", "citation": "晋人社厅发〔2024〕27号 五(四)（每人每天150元）"}


def test_undated_what_if_value_sits_on_top_of_published_history():
    pack = get_pack("shanxi")
    params = pack.parameters.with_overrides(parse_overrides({"subsidy_cap_fen": 600000}))
    case = parse_case(case_dict("shanxi", **{"course.training_days": 60}))
    assert pack.quote(case).total_fen == 500000
    assert pack.quote(case, params=params).total_fen == 600000
    assert params.parameters["subsidy_cap_fen"].values[-1].effective_from == date(2024, 5, 23)


def test_dated_value_before_publication_is_not_in_force():
    # Shanxi's plan is dated 2024-05-23: quoted the day before, none of its rules apply.
    case = parse_case(case_dict("shanxi", **{"trainee.graduation_date": "2024-06-30"}))
    before = get_pack("shanxi").quote(case, on=date(2024, 5, 22))
    assert not before.eligible and before.total_fen == 0
    assert [r.code for r in before.reasons] == ["POLICY_NOT_IN_FORCE"] and "2024-05-23" in before.reasons[0].message
    assert get_pack("shanxi").quote(case, on=date(2024, 5, 23)).total_fen == 170000


def test_pack_for_division():
    from dte.policy.services import pack_for_division

    assert pack_for_division("140105").code == "shanxi"  # a Taiyuan district
    assert pack_for_division("530000").code == "yunnan"
    assert pack_for_division("110000") is None
