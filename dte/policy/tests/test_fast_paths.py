"""The simulation's short cuts (issue 12 item 3) decide exactly what the traced quote decides:
the untraced table lookup, the history rules that walk case.history once, the exam-result
short cut, the precomputed person group and the one-loop refuse/pending check in _decide.
Each test asserts reasons — code, effect, citation, message — not just totals."""

from dataclasses import replace
from datetime import date

import pytest

from dte.policy.cases import STATUS_FACTS, Case, Course, Trainee, parse_case
from dte.policy.engine import DatedValue, Item, Parameter, ParameterSet, Reason
from dte.policy.packs import common, get_pack
from dte.policy.packs.base import PolicyPack

from .conftest import case_dict

TIANJIN, TIBET, GUANGXI = "津人社办发〔2022〕94号", "藏人社发〔2025〕13号", "广西人社厅通知（2023-09-19）"


def both(province, **changes):
    """quote (traced) and outcome (the simulation's path) for one case; they must agree."""
    pack, case = get_pack(province), parse_case(case_dict(province, **changes))
    decision = pack.quote(case)
    eligible, items, reasons = pack.outcome(case)
    assert (eligible, items, reasons) == (decision.eligible, decision.items, decision.reasons)
    assert decision.province == province
    return decision


def reason_of(decision, code):
    [found] = [r for r in decision.reasons if r.code == code]
    return found


# --- the person's group is worked out once -------------------------------------------------


@pytest.mark.parametrize("status", sorted(STATUS_FACTS))
def test_group_is_computed_when_the_facts_are_made_and_stays_out_of_equality(status):
    trainee = Trainee(status, None, date(2025, 6, 30), True)
    expected = {"graduate": "graduate", "employee": "employee", "unemployed": "graduate", "freelancer": "freelancer",
                "student": "student", "retired": "retired"}[status]
    assert trainee.group == expected
    assert "group" not in repr(trainee)
    assert trainee == Trainee(status, None, date(2025, 6, 30), True) and hash(trainee) == hash(Trainee(status, None, date(2025, 6, 30), True))
    assert replace(trainee, retired=True).group == "retired"  # a changed copy works its group out again
    assert replace(trainee, status=None).group is None and Trainee().group is None
    assert Trainee("unemployed").group == "unemployed" and Trainee(employed=False, graduation_date=date(2020, 1, 1)).group == "graduate"


# --- the untraced table lookup --------------------------------------------------------------


def _bound(value, trace):
    params = ParameterSet({"t": Parameter("t", values=[DatedValue(value, date(2020, 1, 1), "表 三")])})
    return params.bind(date(2026, 1, 1), [] if trace else None)


@pytest.mark.parametrize("trace", [False, True])
def test_standard_for_reads_the_same_cell_with_and_without_a_trace(trace):
    case = Case(Trainee("employee"), Course("2-02-10-11", "junior"))
    table = {"2-02-10-11": {"junior": {"hours": 64, "amount_fen": 100}, "senior": 5}, "x": 1}
    p = _bound(table, trace)
    assert common.standard_for(p, "t", case) == {"hours": 64, "amount_fen": 100}
    assert common.standard_for(p, "t", replace(case, course=Course("2-02-10-11", "senior"))) == 5
    assert common.standard_for(p, "t", replace(case, course=Course("2-02-10-11", "technician"))) is None
    assert common.standard_for(p, "t", replace(case, course=Course("x", "junior"))) is None  # a row that is no table
    assert common.standard_for(p, "t", replace(case, course=Course("missing", "junior"))) is None
    assert common.standard_for(_bound(7000, trace), "t", case) == 7000  # one amount for everyone
    if trace:
        assert [entry["parameter"] for entry in p.trace] == [
            "t[2-02-10-11][junior]", "t[2-02-10-11][senior]", "t[2-02-10-11][technician]", "t[x][junior]", "t[missing][junior]"]
    else:
        assert p.trace is None


