"""The engine pinned down exactly (issue 13 item 18): lookups at boundaries, what-if values,
traces, loading and refusing malformed parameter files, the decision's shape."""

import json
from datetime import date

import pytest

from dte.policy import engine
from dte.policy.engine import (
    OVERRIDE_CITATION, UNDATED_FROM, BoundParameters, DatedValue, Decision, Item, Parameter, ParameterError,
    ParameterSet, Reason, describe, load_overrides_file, load_parameter_file, parameters_from_mapping, parse_overrides,
)


def _set():
    table = {"a": {"junior": {"hours": 64, "amount_fen": 100}}}
    return ParameterSet({
        "rate": Parameter("rate", "每天", "fen", [DatedValue(200, date(2025, 1, 1), "B 二"), DatedValue(100, date(2024, 1, 1), "A 一")]),
        "table": Parameter("table", values=[DatedValue(table, date(2024, 1, 1), "T 三")]),
        "empty": Parameter("empty"),
    })


def test_parameter_history_sorted_and_boundaries():
    rate = _set().parameters["rate"]
    assert [v.value for v in rate.values] == [100, 200]
    assert rate.at(date(2023, 12, 31)) is None
    assert rate.at(date(2024, 1, 1)).value == 100 and rate.at(date(2024, 12, 31)).value == 100
    assert rate.at(date(2025, 1, 1)).value == 200
    assert _set().parameters["empty"].at(date(2030, 1, 1)) is None
    more = rate.with_value(DatedValue(300, date(2026, 1, 1), "C"))
    assert (more.name, more.description, more.unit) == ("rate", "每天", "fen") and more.at(date(2026, 1, 1)).value == 300
    assert len(rate.values) == 2


def test_parameter_set_queries():
    s = _set()
    assert "rate" in s and "nothing" not in s
    assert s.names() == ["empty", "rate", "table"]
    assert s.snapshot(date(2024, 6, 1)) is s.snapshot(date(2024, 6, 1))
    assert s.at("rate", date(2025, 6, 1)) == 200
    other = ParameterSet({"rate": Parameter("rate", values=[DatedValue(5, date(2020, 1, 1), "X")]), "new": Parameter("new")})
    merged = s.merged(other)
    assert merged.at("rate", date(2025, 6, 1)) == 5 and "new" in merged and "table" in merged


def test_overrides_dated_undated_unknown():
    s = _set()
    with pytest.raises(ParameterError) as error:
        s.with_overrides({"nope": DatedValue(1, None, "x"), "zzz": DatedValue(1, None, "x")})
    assert "nope, zzz" in str(error.value)
    undated = s.with_overrides({"rate": DatedValue(7, None, OVERRIDE_CITATION), "empty": DatedValue(9, None, "E")})
    assert undated.parameters["rate"].values[-1].effective_from == date(2025, 1, 1)
    assert undated.parameters["empty"].values[-1].effective_from == UNDATED_FROM == date(1900, 1, 1)
    assert undated.at("rate", date(2025, 1, 1)) == 7 and undated.at("rate", date(2024, 6, 1)) == 100
    dated = s.with_overrides({"rate": DatedValue(8, date(2027, 1, 1), "D")})
    assert dated.at("rate", date(2026, 12, 31)) == 200 and dated.at("rate", date(2027, 1, 1)) == 8
    assert s.at("rate", date(2027, 1, 1)) == 200


def test_bound_parameters_trace_cells_and_citations():
    trace = []
    p = _set().bind(date(2025, 6, 1), trace, date(2024, 2, 2))
    assert (p.on, p.facts_on) == (date(2025, 6, 1), date(2024, 2, 2))
    assert _set().bind(date(2025, 6, 1)).facts_on == date(2025, 6, 1)
    assert p.peek("rate").value == 200 and trace == []
    assert p.get("rate") == 200 and p.get("rate") == 200
    assert p.get("empty", "dflt") == "dflt" and p.get("empty") is None
    assert p.cell("table", "a", "junior") == {"hours": 64, "amount_fen": 100}
    assert p.cell("table", "a", "senior") is None and p.cell("table", "b", "junior") is None
    assert p.cell("table", "a", "junior", "hours") == 64
    assert trace == [
        {"parameter": "rate", "value": 200, "citation": "B 二", "effective_from": "2025-01-01"},
        {"parameter": "empty", "value": None, "citation": "", "effective_from": None},
        {"parameter": "table[a][junior]", "value": {"hours": 64, "amount_fen": 100}, "citation": "T 三", "effective_from": "2024-01-01"},
        {"parameter": "table[a][senior]", "value": None, "citation": "T 三", "effective_from": "2024-01-01"},
        {"parameter": "table[b][junior]", "value": None, "citation": "T 三", "effective_from": "2024-01-01"},
        {"parameter": "table[a][junior][hours]", "value": 64, "citation": "T 三", "effective_from": "2024-01-01"},
    ]
    assert p.citation("rate") == "B 二" and p.citation("empty") == "" and p.citation("unknown") == ""
    assert p.peek("unknown") is None
    for call in (lambda: p.get("unknown"), lambda: p.cell("unknown", "a"), lambda: p.dated("unknown")):
        with pytest.raises(ParameterError, match="'unknown'"):
            call()
    untraced = BoundParameters(_set().snapshot(date(2025, 6, 1)), date(2025, 6, 1), None)
    assert untraced.get("rate") == 200 and untraced.cell("table", "a", "junior")["hours"] == 64 and untraced.trace is None


