"""Publicity objections hold one line; recovery is linked to the payment and holds further claims;
the ledger catches an edited entry."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dte.organisations.tests.factories import division
from dte.subsidy.models import Claim, ClaimLine, LedgerEntry, Objection
from dte.subsidy.selectors import publicity_lines
from dte.subsidy.services import ledger, payments, review
from dte.subsidy.services.claims import ClaimRefused, claim_create
from dte.subsidy.services.recovery import recovery_open, recovery_repaid

from .factories import APPROVE_DAY, AUTHORISE_DAY, CLAIM_DAY, BudgetFactory, completed_class, officials, passed_exams
from .test_money_path import pay, result_file

pytestmark = pytest.mark.django_db


def approved_claim(monkeypatch, trainees=2):
    k = completed_class("guangxi", status="employee", trainees=trainees)
    passed_exams(monkeypatch, k)
    people = officials("450100")
    BudgetFactory(province=division("450000"))
    claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    review.claim_approve(claim, by=people.reviewer, today=APPROVE_DAY)
    return claim, people


def test_objection_holds_only_that_line_until_resolved(monkeypatch):
    claim, people = approved_claim(monkeypatch)
    first, second = claim.lines.order_by("pk")
    assert {x.pk for x in publicity_lines(APPROVE_DAY)} == {first.pk, second.pk}
    objection = review.objection_open(first.pk, text="该学员未实际参加培训", contact="139****0000", today=APPROVE_DAY)
    review.claim_authorise(claim, by=people.finance, today=AUTHORISE_DAY)
    assert dict(claim.lines.values_list("pk", "status")) == {first.pk: "held", second.pk: "authorised"}
    with pytest.raises(review.ReviewRefused, match="公示期"):
        review.objection_open(second.pk, text="迟到的异议", today=AUTHORISE_DAY)
    review.objection_resolve(objection, by=people.reviewer, upheld=False, resolution="经核查，考勤记录完整")
    assert ClaimLine.objects.get(pk=first.pk).status == "approved"
    review.claim_authorise(claim, by=people.finance, today=AUTHORISE_DAY)
    assert set(claim.lines.values_list("status", flat=True)) == {"authorised"}
    assert Objection.objects.get().status == "dismissed"
    assert ledger.verify().ok


def test_upheld_objection_rejects_the_line_and_frees_the_budget(monkeypatch):
    claim, people = approved_claim(monkeypatch)
    first = claim.lines.order_by("pk").first()
    objection = review.objection_open(first.pk, text="冒名顶替", today=APPROVE_DAY)
    assert review.budget_status("450000", 2025)["committed_fen"] == 160000
    review.objection_resolve(objection, by=people.reviewer, upheld=True, resolution="属实，不予补贴")
    assert ClaimLine.objects.get(pk=first.pk).status == "rejected"
    assert review.budget_status("450000", 2025)["committed_fen"] == 80000


def test_recovery_linked_to_payment_holds_institution_until_repaid(monkeypatch):
    k = completed_class("guangxi", status="employee", trainees=2)
    passed_exams(monkeypatch, k)
    people = officials("450100")
    BudgetFactory(province=division("450000"))
    claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    pay(claim, people)
    line = claim.lines.order_by("pk").first()
    with pytest.raises(review.ReviewRefused, match="角色"):
        recovery_open(line, by=people.finance, reason="虚报")
    recovery = recovery_open(line, by=people.reviewer, reason="经查该学员未参加考核，属违规申领")
    assert recovery.payment.line_id == line.pk and recovery.payment.status == "paid" and recovery.amount_fen == 80000
    assert ledger.balances(institution=claim.institution)["receivable"] == 80000
    assert ledger.balances(province="450000", budget_year=2025)["expense"] == 80000
    other = completed_class("guangxi", status="employee", trainees=1)
    other.institution = claim.institution
    other.save()
    passed_exams(monkeypatch, other)
    with pytest.raises(ClaimRefused, match="暂停"):
        claim_create(training_class=other, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    with pytest.raises(review.ReviewRefused, match="累计不超过"):
        recovery_open(line, by=people.reviewer, reason="再次追回")
    recovery_repaid(recovery, by=people.finance)
    assert ledger.balances(institution=claim.institution)["receivable"] == 0
    assert claim_create(training_class=other, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY).lines.count() == 1
    assert ledger.verify().ok


@pytest.mark.parametrize("sql", [
    "UPDATE subsidy_ledgerentry SET amount_fen = amount_fen + 100 WHERE id = %s",
    "UPDATE subsidy_ledgerentry SET amount_fen = amount_fen * 2 WHERE transaction_id = (SELECT transaction_id FROM subsidy_ledgerentry WHERE id = %s)",
    "DELETE FROM subsidy_ledgerentry WHERE transaction_id = (SELECT transaction_id FROM subsidy_ledgerentry WHERE id = %s)",
])
def test_ledger_verify_catches_an_edited_entry(monkeypatch, sql):
    claim, people = approved_claim(monkeypatch, trainees=1)
    review.claim_authorise(claim, by=people.finance, today=AUTHORISE_DAY)
    call_command("ledger", "verify")
    entry = LedgerEntry.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with pytest.raises(Exception, match="append-only"), __import__("django").db.transaction.atomic():
                cursor.execute(sql, [entry.pk])
            cursor.execute("SET session_replication_role = replica")  # a superuser bypassing the trigger
        cursor.execute(sql, [entry.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    result = ledger.verify()
    assert not result.ok and result.problems
    with pytest.raises(CommandError, match="problem"):
        call_command("ledger", "verify")


def test_result_file_after_settlement_changes_nothing(monkeypatch):
    claim, people = approved_claim(monkeypatch, trainees=1)
    review.claim_authorise(claim, by=people.finance, today=AUTHORISE_DAY)
    review.claim_release(claim, by=people.releaser)
    batch = payments.batch_create(province_code="450000", by=people.finance)
    payments.batch_submit(batch, by=people.finance)
    payments.result_import(batch, result_file(batch), filename="a.csv", by=people.releaser)
    with pytest.raises(payments.PaymentRefused):
        payments.result_import(batch, result_file(batch, failed=(0,)), filename="b.csv", by=people.releaser)
    assert claim.lines.get().status == "paid"