def test_tianjin_catalogue_hours_and_amount_agree_on_both_paths():
    paid = both("tianjin")
    assert [(i.kind, i.amount_fen, i.payee) for i in paid.items] == [("training_subsidy", 351900, "institution"), ("living_allowance", 100000, "person")]
    short = both("tianjin", **{"course.hours_total": 10, "course.hours_online": 0})
    r = reason_of(short, "HOURS_BELOW_REQUIREMENT")
    assert r.effect == "refuse" and r.message.startswith("培训 10 学时，少于补贴标准目录要求的 ") and r.citation.startswith(TIANJIN)
    missing = both("tianjin", **{"course.occupation_code": "2-02-38-13"})
    assert reason_of(missing, "STANDARD_NOT_PUBLISHED").effect == "pending" and missing.items == [] and missing.eligible


# --- history rules walk case.history once ----------------------------------------------------


def _history(day, kind="training_subsidy", code="2-02-10-11", level="junior"):
    return [{"date": day, "kind": kind, "occupation_code": code, "level": level, "amount_fen": 1}]


def test_history_rules_ignore_living_allowances_and_count_subsidies_of_the_year():
    for province in ("tianjin", "guangxi", "tibet"):
        allowance_only = both(province, history=_history("2026-01-05", kind="living_allowance"))
        assert not {"REPEAT_SAME_OCCUPATION_LEVEL", "ANNUAL_LIMIT_REACHED", "LOWER_LEVEL_AFTER_HIGHER"} & {r.code for r in allowance_only.reasons}
    higher_allowance = both("tianjin", history=_history("2025-01-05", kind="living_allowance", level="senior"))
    assert "LOWER_LEVEL_AFTER_HIGHER" not in {r.code for r in higher_allowance.reasons}
    two = _history("2026-01-05", code="2-02-10-09") + _history("2026-02-05", code="2-02-10-09") + _history("2025-12-31", code="2-02-10-09")
    limit = reason_of(both("guangxi", history=two), "ANNUAL_LIMIT_REACHED")
    assert limit.message == "2026 年已享受 2 次培训补贴。规定：每人每年只能享受一次培训补贴。" and limit.effect == "refuse"
    last_year = both("guangxi", history=_history("2025-12-31", code="2-02-10-09"))
    assert "ANNUAL_LIMIT_REACHED" not in {r.code for r in last_year.reasons}


def test_repeat_rule_checks_every_entry_until_one_matches():
    other_then_same = _history("2026-01-05", code="2-02-10-09") + _history("2025-06-01", level="intermediate") + _history("2025-09-01")
    r = reason_of(both("tibet", history=other_then_same), "REPEAT_SAME_OCCUPATION_LEVEL")
    assert r.message == "2025-09-01 已享受同一职业同一等级（初级）培训补贴，一年内不可重复享受。" and r.citation == TIBET + " 五(四)"
    old_then_recent = _history("2024-01-01") + _history("2025-12-01")
    assert reason_of(both("tibet", history=old_then_recent), "REPEAT_SAME_OCCUPATION_LEVEL").message.startswith("2025-12-01 ")
    ever = reason_of(both("guangxi", history=_history("2025-12-01", code="2-02-10-09") + _history("0001-01-02")), "REPEAT_SAME_OCCUPATION_LEVEL")
    assert ever.message == "0001-01-02 已享受同一职业同一等级（初级）培训补贴，不可重复享受。" and ever.citation.startswith(GUANGXI)


def test_lower_level_rule_skips_other_occupations_and_lower_levels_before_a_match():
    history = _history("2025-01-01", code="2-02-10-09", level="senior") + _history("2025-02-01", level="junior") + _history("2025-03-01", level="senior")
    r = reason_of(both("tianjin", history=history), "LOWER_LEVEL_AFTER_HIGHER")
    assert r.message == "已享受高级补贴，不得再享受初级补贴。" and r.effect == "refuse"


# --- exam results ------------------------------------------------------------------------------


def _exam(theory, ability):
    return {k: v for k, v in (("theory_passed", theory), ("ability_passed", ability)) if v is not None}


