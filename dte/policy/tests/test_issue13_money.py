"""Issue 13 items 4, 5, 8, 9 and the calculator/CLI/API agreeing. Each test quotes its clause."""

import io
import json

import pytest
from django.core.management import call_command

from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory
from dte.policy.cases import CaseError, parse_case
from dte.policy.engine import ParameterError, parameters_from_mapping
from dte.policy.packs import get_pack
from dte.policy.services import PolicyInputError, policy_quote

from .conftest import case_dict, codes, quote

SHANXI, TIANJIN = "晋人社厅发〔2024〕27号", "津人社办发〔2022〕94号"


def allowance(on="2025-05-01"):
    return {"date": on, "kind": "living_allowance", "occupation_code": None, "level": None, "amount_fen": 100000}


# --- item 4: 晋人社厅发〔2024〕27号 五(四) — conditions are training numbers and employment, not the
# level certificate; an exam result (which only decides the certificate) refuses nothing ------


@pytest.mark.parametrize(
    "exam, certificate",
    [({"theory_passed": False, "ability_passed": True}, None), ({"theory_passed": True, "ability_passed": False}, None),
     ({}, None)],
)
def test_shanxi_failed_exam_or_no_certificate_still_paid(exam, certificate):
    changes = {"course.exam": exam, "course.level_certificate": certificate}
    decision = quote("shanxi", **{k: v for k, v in changes.items() if v is not None}, **({} if certificate else {"course.level_certificate": None}))
    assert decision.eligible and decision.total_fen == 170000
    assert not {"EXAM_NOT_PASSED", "LEVEL_CERTIFICATE_MISSING"} & set(codes(decision))
    dated = get_pack("shanxi").parameters.parameters["level_certificate_required"].values[0]
    assert dated.value is False and dated.citation.startswith(SHANXI + " 五(四)")


def test_where_the_certificate_is_a_condition_a_failed_exam_refuses():
    # 津人社办发〔2022〕94号 三(四) “培训合格并取得专业技术等级证书人员”
    decision = quote("tianjin", **{"course.exam": {"theory_passed": False, "ability_passed": True}})
    [reason] = [r for r in decision.reasons if r.code == "EXAM_NOT_PASSED"]
    assert not decision.eligible and "理论知识考试" in reason.message and reason.citation
    missing = quote("tianjin", **{"course.level_certificate": None})
    assert codes(missing) == ["LEVEL_CERTIFICATE_MISSING"] and missing.reasons[0].citation == TIANJIN + " 三(四)"


# --- item 5: 津人社办发〔2022〕94号 三(四) “可以在一年内申请1000元的一次性生活费补贴” and 附件4 二 ----


def test_living_allowance_once_per_person_from_the_history():
    decision = quote("tianjin", history=[allowance()])
    assert [i.kind for i in decision.items] == ["training_subsidy"] and decision.total_fen == 351900
    [reason] = decision.reasons
    assert reason.code == "LIVING_ALLOWANCE_ALREADY_GRANTED" and reason.effect == "reduce"
    assert "2025-05-01" in reason.message and reason.citation == TIANJIN + " 三(四)（1000元的一次性生活费补贴）"


def test_earlier_training_subsidy_does_not_stop_the_allowance():
    history = [{"date": "2025-05-01", "kind": "training_subsidy", "occupation_code": "2-02-10-09", "level": "junior", "amount_fen": 1}]
    decision = quote("tianjin", history=history)
    assert [i.kind for i in decision.items] == ["training_subsidy", "living_allowance"] and decision.items[1].payee == "person"


@pytest.mark.parametrize("claim, paid", [("2027-03-20", True), ("2027-03-21", False), ("2026-03-21", True)])
def test_living_allowance_within_one_year_of_the_training_end(claim, paid):
    data = case_dict("tianjin")  # training ends 2026-03-20
    data["claim_date"] = claim
    decision = get_pack("tianjin").quote(parse_case(data))
    kinds = [i.kind for i in decision.items]
    assert decision.eligible and kinds[0] == "training_subsidy"
    if paid:
        assert kinds == ["training_subsidy", "living_allowance"] and decision.reasons == []
    else:
        [reason] = decision.reasons
        assert kinds == ["training_subsidy"] and reason.code == "LIVING_ALLOWANCE_WINDOW_PASSED" and reason.effect == "reduce"
        assert "2027-03-20" in reason.message and claim in reason.message
        assert reason.citation.startswith(TIANJIN + " 三(四)（可以在一年内申请）")


def test_living_allowance_window_across_29_february():
    data = case_dict("tianjin", **{"course.start_date": "2028-02-01", "course.end_date": "2028-02-29"})
    data["claim_date"] = "2029-03-01"
    assert codes(get_pack("tianjin").quote(parse_case(data))) == ["LIVING_ALLOWANCE_WINDOW_PASSED"]
    data["claim_date"] = "2029-02-28"
    assert codes(get_pack("tianjin").quote(parse_case(data))) == []


