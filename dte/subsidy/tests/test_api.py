"""The subsidy API: the money path end to end over HTTP, scope (another province, another
institution, the wrong role), the error shape {code, message, field, errors}, and paying once:
the same Idempotency-Key replays, a second submit or the same bank file again changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory, division
from dte.subsidy.models import ClaimLine, LedgerTransaction
from dte.subsidy.services import ledger

from .factories import BudgetFactory, completed_class, officials, passed_exams, standard
from .test_money_path import result_file

pytestmark = pytest.mark.django_db
API = "/api/subsidy"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message"] and "field" in body and body["errors"]
    return body


@pytest.fixture
def tianjin(monkeypatch):
    k = completed_class("tianjin", status="employee")
    # the API claims on today's date: an exam 25 days ago is within Tianjin's 30 days (附件4 一(二))
    passed_exams(monkeypatch, k, exam_date=datetime.date.today() - datetime.timedelta(days=25))
    BudgetFactory(province=division("120000"), year=2026)
    staff = UserFactory(role=Role.TRAINING_STAFF, organisation=k.institution)
    return k, staff, officials("120101")


def _through_review(claim_id, people, monkeypatch):
    """Approve, then let the publicity period pass, authorise and release (three different people)."""
    from dte.subsidy.services import review

    reviewer, finance, releaser = _client(people.reviewer), _client(people.finance), _client(people.releaser)
    assert reviewer.post(f"{API}/claims/{claim_id}/decisions", {"decision": "approve"}, content_type="application/json").json()[
        "status"] == "approved"
    later = datetime.date.today() + datetime.timedelta(days=60)
    monkeypatch.setattr(review.timezone, "localdate", lambda: later)
    assert finance.post(f"{API}/claims/{claim_id}/decisions", {"decision": "authorise"}, content_type="application/json").json()[
        "status"] == "authorised"
    again = finance.post(f"{API}/claims/{claim_id}/decisions", {"decision": "release"}, content_type="application/json")
    _error(again, 422, "invalid")  # the authoriser may not also release (segregation of duties)
    assert "不同人员" in again.json()["message"]
    assert releaser.post(f"{API}/claims/{claim_id}/decisions", {"decision": "release"}, content_type="application/json").json()[
        "status"] == "released"
    return finance, releaser


def test_money_path_over_the_api_pays_once(tianjin, monkeypatch):
    k, staff, people = tianjin
    institution = _client(staff)
    created = institution.post(f"{API}/classes/{k.pk}/claims", {"kind": "class"}, content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY="claim-1")
    assert created.status_code == 201, created.content
    claim = created.json()
    assert claim["status"] == "submitted" and claim["lines"] == 2 and claim["amount_fen"] == 2 * 272000
    replay = institution.post(f"{API}/classes/{k.pk}/claims", {"kind": "class"}, content_type="application/json",
                              HTTP_IDEMPOTENCY_KEY="claim-1")
    assert replay.status_code == 201 and replay.json()["id"] == claim["id"] and replay.headers.get("Idempotent-Replayed") == "true"
    twice = institution.post(f"{API}/classes/{k.pk}/claims", {"kind": "class"}, content_type="application/json")
    assert "请勿重复申领" in _error(twice, 422, "invalid")["message"]

    detail = _client(people.reviewer).get(f"{API}/claims/{claim['id']}").json()
    assert detail["budget"]["budget_fen"] == 100_000_000
    line = detail["items"][0]
    assert line["amount_fen"] == 272000 and line["pack_version"].startswith("tianjin-") and "*" in line["id_number"]
    assert all(p["citation"] for p in line["parameters"])

    finance, releaser = _through_review(claim["id"], people, monkeypatch)
    assert [r["line_id"] for r in Client().get(f"{API}/publicity").json()["items"]] == []  # publicity over

    batch = finance.post(f"{API}/batches", {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert batch.status_code == 201, batch.content
    batch = batch.json()
    assert batch["control_count"] == 2 and batch["control_total_fen"] == 2 * 272000
    assert finance.post(f"{API}/batches", {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="batch-1").json()["id"] == batch["id"]
    _error(finance.post(f"{API}/batches", {}, content_type="application/json"), 422, "invalid")  # nothing left to batch
    for _ in range(2):  # pressing twice submits once
        assert finance.post(f"{API}/batches/{batch['id']}/submit").json()["status"] == "submitted"

    from dte.subsidy.models import PaymentBatch

    raw = result_file(PaymentBatch.objects.get(pk=batch["id"]))
    first = releaser.post(f"{API}/batches/{batch['id']}/result", {"file": SimpleUploadedFile("r.csv", raw)}, HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == 200, first.content
    assert first.json()["paid"] == 2 and not first.json()["already_applied"]
    replayed = releaser.post(f"{API}/batches/{batch['id']}/result", {"file": SimpleUploadedFile("r.csv", raw)}, HTTP_IDEMPOTENCY_KEY="r-1")
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    again = releaser.post(f"{API}/batches/{batch['id']}/result", {"file": SimpleUploadedFile("r.csv", raw)})
    assert again.status_code == 200 and again.json()["already_applied"]
    assert LedgerTransaction.objects.filter(kind="pay").count() == 2  # paid once per line, whatever was pressed
    assert set(ClaimLine.objects.filter(claim_id=claim["id"]).values_list("status", flat=True)) == {"paid"}

    balance = finance.get(f"{API}/ledger/balance", {"claim_id": claim["id"]}).json()
    assert balance["accounts"] == {"bank": -2 * 272000, "expense": 2 * 272000, "payable": 0}
    year = finance.get(f"{API}/ledger/balance", {"budget_year": 2026}).json()
    assert year["accounts"]["bank"] == -2 * 272000 and year["budget"]["committed_fen"] == 2 * 272000
    assert institution.get(f"{API}/ledger/balance", {"institution_id": k.institution_id}).json()["accounts"]["expense"] == 544000
    assert ledger.verify().ok


def test_scope_roles_and_error_shape(tianjin, monkeypatch):
    k, staff, people = tianjin
    _error(Client().get(f"{API}/claims"), 401, "unauthenticated")
    claim = _client(staff).post(f"{API}/classes/{k.pk}/claims", {}, content_type="application/json").json()
    # another institution and another province see nothing and can change nothing
    other = completed_class("tianjin", trainees=1, status="employee")
    stranger = _client(UserFactory(role=Role.TRAINING_STAFF, organisation=other.institution))
    assert stranger.get(f"{API}/claims").json()["count"] == 0
    _error(stranger.get(f"{API}/claims/{claim['id']}"), 404, "not_found")
    _error(stranger.post(f"{API}/classes/{k.pk}/claims", {}, content_type="application/json"), 404, "not_found")
    _error(stranger.get(f"{API}/ledger/balance", {"institution_id": k.institution_id}), 404, "not_found")
    shanxi = _client(officials("140100").reviewer)
    assert shanxi.get(f"{API}/claims").json()["count"] == 0
    _error(shanxi.post(f"{API}/claims/{claim['id']}/decisions", {"decision": "approve"}, content_type="application/json"),
           404, "not_found")
    tianjin_officer = _client(people.reviewer)
    assert [c["id"] for c in tianjin_officer.get(f"{API}/claims").json()["items"]] == [claim["id"]]
    # the wrong role: an institution may not approve its own claim, an officer may not claim
    refused = _client(staff).post(f"{API}/claims/{claim['id']}/decisions", {"decision": "approve"}, content_type="application/json")
    assert "角色" in _error(refused, 422, "invalid")["message"]
    _error(tianjin_officer.post(f"{API}/classes/{k.pk}/claims", {}, content_type="application/json"), 403, "forbidden")
    _error(tianjin_officer.post(f"{API}/batches", {}, content_type="application/json"), 403, "forbidden")
    _error(_client(staff).get(f"{API}/ledger/balance", {"budget_year": 2026}), 403, "forbidden")
    # bad input
    bad = tianjin_officer.post(f"{API}/claims/{claim['id']}/decisions", {"decision": "pay"}, content_type="application/json")
    assert _error(bad, 422, "invalid")["field"] == "decision"
    empty = tianjin_officer.post(f"{API}/claims/{claim['id']}/decisions", {"decision": "return"}, content_type="application/json")
    assert "意见" in _error(empty, 422, "invalid")["message"]
    _error(tianjin_officer.get(f"{API}/ledger/balance"), 422, "invalid")
    # the same Idempotency-Key for another request
    tianjin_officer.post(f"{API}/claims/{claim['id']}/decisions", {"decision": "return", "comment": "补材料"},
                         content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    clash = tianjin_officer.post(f"{API}/claims/{claim['id']}/decisions", {"decision": "approve"}, content_type="application/json",
                                 HTTP_IDEMPOTENCY_KEY="k")
    assert _error(clash, 409, "conflict")["field"] == "Idempotency-Key"


def test_bad_bank_file_is_refused_whole_with_rows(tianjin, monkeypatch):
    k, staff, people = tianjin
    claim = _client(staff).post(f"{API}/classes/{k.pk}/claims", {}, content_type="application/json").json()
    finance, releaser = _through_review(claim["id"], people, monkeypatch)
    batch = finance.post(f"{API}/batches", {}, content_type="application/json").json()
    finance.post(f"{API}/batches/{batch['id']}/submit")
    from dte.subsidy.models import PaymentBatch

    raw = result_file(PaymentBatch.objects.get(pk=batch["id"]), extra_rows=["PI999999,100,paid,X,"])
    refused = releaser.post(f"{API}/batches/{batch['id']}/result", {"file": SimpleUploadedFile("r.csv", raw)})
    body = _error(refused, 422, "invalid")
    assert any(e["field"].startswith("file:row") and "PI999999" in e["message"] for e in body["errors"]), body
    gbk = releaser.post(f"{API}/batches/{batch['id']}/result",
                        {"file": SimpleUploadedFile("r.csv", result_file(PaymentBatch.objects.get(pk=batch["id"]), encoding="gbk"))})
    gbk_body = _error(gbk, 422, "invalid")
    assert "UTF-8" in gbk_body["message"] + str(gbk_body["errors"]), gbk_body
    assert not LedgerTransaction.objects.filter(kind="pay").exists()
    assert set(ClaimLine.objects.filter(claim_id=claim["id"]).values_list("status", flat=True)) == {"in_batch"}
    assert finance.get(f"{API}/batches/{batch['id']}").json()["status"] == "submitted"


def test_publicity_is_public_and_masked(tianjin):
    k, staff, people = tianjin
    claim = _client(staff).post(f"{API}/classes/{k.pk}/claims", {}, content_type="application/json").json()
    _client(people.reviewer).post(f"{API}/claims/{claim['id']}/decisions", {"decision": "approve"}, content_type="application/json")
    rows = Client().get(f"{API}/publicity").json()["items"]
    assert len(rows) == 2 and all("*" in r["name"] and "*" in r["id_number"] for r in rows)
    person = k.enrolments.order_by("pk").first().person
    assert person.id_number not in str(rows)