@pytest.mark.parametrize(("theory", "ability", "named"), [
    (False, True, "理论知识考试"), (True, False, "专业能力考核"), (False, None, "理论知识考试"), (None, False, "专业能力考核"),
    (False, False, "理论知识考试、专业能力考核"),
])
def test_exam_failures_are_named_on_both_paths(theory, ability, named):
    r = reason_of(both("tianjin", **{"course.exam": _exam(theory, ability)}), "EXAM_NOT_PASSED")
    assert r.message == f"{named}未合格；两项均合格方可取得专业技术等级证书。" and r.effect == "refuse"


@pytest.mark.parametrize(("theory", "ability"), [(True, True), (None, None), (True, None)])
def test_no_failed_exam_no_exam_reason(theory, ability):
    decision = both("tianjin", **{"course.exam": _exam(theory, ability)})
    assert "EXAM_NOT_PASSED" not in {r.code for r in decision.reasons}
    no_certificate = both("tianjin", **{"course.exam": _exam(theory, ability), "course.level_certificate": None})
    assert reason_of(no_certificate, "LEVEL_CERTIFICATE_MISSING").message == "未取得专业技术等级证书。"


# --- _decide: one loop for refuse / pending ------------------------------------------------------


PAID = Item("training_subsidy", 100, "institution", "C")


def _pack(rules, subsidy):
    class Pack(PolicyPack):
        code = "tianjin"  # borrows Tianjin's parameters (home_province in force)
        eligibility_rules = tuple(rules)
        subsidy_rule = subsidy
    return Pack()


def _decide(rules, subsidy=lambda case, p: ([PAID], [])):
    pack = _pack(rules, subsidy)
    case = parse_case(case_dict("tianjin"))
    decision = pack.quote(case)
    assert pack.outcome(case) == (decision.eligible, decision.items, decision.reasons)
    return decision


def test_decide_effects():
    refuse, pending, reduce_, info = (Reason(c, c, "c", e) for c, e in (("R", "refuse"), ("P", "pending"), ("D", "reduce"), ("I", "info")))
    called = []

    def subsidy(case, p):
        called.append(1)
        return [PAID], []

    d = _decide([lambda c, p: [info, reduce_], lambda c, p: None], subsidy)
    assert (d.eligible, d.items, [r.code for r in d.reasons], len(called)) == (True, [PAID], ["I", "D"], 2)  # quote and outcome
    d = _decide([lambda c, p: pending, lambda c, p: info], subsidy)
    assert (d.eligible, d.items, [r.code for r in d.reasons], len(called)) == (True, [], ["P", "I"], 2)
    d = _decide([lambda c, p: refuse, lambda c, p: pending], subsidy)
    assert (d.eligible, d.items, [r.code for r in d.reasons], len(called)) == (False, [], ["R", "P"], 2)
    d = _decide([lambda c, p: pending, lambda c, p: [reduce_, refuse]], subsidy)
    assert (d.eligible, d.items, [r.code for r in d.reasons]) == (False, [], ["P", "D", "R"])
    # the subsidy rule's own reasons: a refusal there refuses and drops the items; others keep them
    d = _decide([], lambda c, p: ([PAID], [reduce_, refuse]))
    assert (d.eligible, d.items, [r.code for r in d.reasons]) == (False, [], ["D", "R"])
    d = _decide([lambda c, p: info], lambda c, p: ([PAID], [pending, reduce_]))
    assert (d.eligible, d.items, [r.code for r in d.reasons]) == (True, [PAID], ["I", "P", "D"])
    d = _decide([lambda c, p: reduce_], None)
    assert (d.eligible, d.items, [r.code for r in d.reasons]) == (True, [], ["D"])


def test_online_cap_needs_a_total_even_where_a_cap_is_set():
    p = get_pack("tianjin").parameters.bind(date(2026, 3, 1), None)
    assert p.get("online_cap_bp") is not None
    for total in (None, 0):
        assert common.online_hours_cap(Case(Trainee("employee"), Course("2-02-10-11", "junior", hours_total=total, hours_online=10)), p) is None
    over = common.online_hours_cap(Case(Trainee("employee"), Course("2-02-10-11", "junior", hours_total=10, hours_online=10)), p)
    assert over.code == "ONLINE_HOURS_OVER_CAP" and over.message.startswith("线上培训 10 学时，占总学时 10 的 100.0%")