# --- item 8: contradictory inputs refused, naming the fields ---------------------------------


def test_more_training_days_than_the_dates_hold_is_refused():
    with pytest.raises(CaseError) as error:
        parse_case(case_dict("shanxi", **{"course.training_days": 21, "course.end_date": "2026-03-20"}))
    assert error.value.path == "course.training_days"
    assert "course.start_date" in error.value.message and "course.end_date" in error.value.message and "20" in error.value.message
    assert parse_case(case_dict("shanxi", **{"course.training_days": 20})).course.training_days == 20


def test_online_hours_above_total_is_refused_naming_both_fields():
    with pytest.raises(PolicyInputError) as error:
        policy_quote("tianjin", case_dict("tianjin", **{"course.hours_online": 129}))
    assert "course.hours_online" in str(error.value) and "course.hours_total" in str(error.value)


def test_end_before_start_is_refused():
    with pytest.raises(CaseError) as error:
        parse_case(case_dict("shanxi", **{"course.end_date": "2026-02-28"}))
    assert error.value.path == "course.end_date" and "2026-03-01" in error.value.message


# --- item 9: values not in the province's own document say where they come from ------------


@pytest.mark.parametrize(
    "province, name, source, citation",
    [
        ("guangxi", "training_subsidy_payee", "owner_decision", "D-GX-1"),
        ("tibet", "training_subsidy_payee", "owner_decision", "D-XZ-1"),
        ("tibet", "forbidden_claims", "national_baseline", "人社厅发〔2021〕71号"),
        ("tianjin", "forbidden_claims", "national_baseline", "人社厅发〔2021〕71号"),
        ("yunnan", "deadline_training_report", "national_baseline", "人社厅发〔2021〕71号"),
        ("shanxi", "subsidy_cap_fen", "document", SHANXI),
    ],
)
def test_sources_are_recorded(province, name, source, citation):
    history = next(p for p in get_pack(province).describe()["parameters"] if p["name"] == name)["history"]
    assert history[-1]["source"] == source and citation in history[-1]["citation"]


def test_guangxi_listed_phrases_come_from_the_baseline_after_its_own_clause():
    history = next(p for p in get_pack("guangxi").describe()["parameters"] if p["name"] == "forbidden_claims")["history"]
    assert [h["source"] for h in history] == ["document", "national_baseline"]


@pytest.mark.parametrize("raw, message", [({"value": 1, "effective_from": "2026-01-01"}, "citation"),
                                         ({"value": 1, "effective_from": "2026-01-01", "citation": "x", "source": "rumour"}, "source")])
def test_parameter_without_citation_or_with_unknown_source_is_refused(raw, message):
    with pytest.raises(ParameterError, match=message):
        parameters_from_mapping({"rate": {"values": [raw]}}, "test.yaml")


@pytest.mark.django_db
def test_pack_page_shows_sources_apart_and_no_python_reprs(client):
    client.force_login(UserFactory(role=Role.PROVINCE_OFFICER))
    page = client.get("/policy/guangxi/").content.decode()
    assert 'data-source="owner_decision"' in page and 'data-source="national_baseline"' in page
    assert 'data-source="document"' in page and "D-GX-1" in page
    assert "True" not in page and "[&#x27;" not in page and "{&#x27;" not in page


# --- the calculator, the CLI and the API agree -----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("province, changes", [
    ("tianjin", {"trainee.status": "student", "trainee.graduation_date": "2026-06-30", "history": [allowance()]}),
    ("yunnan", {"trainee.status": "unemployed", "trainee.graduation_date": "2020-06-30"}),
    ("shanxi", {"trainee.status": "employee", "trainee.graduation_date": "2026-06-30"}),
])
def test_calculator_cli_and_api_agree(client, province, changes):
    case = case_dict(province, **changes)
    client.force_login(UserFactory(role=Role.PROVINCE_OFFICER))
    api = client.post("/api/policy/quote", json.dumps({"province": province, "case": case}), content_type="application/json").json()
    web = client.post("/policy/calculator/", {"province": province, "case": json.dumps(case), "on": ""}).context["decision"].to_dict()
    out = io.StringIO()
    call_command("policy", "quote", "--province", province, stdin=io.StringIO(json.dumps(case)), stdout=out)
    cli = json.loads(out.getvalue())
    direct = json.loads(policy_quote(province, case).to_json())
    for key in ("eligible", "items", "total_fen", "reasons", "reference_dates"):
        assert api[key] == web[key] == cli[key] == direct[key], key
