"""The /api/policy/ endpoints and the web pages (login required)."""

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


def test_api_quote(officer):
    body = {"province": "tianjin", "case": case_dict("tianjin", **{"course.level": "intermediate"})}
    response = officer.post("/api/policy/quote", json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["total_fen"] == 503100 and [i["payee"] for i in data["items"]] == ["institution", "person"]


def test_api_quote_with_what_if_and_bad_input(officer):
    body = {"province": "tibet", "case": case_dict("tibet"), "parameters": {"training_subsidy_fen": 70000}}
    assert officer.post("/api/policy/quote", json.dumps(body), content_type="application/json").json()["total_fen"] == 70000
    bad = {"province": "shanxi", "case": case_dict("shanxi", **{"course.level": "grand"})}
    response = officer.post("/api/policy/quote", json.dumps(bad), content_type="application/json")
    assert response.status_code == 422 and "course.level" in response.json()["message"]
    unknown = {"province": "atlantis", "case": case_dict("shanxi")}
    assert officer.post("/api/policy/quote", json.dumps(unknown), content_type="application/json").status_code == 422


def test_api_packs(officer):
    assert {p["code"] for p in officer.get("/api/policy/packs").json()} == {"tibet", "shanxi", "guangxi", "tianjin", "yunnan"}
    detail = officer.get("/api/policy/packs/guangxi").json()
    flat = next(p for p in detail["parameters"] if p["name"] == "training_subsidy_fen")
    assert flat["history"][0]["value"] == 80000 and "四(三)" in flat["history"][0]["citation"]
    assert officer.get("/api/policy/packs/nowhere").status_code == 404


def test_api_requires_login(client):
    assert client.get("/api/policy/packs").status_code == 401


def test_pages_require_login(client):
    assert client.get("/policy/").status_code == 302
    assert client.get("/policy/calculator/").status_code == 302


def test_pack_pages(officer):
    body = officer.get("/policy/").content.decode()
    assert "天津市" in body and "/policy/tianjin/" in body
    detail = officer.get("/policy/tianjin/").content.decode()
    assert "津人社办发〔2022〕94号 附件3" in detail and "living_allowance_fen" in detail
    assert officer.get("/policy/mars/").status_code == 404


def test_calculator_form(officer):
    page = officer.get("/policy/calculator/?province=guangxi").content.decode()
    assert "occupation_code" in page  # an example case is pre-filled
    response = officer.post("/policy/calculator/", {"province": "shanxi", "case": json.dumps(case_dict("shanxi")), "on": ""})
    body = response.content.decode()
    assert response.status_code == 200 and "170000" in body and "晋人社厅发〔2024〕27号" in body
    error = officer.post("/policy/calculator/", {"province": "shanxi", "case": "{oops"}).content.decode()
    assert "JSON" in error and 'role="alert"' in error


def test_calculator_result_names_items_and_payees_in_words(officer):
    """Issue 13 item 12: the page after POST showed the payment line's type and payee as codes
    (training_subsidy, institution, person)."""
    from dte.web.tests.ui_text import findings, visible_text

    response = officer.post("/policy/calculator/", {"province": "tianjin", "case": json.dumps(
        case_dict("tianjin", **{"course.level": "intermediate"})), "on": ""}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200 and response.context["decision"].items
    # the result below the form (the case text above it and the trace/JSON in <details> stay machine-readable)
    table = visible_text(response.content.decode().split("</form>")[-1].split("<details>")[0])
    assert "培训补贴" in table and "培训机构" in table and "生活费补贴" in table
    for code in ("training_subsidy", "living_allowance", "institution", "person"):
        assert code not in table, code
    assert not findings(table), findings(table)
    bad = officer.post("/policy/calculator/", {"province": "shanxi", "case": "{}", "parameters": "{oops"},
                       HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "参数不是有效的 JSON" in bad and "Expecting" not in bad
