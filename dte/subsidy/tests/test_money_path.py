"""For each of the five provinces a completed class goes from claim to paid with the amounts its
pack gives; the ledger balances and `dte ledger verify` passes."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from dte.organisations.tests.factories import division
from dte.subsidy.models import Claim, ClaimLine, PaymentItem
from dte.subsidy.services import ledger, payments, review
from dte.subsidy.services.claims import ClaimRefused, claim_create

from .factories import APPROVE_DAY, AUTHORISE_DAY, CLAIM_DAY, BudgetFactory, completed_class, officials, passed_exams, standard

pytestmark = pytest.mark.django_db


def result_file(batch, failed=(), *, total=None, extra_rows=(), encoding="utf-8") -> bytes:
    items = list(batch.items.order_by("pk"))
    lines = [f"CONTROL,{batch.reference},{batch.control_count},{batch.control_total_fen if total is None else total}",
             "item_ref,amount_fen,result,bank_reference,message"]
    for i, item in enumerate(items):
        result = "failed" if i in failed else "paid"
        lines.append(f"PI{item.pk},{item.amount_fen},{result},BK{item.pk},{'账户已销户' if result == 'failed' else '成功'}")
    lines.extend(extra_rows)
    return ("\n".join(lines) + "\n").encode(encoding)


def pay(claim, people, *, failed=()):
    review.claim_approve(claim, by=people.reviewer, today=APPROVE_DAY)
    review.claim_authorise(claim, by=people.finance, today=AUTHORISE_DAY)
    review.claim_release(claim, by=people.releaser)
    batch = payments.batch_create(province_code=claim.province_id, by=people.finance)
    payments.batch_submit(batch, by=people.finance)
    payments.result_import(batch, result_file(batch, failed), filename="result.csv", by=people.releaser)
    return batch


@pytest.mark.parametrize("province, mode, status, standard_fen, expected_fen, payee, onward", [
    # 晋人社厅发〔2024〕27号 五(四): 12 days = 10×150 + 2×100 = 1700 元, to the institution, per order
    ("shanxi", "order", "graduate", None, 170000, "institution", ""),
    # 津人社办发〔2022〕94号 附件3: 人工智能工程技术人员 初级 64 学时 2720 元, to the institution
    ("tianjin", "subsidised", "employee", None, 272000, "institution", ""),
    # 广西 (2023-09-19) 四(三): 800 元/人
    ("guangxi", "subsidised", "employee", None, 80000, "person", ""),
    # 藏人社发〔2025〕13号 五(四): standard entered in the catalogue; 参训人员 → person
    ("tibet", "subsidised", "employee", 250000, 250000, "person", ""),
    # 云人社通〔2023〕39号 四(四)3: entered standard; to the institution, then on to the trainee
    ("yunnan", "subsidised", "employee", 300000, 300000, "institution", "person"),
])
def test_class_from_completed_to_paid(monkeypatch, province, mode, status, standard_fen, expected_fen, payee, onward):
    k = completed_class(province, mode=mode, status=status)
    province_code = str(k.division_id)[:2] + "0000"
    if standard_fen:
        standard(province_code, standard_fen)
    passed_exams(monkeypatch, k)
    if province == "shanxi":
        from dte.subsidy.models import EmploymentRecord

        for e in k.enrolments.all():
            EmploymentRecord.objects.create(enrolment=e, status="employed", employer="太原某科技公司", recorded_by=officials("140100").reviewer)
    people = officials(str(k.division_id))
    BudgetFactory(province=division(province_code))
    claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    lines = list(claim.lines.all())
    assert [(x.status, x.amount_fen, x.payee, x.onward_payee) for x in lines] == [("claimed", expected_fen, payee, onward)] * 2
    line = lines[0]
    assert line.pack == province and line.pack_version.startswith(province + "-")
    assert line.reference_date == k.start_date
    assert line.parameters and all(p["citation"] for p in line.parameters)
    pay(claim, people)
    assert set(ClaimLine.objects.filter(claim=claim).values_list("status", flat=True)) == {"paid"}
    assert ledger.balances(line=line) == {"bank": -expected_fen, "expense": expected_fen, "payable": 0}
    assert ledger.balances(province=province_code, budget_year=2025)["bank"] == -2 * expected_fen
    assert ledger.verify().ok
    call_command("ledger", "verify")


def test_segregation_of_duties(monkeypatch):
    k = completed_class("guangxi", status="employee")
    passed_exams(monkeypatch, k)
    people = officials(str(k.division_id))
    BudgetFactory(province=division("450000"))
    claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    review.claim_approve(claim, by=people.reviewer, today=APPROVE_DAY)
    with pytest.raises(review.ReviewRefused, match="公示期"):
        review.claim_authorise(claim, by=people.finance, today=APPROVE_DAY)
    review.claim_authorise(claim, by=people.finance, today=AUTHORISE_DAY)
    with pytest.raises(review.ReviewRefused, match="不同人员"):
        review.claim_release(claim, by=people.finance)
    with pytest.raises(review.ReviewRefused, match="角色"):
        review.claim_release(claim, by=people.reviewer)
    review.claim_release(claim, by=people.releaser)
    assert set(claim.lines.values_list("status", flat=True)) == {"released"}


def test_budget_exceeded_is_refused_and_remaining_shown(monkeypatch):
    k = completed_class("guangxi", status="employee")
    passed_exams(monkeypatch, k)
    people = officials(str(k.division_id))
    BudgetFactory(province=division("450000"), amount_fen=100000)
    claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    assert review.budget_status("450000", 2025) == {"budget_fen": 100000, "committed_fen": 0, "remaining_fen": 100000}
    with pytest.raises(review.ReviewRefused, match="超过 2025 年度预算余额"):
        review.claim_approve(claim, by=people.reviewer, today=APPROVE_DAY)
    assert Claim.objects.get(pk=claim.pk).status == "submitted"


def test_tianjin_claim_after_30_days_of_the_exam_is_refused(monkeypatch):
    k = completed_class("tianjin", status="employee")
    passed_exams(monkeypatch, k)
    people = officials(str(k.division_id))
    with pytest.raises(ClaimRefused) as refused:
        claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=k.end_date.replace(month=6))
    assert "已逾期" in str(refused.value) and "2025-05-10" in str(refused.value)


def test_tianjin_living_allowance_after_the_training_subsidy(monkeypatch):
    k = completed_class("tianjin", status="employee")
    passed_exams(monkeypatch, k)
    people = officials(str(k.division_id))
    with pytest.raises(ClaimRefused, match="培训费补贴"):
        claim_create(training_class=k, kind=Claim.Kind.LIVING_ALLOWANCE, by=people.reviewer, today=CLAIM_DAY)
    claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    allowance = claim_create(training_class=k, kind=Claim.Kind.LIVING_ALLOWANCE, by=people.reviewer, today=CLAIM_DAY)
    assert list(allowance.lines.values_list("item", "amount_fen", "payee")) == [("living_allowance", 100000, "person")] * 2
    with pytest.raises(ClaimRefused, match="已提交过"):
        claim_create(training_class=k, kind=Claim.Kind.LIVING_ALLOWANCE, by=people.reviewer, today=CLAIM_DAY)


def test_same_person_cannot_be_claimed_by_two_institutions(monkeypatch):
    """Guangxi: once a year, never the same occupation and level twice — counted over lines still in review."""
    first = completed_class("guangxi", status="employee", trainees=1)
    second = completed_class("guangxi", status="employee", trainees=1)
    person = first.enrolments.get().person
    e = second.enrolments.get()
    e.person = person
    e.save()
    passed_exams(monkeypatch, first)
    passed_exams(monkeypatch, second)
    people = officials("450100")
    claim_create(training_class=first, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    with pytest.raises(ClaimRefused, match="已享受同一职业同一等级|已享受 1 次"):
        claim_create(training_class=second, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)


def test_pending_standard_gives_no_claim(monkeypatch):
    k = completed_class("tibet", status="employee")
    passed_exams(monkeypatch, k)
    with pytest.raises(ClaimRefused, match="没有可申领"):
        claim_create(training_class=k, kind=Claim.Kind.CLASS, by=officials("540100").reviewer, today=CLAIM_DAY)


def test_payment_items_are_unique_per_line(monkeypatch):
    k = completed_class("guangxi", status="employee", trainees=1)
    passed_exams(monkeypatch, k)
    people = officials("450100")
    BudgetFactory(province=division("450000"))
    claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    batch = pay(claim, people)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentItem.objects.create(batch=batch, line=claim.lines.get(), amount_fen=1, payee_name="x")


@pytest.mark.parametrize("fen,sentence,screen", [
    (0, "0", "¥0.00"), (1000, "10", "¥10.00"), (1005, "10.05", "¥10.05"), (-5, "-0.05", "-¥0.05"),
    (123_456_789_012_345_678, "1234567890123456.78", "¥1,234,567,890,123,456.78"),  # beyond a float's 53 bits
])
def test_money_is_shown_exactly_in_yuan(fen, sentence, screen):
    from dte.policy.packs.common import money, yuan
    from dte.subsidy.templatetags.subsidy import yuan as yuan_filter

    assert yuan(fen) == sentence
    assert money(fen) == screen and yuan_filter(fen) == screen