def test_decision_shape():
    items = [Item("training_subsidy", 150, "institution", "C 一", onward_payee="person", note="n"),
             Item("living_allowance", 50, "person", "C 二")]
    decision = Decision("x", date(2026, 1, 2), True, items, [Reason("R", "m", "c", "info")], [{"t": 1}],
                        {"claim": date(2026, 2, 3), "enrolment": None})
    assert decision.total_fen == 200 and Decision("x", date(2026, 1, 2), False, [], []).total_fen == 0
    data = decision.to_dict()
    assert data == {
        "province": "x", "on": "2026-01-02", "eligible": True,
        "items": [{"kind": "training_subsidy", "amount_fen": 150, "payee": "institution", "citation": "C 一",
                   "onward_payee": "person", "note": "n"},
                  {"kind": "living_allowance", "amount_fen": 50, "payee": "person", "citation": "C 二"}],
        "total_fen": 200, "reasons": [{"code": "R", "message": "m", "citation": "c", "effect": "info"}],
        "reference_dates": {"claim": "2026-02-03", "enrolment": None}, "trace": [{"t": 1}],
    }
    text = decision.to_json()
    assert json.loads(text) == data and "\n  " in text and "C 一" in text
    assert "\n" not in decision.to_json(indent=None)
    assert Reason("R", "m", "c").effect == "refuse"


def test_parameters_from_mapping_reads_every_field_and_refuses_gaps():
    data = {"rate": {"description": "d", "unit": "fen", "values": [
        {"value": 1, "effective_from": "2024-01-01", "published": "2023-12-20", "citation": "A", "note": "n"},
        {"value": 2, "effective_from": date(2025, 1, 1), "citation": "B", "source": "owner_decision"}]}}
    s = parameters_from_mapping(data, "f.yaml")
    rate = s.parameters["rate"]
    assert (rate.description, rate.unit) == ("d", "fen")
    assert rate.values[0] == DatedValue(1, date(2024, 1, 1), "A", date(2023, 12, 20), "n", "document")
    assert rate.values[1] == DatedValue(2, date(2025, 1, 1), "B", None, "", "owner_decision")
    baseline = parameters_from_mapping({"r": {"values": [{"value": 1, "effective_from": "2024-01-01", "citation": "A"}]}},
                                       "n.yaml", "national_baseline")
    assert baseline.parameters["r"].values[0].source == "national_baseline"
    assert parameters_from_mapping(None, "f").names() == []
    assert parameters_from_mapping({"r": {"values": None}}, "f").parameters["r"].values == []
    bad = [({"r": 1}, "f: parameter r needs a 'values' list"), ({"r": {}}, "needs a 'values' list"),
           ({"r": {"values": [{"effective_from": "2024-01-01", "citation": "A"}]}}, "f: r.values[0] needs 'value' and 'citation'"),
           ({"r": {"values": [{"value": 1, "effective_from": "2024-01-01", "citation": ""}]}}, "needs 'value' and 'citation'"),
           ({"r": {"values": [{"value": 1, "effective_from": "2024-13-01", "citation": "A"}]}}, "f: r.values[0]: '2024-13-01' 不是 ISO 日期"),
           ({"r": {"values": [{"value": 1, "effective_from": "2024-01-01", "citation": "A", "source": "x"}]}}, "source must be one of document, national_baseline, owner_decision")]
    for mapping, message in bad:
        with pytest.raises(ParameterError) as error:
            parameters_from_mapping(mapping, "f")
        assert message in str(error.value)


def test_parse_overrides_forms():
    plain = parse_overrides({"parameters": {"rate": 5}})
    assert plain == {"rate": DatedValue(5, None, OVERRIDE_CITATION, None, "what-if")}
    full = parse_overrides({"rate": {"value": 6, "effective_from": "2026-01-01", "citation": "决定", "published": "2025-12-01", "note": "x"}})
    assert full["rate"] == DatedValue(6, date(2026, 1, 1), "决定", date(2025, 12, 1), "x")
    bare = parse_overrides({"rate": {"value": 7}})
    assert bare["rate"] == DatedValue(7, None, OVERRIDE_CITATION, None, "what-if")
    assert parse_overrides({"rate": {"other": 1}})["rate"].value == {"other": 1}
    for bad in ([1], "x", None):
        with pytest.raises(ParameterError, match="必须是"):
            parse_overrides(bad)
    with pytest.raises(ParameterError, match="parameters.rate"):
        parse_overrides({"rate": {"value": 1, "effective_from": "soon"}})


