"""On PostgreSQL: two institutions cannot both claim one person; two officials pressing at once,
the same batch submitted twice and the same result file imported twice pay once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from dte.organisations.tests.factories import division
from dte.subsidy.models import Claim, ClaimLine, LedgerTransaction, PaymentItem
from dte.subsidy.services import ledger, payments, review
from dte.subsidy.services.claims import ClaimRefused, claim_create, claim_create_one

from .factories import APPROVE_DAY, AUTHORISE_DAY, CLAIM_DAY, BudgetFactory, completed_class, officials, passed_exams
from .test_money_path import result_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count, work):
    barrier, outcomes = threading.Barrier(count), []

    def target(i):
        try:
            barrier.wait()
            outcomes.append(work(i))
        except (ClaimRefused, payments.PaymentRefused, review.ReviewRefused) as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking")


def classes_of_one_person(monkeypatch, n: int = 4):
    """n completed Guangxi classes whose single trainee is the same person, exams passed."""
    classes = [completed_class("guangxi", status="employee", trainees=1) for _ in range(n)]
    person = classes[0].enrolments.get().person
    for k in classes[1:]:
        e = k.enrolments.get()
        e.person = person
        e.save()
    for k in classes:
        passed_exams(monkeypatch, k)
    return classes, person


def test_two_institutions_cannot_both_claim_one_person(monkeypatch):
    classes, person = classes_of_one_person(monkeypatch)
    by = officials("450100").reviewer
    outcomes = run_together(4, lambda i: claim_create(training_class=classes[i], kind=Claim.Kind.CLASS, by=by, today=CLAIM_DAY).pk)
    assert sum(isinstance(o, int) for o in outcomes) == 1 and outcomes.count("ClaimRefused") == 3
    assert ClaimLine.objects.filter(person=person, status="claimed").count() == 1


def test_bulk_and_per_class_claims_at_once_count_one_person_once(monkeypatch):
    """The set-based path (claims_create_for_classes) takes the same per-person locks as the class-by-class
    path (claim_create_one): racing each other over one person, only one line is claimed."""
    from dte.subsidy.services.claims_bulk import claims_create_for_classes

    classes, person = classes_of_one_person(monkeypatch)
    by = officials("450100").reviewer

    def work(i):
        if i % 2:
            return claim_create_one(training_class=classes[i], kind=Claim.Kind.CLASS, by=by, today=CLAIM_DAY).pk
        result = claims_create_for_classes([classes[i]], by=by, today=CLAIM_DAY)
        if result.refused:
            raise next(iter(result.refused.values()))
        return result.claims[0].pk

    outcomes = run_together(4, work)
    assert sum(isinstance(o, int) for o in outcomes) == 1 and outcomes.count("ClaimRefused") == 3
    assert ClaimLine.objects.filter(person=person, status="claimed").count() == 1


def test_two_officials_at_once_pay_once(monkeypatch):
    k = completed_class("guangxi", status="employee", trainees=3)
    passed_exams(monkeypatch, k)
    people = officials("450100")
    BudgetFactory(province=division("450000"))
    claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    review.claim_approve(claim, by=people.reviewer, today=APPROVE_DAY)
    review.claim_authorise(claim, by=people.finance, today=AUTHORISE_DAY)
    review.claim_release(claim, by=people.releaser)
    batches = run_together(2, lambda i: payments.batch_create(province_code="450000", by=people.finance).pk)
    assert sum(isinstance(o, int) for o in batches) == 1 and batches.count("PaymentRefused") == 1
    batch = claim.lines.first().payment_items.get().batch
    submitted = run_together(3, lambda i: payments.batch_submit(batch, by=[people.finance, people.releaser][i % 2]).status)
    assert submitted == ["submitted"] * 3
    raw = result_file(batch)
    imports = run_together(4, lambda i: payments.result_import(batch, raw, filename=f"r{i}.csv", by=people.releaser).already_applied)
    assert sorted(imports) == [False, True, True, True]
    assert LedgerTransaction.objects.filter(kind="pay").count() == 3
    assert PaymentItem.objects.filter(status="paid").count() == 3
    assert ledger.balances(province="450000")["bank"] == -240000
    assert ledger.verify().ok
