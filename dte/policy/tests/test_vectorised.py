"""The vectorised what-if mode gives the per-case engine's totals on the same population, for
every province: eligible count, total fen, fen per kind and payee, per-outcome counts, counts
per reason code and the per-occupation/level rows (issue 12 item 3)."""

from datetime import date

import pytest

from dte.policy import population as pop
from dte.policy import simulate as sim
from dte.policy import vectorised as vec
from dte.policy.engine import parse_overrides
from dte.policy.packs import PACK_MODULES, get_pack

from .population import varied_population

COMPARED = ("cases", "eligible", "total_fen", "by_kind_fen", "by_payee_fen", "reasons", "outcomes", "by_occupation_level")
WHAT_IF = {"training_subsidy_fen": 50000, "online_cap_bp": 3000, "repeat_same_occupation_level": "one_year", "living_allowance_fen": 120000}


def _both(province, pairs, params, on=None):
    per_case = sim.report(province, sim.evaluate_parsed(province, pairs, params, None, on), 1.0, 1)
    vectorised = vec.run(province, vec.columns_from_cases(pairs), params, on)
    return per_case, vectorised


def _assert_same(per_case, vectorised):
    for key in COMPARED:
        assert vectorised[key] == per_case[key], key


@pytest.mark.parametrize("province", list(PACK_MODULES))
def test_same_totals_as_per_case_engine_on_demo_population(province):
    pack = get_pack(province)
    pairs = [pair for _, task in sim.demo_tasks(6000, 11) for pair in pop.demo_cases(province, *task)]
    per_case, vectorised = _both(province, pairs, pack.parameters)
    _assert_same(per_case, vectorised)
    assert per_case["cases"] == 6000 and sum(per_case["outcomes"].values()) == 6000


@pytest.mark.parametrize("province", list(PACK_MODULES))
def test_same_totals_on_varied_population_with_what_if_and_fixed_date(province):
    pack = get_pack(province)
    pairs = varied_population(province, 2500)
    overrides = {name: value for name, value in WHAT_IF.items() if name in pack.parameters}
    what_if = pack.parameters.with_overrides(parse_overrides(overrides))
    for params, on in ((pack.parameters, None), (pack.parameters, date(2026, 5, 1)), (what_if, None), (pack.parameters, date(2020, 1, 1))):
        per_case, vectorised = _both(province, pairs, params, on)
        _assert_same(per_case, vectorised)
    assert per_case["reasons"] == {"POLICY_NOT_IN_FORCE": 2500}  # the last run: before every pack took effect


def test_every_rule_of_every_pack_has_a_vectorised_twin():
    for province in PACK_MODULES:
        pack = get_pack(province)
        assert all(rule in vec.VECTOR_RULES for rule in pack.eligibility_rules)
        assert type(pack).subsidy_rule in vec.VECTOR_SUBSIDY_RULES


def test_a_rule_without_twin_is_refused_not_skipped(monkeypatch):
    pack = get_pack("shanxi")
    monkeypatch.setattr(type(pack), "eligibility_rules", (*pack.eligibility_rules, lambda case, p: None))
    with pytest.raises(vec.VectorUnsupported):
        vec.evaluate("shanxi", vec.columns_from_cases(varied_population("shanxi", 5)))


def test_year_shift_keeps_29_february_rule():
    import numpy as np

    days = np.array(["2024-02-29", "2023-03-01", "2020-02-29"], dtype="datetime64[D]")
    assert vec._shift_years(days, 1).astype(str).tolist() == ["2025-02-28", "2024-03-01", "2021-02-28"]
    assert vec._shift_years(days, -4).astype(str).tolist() == ["2020-02-29", "2019-03-01", "2016-02-29"]