def test_files(tmp_path):
    good = tmp_path / "p.yaml"
    good.write_text("parameters:\n  rate:\n    values:\n      - {value: 3, effective_from: 2024-01-01, citation: A}\n", encoding="utf-8")
    assert load_parameter_file(good).at("rate", date(2024, 1, 1)) == 3
    assert load_parameter_file(good, "national_baseline").parameters["rate"].values[0].source == "national_baseline"
    empty = tmp_path / "e.yaml"
    empty.write_text("", encoding="utf-8")
    assert load_parameter_file(empty).names() == []
    what_if = tmp_path / "w.json"
    what_if.write_text('{"rate": 4}', encoding="utf-8")
    assert load_overrides_file(what_if)["rate"].value == 4
    with pytest.raises(ParameterError, match="无法读取参数文件"):
        load_overrides_file(tmp_path / "missing.yaml")
    broken = tmp_path / "b.yaml"
    broken.write_text("rate: [1,\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="不是合法的 YAML/JSON"):
        load_overrides_file(broken)


def test_describe_lists_full_history():
    s = ParameterSet({"rate": Parameter("rate", "d", "fen", [DatedValue(1, date(2024, 1, 1), "A", date(2023, 12, 1), "n", "owner_decision"),
                                                             DatedValue(2, date(2025, 1, 1), "B")])})
    assert list(describe(s)) == [{"name": "rate", "description": "d", "unit": "fen", "history": [
        {"value": 1, "effective_from": "2024-01-01", "published": "2023-12-01", "citation": "A", "note": "n", "source": "owner_decision"},
        {"value": 2, "effective_from": "2025-01-01", "published": None, "citation": "B", "note": "", "source": "document"}]}]


def test_exact_messages_defaults_and_traces_the_first_mutation_run_left(tmp_path):
    """Survivors of the first `make mutation` run on engine.py, each pinned by one assertion."""
    s = _set()
    trace = []
    assert s.at("rate", date(2025, 6, 1), trace) == 200 and trace[0]["parameter"] == "rate"
    with pytest.raises(ParameterError) as error:
        s.with_overrides({"nope": DatedValue(1, None, "x"), "zzz": DatedValue(1, None, "x")})
    assert str(error.value) == "未知参数 nope, zzz；可用参数见 `dte policy explain`。 (unknown parameter(s): nope, zzz)"
    assert s.bind(date(2020, 1, 1), []).cell("table", "a") is None  # no value in force yet
    decision = Decision("x", date(2026, 1, 2), True, [], [], [{"on": date(2026, 1, 2)}])
    assert '"on": "2026-01-02"' in decision.to_json()
    s2 = parameters_from_mapping({"r": {"values": [{"value": 1, "effective_from": "2024-01-01", "citation": "A"}]}}, "f")
    assert (s2.parameters["r"].name, s2.parameters["r"].description, s2.parameters["r"].unit) == ("r", "", "")
    with pytest.raises(ParameterError) as error:
        parameters_from_mapping({"r": {"values": [{"value": 1, "effective_from": "2024-01-01", "published": "x", "citation": "A"}]}}, "f")
    assert str(error.value).startswith("f: r.values[0]: 'x'")
    bad = tmp_path / "bad.yaml"
    bad.write_text("parameters:\n  r: 1\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="^bad.yaml: parameter r"):
        load_parameter_file(bad)
    with pytest.raises(ParameterError) as error:
        parse_overrides([1])
    assert str(error.value) == "参数文件必须是 {参数名: 值} 的映射 (parameter file must be a mapping)"
    with pytest.raises(ParameterError) as error:
        parse_overrides({"rate": {"value": 1, "published": "soon"}})
    assert str(error.value).startswith("parameters.rate: 'soon'")


def test_untraced_bindings_are_shared_and_dated_values_are_traced():
    """Survivors of the 2026-12-04 mutation run on engine.py (after the simulation speed-up)."""
    s = _set()
    on, facts_on = date(2025, 6, 1), date(2024, 2, 2)
    shared = s.bind(on, None, facts_on)
    assert s.bind(on, None, facts_on) is shared and shared.facts_on == facts_on and shared.on == on
    assert s.bind(on) is not shared and s.bind(on).facts_on == on and s.bind(on) is s.bind(on)
    assert s.bind(on, []) is not s.bind(on, [])  # a traced binding is written to: never shared
    trace = []
    p = s.bind(on, trace)
    assert p.dated("rate") == DatedValue(200, date(2025, 1, 1), "B 二") and p.dated("empty") is None
    assert trace == [
        {"parameter": "rate", "value": 200, "citation": "B 二", "effective_from": "2025-01-01"},
        {"parameter": "empty", "value": None, "citation": "", "effective_from": None},
    ]
    assert shared.dated("rate").value == 200 and shared.trace is None
    engine._FIELDS.clear()  # mutation workers are forked from a process whose cache of field names is warm
    text = Decision("x", date(2026, 1, 2), True, [], [Reason("R", "理由", "c")]).to_json()
    assert engine._FIELDS == {Reason: ("code", "message", "citation", "effect")}
    assert '\n  "province": "x"' in text and '\n   "' not in text and "理由" in text
