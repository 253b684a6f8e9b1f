"""Bank result files: refused whole on any error, applied once; failed lines go to a follow-up
batch; Yunnan's onward payment to the trainee."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dte.organisations.tests.factories import division
from dte.subsidy.models import BankResultImport, Claim, ClaimLine, LedgerTransaction
from dte.subsidy.selectors import onward_overdue
from dte.subsidy.services import ledger, payments, review
from dte.subsidy.services.claims import claim_create

from .factories import APPROVE_DAY, AUTHORISE_DAY, CLAIM_DAY, BudgetFactory, completed_class, officials, passed_exams, standard
from .test_money_path import result_file

pytestmark = pytest.mark.django_db


def released_batch(monkeypatch, province="guangxi", trainees=3):
    k = completed_class(province, status="employee", trainees=trainees)
    code = str(k.division_id)[:2] + "0000"
    if province == "yunnan":
        standard(code, 300000)
    passed_exams(monkeypatch, k)
    people = officials(str(k.division_id))
    BudgetFactory(province=division(code))
    claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    review.claim_approve(claim, by=people.reviewer, today=APPROVE_DAY)
    review.claim_authorise(claim, by=people.finance, today=AUTHORISE_DAY)
    review.claim_release(claim, by=people.releaser)
    batch = payments.batch_create(province_code=code, by=people.finance)
    payments.batch_submit(batch, by=people.finance)
    return batch, people, claim


def test_export_has_control_totals_in_csv_and_excel(monkeypatch):
    batch, _, _ = released_batch(monkeypatch)
    text = payments.payment_csv(batch).decode("utf-8-sig").splitlines()
    assert text[0] == f"CONTROL,{batch.reference},3,240000"
    assert text[1].startswith("item_ref,payee_type,payee_name,payee_id,amount_fen")
    assert len(text) == 5 and all(",person," in row and ",80000,800.00," in row for row in text[2:])
    assert "*" in text[2].split(",")[3]  # the person's ID number is masked
    from openpyxl import load_workbook
    import io

    sheet = load_workbook(io.BytesIO(payments.payment_xlsx(batch))).active
    assert [c.value for c in sheet[1]][:4] == ["CONTROL", batch.reference, 3, 240000]


@pytest.mark.parametrize("mutate, expected", [
    (lambda b: result_file(b, total=1), "控制合计不符"),
    (lambda b: result_file(b, extra_rows=["PI999999,80000,paid,X,"]), "未知明细"),
    (lambda b: result_file(b).replace(b"paid", b"PAID", 1), "结果 'PAID' 无效"),
    (lambda b: result_file(b).decode().replace("成功", "成功").encode("gbk"), "编码"),
    (lambda b: b"\n".join(result_file(b).split(b"\n")[:-2]) + b"\n", "缺少明细"),
])
def test_bad_result_file_is_refused_whole_with_a_row_report(monkeypatch, mutate, expected):
    batch, people, claim = released_batch(monkeypatch)
    with pytest.raises(payments.PaymentRefused) as refused:
        payments.result_import(batch, mutate(batch), filename="bad.csv", by=people.releaser)
    assert any(expected in row["error"] for row in refused.value.report), refused.value.report
    assert set(claim.lines.values_list("status", flat=True)) == {"in_batch"}
    assert not LedgerTransaction.objects.filter(kind="pay").exists()
    assert BankResultImport.objects.get(batch=batch).applied is False


def test_same_result_file_twice_pays_once(monkeypatch):
    batch, people, claim = released_batch(monkeypatch)
    raw = result_file(batch)
    first = payments.result_import(batch, raw, filename="r.csv", by=people.releaser)
    again = payments.result_import(batch, raw, filename="r-copy.csv", by=people.finance)
    assert (first.paid, first.already_applied, again.already_applied) == (3, False, True)
    assert LedgerTransaction.objects.filter(kind="pay").count() == 3
    assert payments.batch_submit(batch, by=people.finance).status == "settled"
    assert ledger.verify().ok


def test_failed_lines_go_to_a_follow_up_batch(monkeypatch):
    batch, people, claim = released_batch(monkeypatch)
    payments.result_import(batch, result_file(batch, failed=(1,)), filename="r.csv", by=people.releaser)
    assert sorted(claim.lines.values_list("status", flat=True)) == ["failed", "paid", "paid"]
    assert payments.batch_totals(batch) == {"paid_fen": 160000, "failed_fen": 80000, "pending_fen": 0}
    follow = payments.batch_create(province_code=batch.province_id, by=people.finance, follow_up_of=batch)
    assert (follow.control_count, follow.control_total_fen, follow.follow_up_of_id) == (1, 80000, batch.pk)
    payments.batch_submit(follow, by=people.finance)
    payments.result_import(follow, result_file(follow), filename="r2.csv", by=people.releaser)
    assert set(claim.lines.values_list("status", flat=True)) == {"paid"}
    assert ledger.balances(province=batch.province_id)["bank"] == -240000
    assert ledger.verify().ok


def test_yunnan_onward_payment_recorded_confirmed_and_flagged(monkeypatch):
    batch, people, claim = released_batch(monkeypatch, "yunnan", trainees=2)
    payments.result_import(batch, result_file(batch), filename="r.csv", by=people.releaser)
    first, second = claim.lines.order_by("pk")
    assert (first.payee, first.onward_payee, first.status) == ("institution", "person", "paid")
    staff = officials("530100").reviewer
    with pytest.raises(payments.PaymentRefused, match="培训机构"):
        payments.onward_record(first, by=staff, paid_on=date(2025, 6, 1), evidence=SimpleUploadedFile("转账.pdf", b"%PDF"))
    from dte.registry.tests.factories import staff as institution_staff

    clerk = institution_staff(claim.institution)
    onward = payments.onward_record(first, by=clerk, paid_on=date(2025, 6, 1), evidence=SimpleUploadedFile("转账.pdf", b"%PDF"))
    with pytest.raises(payments.PaymentRefused, match="本人"):
        payments.onward_confirm(onward, by=second.person.user)
    payments.onward_confirm(onward, by=first.person.user)
    from datetime import timedelta

    from django.utils import timezone

    assert onward_overdue(today=timezone.localdate()) == []
    overdue = onward_overdue(today=timezone.localdate() + timedelta(days=60))
    assert [x.line_id for x in overdue] == [second.pk]  # paid, never passed on: flagged
    assert ClaimLine.objects.get(pk=first.pk).onward.confirmed_at is not None
