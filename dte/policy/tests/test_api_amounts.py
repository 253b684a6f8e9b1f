"""Issue 8, finding 9: the calculator API refuses negative, fractional and text amounts with 422 (not 500)."""

import json

import pytest

from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory

from .conftest import case_dict

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    client.force_login(UserFactory(role=Role.PROVINCE_OFFICER))
    return client


def quote(client, **body):
    return client.post("/api/policy/quote", json.dumps({"province": "tibet", "case": case_dict("tibet"), **body}),
                       content_type="application/json")


@pytest.mark.parametrize("amount", [-5, 700.5, "abc", 10**30, True, {"2-02-10-11": {"junior": "abc"}}, {}])
def test_what_if_amounts_must_be_whole_non_negative_numbers(officer, amount):
    response = quote(officer, parameters={"training_subsidy_fen": amount})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert "training_subsidy_fen" in response.json()["message"]


@pytest.mark.parametrize("amount", [-5, 1.5, 10**30])
def test_case_amounts_must_be_whole_non_negative_numbers(officer, amount):
    case = case_dict("tibet")
    case["history"] = [{"date": "2024-01-01", "kind": "training_subsidy", "amount_fen": amount}]
    response = officer.post("/api/policy/quote", json.dumps({"province": "tibet", "case": case}), content_type="application/json")
    assert response.status_code == 422 and "amount_fen" in response.json()["message"]


def test_valid_amounts_still_quote(officer):
    assert quote(officer, parameters={"training_subsidy_fen": 70000}).json()["total_fen"] == 70000
    table = {"training_subsidy_fen": {"value": {"2-02-10-11": {"junior": 90000}}, "effective_from": "2026-01-01"}}
    assert quote(officer, parameters=table).status_code == 200
