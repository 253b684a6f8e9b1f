"""Payment batches, the bank payment file, the bank's result file and onward payments.

Bank payment file (CSV UTF-8 with BOM, and the same columns in Excel, sheet "payments"):
  row 1  CONTROL,<batch reference>,<count>,<total fen>
  row 2  item_ref,payee_type,payee_name,payee_id,amount_fen,amount_yuan,purpose
  rows   one per item: item_ref = "PI<item id>"; payee_type institution|person; payee_id = the
         institution's id on the platform or the person's masked ID number; purpose = claim/line.
Bank result file (CSV, UTF-8, optional BOM):
  row 1  CONTROL,<batch reference>,<count>,<total fen>   — must equal the batch's control totals
  row 2  item_ref,amount_fen,result,bank_reference,message
  rows   result = paid | failed; every item of the batch exactly once, amount equal to the item's.
A file with a wrong encoding, an unknown or repeated item, a wrong amount or wrong totals is
refused whole with a per-row report; nothing is applied. The same file twice applies once.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dte.audit.services import audit_record
from dte.policy.packs.common import yuan
from dte.privacy.idnumber import mask_id_number
from dte.privacy.spreadsheet import safe_row

from ..models import BankResultImport, ClaimLine, OnwardPayment, PaymentBatch, PaymentItem
from . import ledger

FILE_COLUMNS = ["item_ref", "payee_type", "payee_name", "payee_id", "amount_fen", "amount_yuan", "purpose"]
RESULT_COLUMNS = ["item_ref", "amount_fen", "result", "bank_reference", "message"]
ONWARD_CITATION = "云人社通〔2023〕39号 四(四)3（把关拨付至培训机构，再由培训机构发放到补贴对象）"


class PaymentRefused(Exception):
    def __init__(self, message: str, report: list[dict] | None = None):
        self.message, self.report = message, report or []
        super().__init__(message)


def _payee_name(line: ClaimLine) -> str:
    return line.claim.institution.name if line.payee == "institution" else line.person.name


def batch_create(*, province_code: str, by, follow_up_of: PaymentBatch | None = None) -> PaymentBatch:
    """A batch of the released lines (or, for a follow-up, the failed lines of the earlier batch)
    not in a live payment; their control totals are fixed when the batch is made."""
    with transaction.atomic():
        if follow_up_of is not None:
            ids = follow_up_of.items.filter(status=PaymentItem.Status.FAILED).values_list("line_id", flat=True)
            lines = ClaimLine.objects.filter(pk__in=list(ids), status=ClaimLine.Status.FAILED)
        else:
            lines = ClaimLine.objects.filter(claim__province_id=province_code, status=ClaimLine.Status.RELEASED)
        lines = list(lines.select_for_update().order_by("pk"))
        lines = [x for x in ClaimLine.objects.filter(pk__in=[x.pk for x in lines]).select_related("claim__institution", "person").order_by("pk")]
        if not lines:
            raise PaymentRefused("没有可编入批次的补贴明细。")
        batch = PaymentBatch.objects.create(province_id=province_code, reference="", control_count=len(lines),
                                            control_total_fen=sum(x.amount_fen for x in lines), follow_up_of=follow_up_of, created_by=by)
        batch.reference = f"PB{province_code[:2]}{timezone.localdate():%Y%m%d}{batch.pk:06d}"
        batch.save(update_fields=["reference"])
        PaymentItem.objects.bulk_create([PaymentItem(batch=batch, line=x, amount_fen=x.amount_fen, payee_name=_payee_name(x))
                                         for x in lines])
        ClaimLine.objects.filter(pk__in=[x.pk for x in lines]).update(status=ClaimLine.Status.IN_BATCH)
        audit_record("subsidy.batch_created", obj=batch, after={"count": batch.control_count, "total_fen": batch.control_total_fen},
                     division_code=province_code)
    return batch


def batch_submit(batch: PaymentBatch, *, by) -> PaymentBatch:
    """Mark the batch as sent to the bank. Idempotent: a second press (or a second official at the
    same moment) finds it already submitted and changes nothing."""
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != PaymentBatch.Status.OPEN:
            return batch
        batch.status, batch.submitted_by, batch.submitted_at = PaymentBatch.Status.SUBMITTED, by, timezone.now()
        batch.save(update_fields=["status", "submitted_by", "submitted_at"])
        audit_record("subsidy.batch_submitted", obj=batch, division_code=batch.province_id)
    return batch


def payment_rows(batch: PaymentBatch) -> list[list]:
    rows = [["CONTROL", batch.reference, batch.control_count, batch.control_total_fen], FILE_COLUMNS]
    for item in batch.items.select_related("line__person", "line__claim").order_by("pk"):
        line = item.line
        payee_id = str(line.claim.institution_id) if line.payee == "institution" else mask_id_number(line.person.id_number)
        rows.append(safe_row([f"PI{item.pk}", line.payee, item.payee_name, payee_id, item.amount_fen,
                              f"{item.amount_fen / 100:.2f}", f"补贴申请{line.claim_id}/明细{line.pk}"]))
    return rows


def payment_csv(batch: PaymentBatch) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(payment_rows(batch))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def payment_xlsx(batch: PaymentBatch) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "payments"
    for row in payment_rows(batch):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    record: BankResultImport
    already_applied: bool
    paid: int
    failed: int


def _parse_result(batch: PaymentBatch, raw: bytes) -> tuple[list[dict], list[dict]]:
    report: list[dict] = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PaymentRefused(f"结果文件不是 UTF-8 编码（第 {error.start} 字节），整份文件未处理。",
                             [{"row": 0, "error": "编码错误：须为 UTF-8"}]) from None
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2 or rows[0][:1] != ["CONTROL"] or [c.strip() for c in rows[1]] != RESULT_COLUMNS:
        raise PaymentRefused("结果文件格式不符：第1行应为 CONTROL 控制行，第2行应为列名。", [{"row": 1, "error": "缺少控制行或列名"}])
    control = rows[0]
    try:
        ref, count, total = control[1], int(control[2]), int(control[3])
    except (IndexError, ValueError):
        ref, count, total = "", -1, -1
    if ref != batch.reference or count != batch.control_count or total != batch.control_total_fen:
        report.append({"row": 1, "error": f"控制合计不符：文件 {control[1:4]}，批次 {batch.reference} "
                                          f"{batch.control_count} 笔 {batch.control_total_fen} 分"})
    items = {f"PI{i.pk}": i for i in batch.items.all()}
    seen, parsed, row_total = set(), [], 0
    for number, row in enumerate(rows[2:], start=3):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(RESULT_COLUMNS, [c.strip() for c in row] + [""] * len(RESULT_COLUMNS)))
        item = items.get(cells["item_ref"])
        error = None
        if item is None:
            error = f"未知明细 {cells['item_ref']!r}（不属于批次 {batch.reference}）"
        elif cells["item_ref"] in seen:
            error = f"明细 {cells['item_ref']} 重复"
        elif not cells["amount_fen"].isdigit() or int(cells["amount_fen"]) != item.amount_fen:
            error = f"金额 {cells['amount_fen']!r} 与批次中的 {item.amount_fen} 分不符"
        elif cells["result"] not in ("paid", "failed"):
            error = f"结果 {cells['result']!r} 无效（应为 paid 或 failed）"
        elif item.status != PaymentItem.Status.PENDING and item.status != cells["result"]:
            error = f"明细 {cells['item_ref']} 已记为 {item.status}，与本文件的 {cells['result']} 矛盾"
        if error:
            report.append({"row": number, "error": error})
            continue
        seen.add(cells["item_ref"])
        row_total += item.amount_fen
        parsed.append({"item": item, **cells})
    missing = sorted(set(items) - seen)
    if missing and not any(r["row"] > 2 for r in report):
        report.append({"row": 0, "error": f"缺少明细：{', '.join(missing[:20])}"})
    if not report and (len(parsed) != count or row_total != total):
        report.append({"row": 0, "error": f"明细合计 {len(parsed)} 笔 {row_total} 分与控制行不符"})
    return parsed, report


def result_import(batch: PaymentBatch, raw: bytes, *, filename: str, by) -> ImportResult:
    """Apply the bank's result file, all or nothing, once per file; paid lines post Dr payable /
    Cr bank, failed lines wait for a follow-up batch."""
    digest = hashlib.sha256(raw).hexdigest()
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        earlier = BankResultImport.objects.filter(batch=batch, sha256=digest, applied=True).first()
        if earlier is not None:
            return ImportResult(earlier, True, 0, 0)
        if batch.status == PaymentBatch.Status.OPEN:
            raise PaymentRefused("批次尚未提交银行，不能导入结果。")
        try:
            parsed, report = _parse_result(batch, raw)
        except PaymentRefused as refused:
            parsed, report = [], refused.report or [{"row": 0, "error": refused.message}]
        if not report:
            return _apply(batch, parsed, digest, filename, by)
    # Refused whole: the refusal (with its per-row report) is kept, nothing else is written.
    BankResultImport.objects.create(batch=batch, sha256=digest, filename=filename[:255], applied=False, report=report, imported_by=by)
    raise PaymentRefused("结果文件有误，整份文件未处理。", report)


def _apply(batch: PaymentBatch, parsed: list[dict], digest: str, filename: str, by) -> ImportResult:
    with transaction.atomic():
        paid = failed = 0
        for row in parsed:
            item = PaymentItem.objects.select_for_update().get(pk=row["item"].pk)
            if item.status != PaymentItem.Status.PENDING:
                continue
            item.status, item.bank_reference, item.message = row["result"], row["bank_reference"][:64], row["message"][:255]
            item.save(update_fields=["status", "bank_reference", "message"])
            line = item.line
            if item.status == PaymentItem.Status.PAID:
                ledger.post("pay", f"pay:{item.pk}", line=line, amount_fen=item.amount_fen, debit="payable", credit="bank",
                            memo=f"拨付 {batch.reference} PI{item.pk}", by=by)
                line.status, paid = ClaimLine.Status.PAID, paid + 1
            else:
                line.status, failed = ClaimLine.Status.FAILED, failed + 1
            line.save(update_fields=["status"])
        record = BankResultImport.objects.create(batch=batch, sha256=digest, filename=filename[:255], applied=True,
                                                 report=[{"paid": paid, "failed": failed}], imported_by=by)
        batch.status = PaymentBatch.Status.SETTLED
        batch.save(update_fields=["status"])
        audit_record("subsidy.bank_result_imported", obj=batch, after={"paid": paid, "failed": failed}, division_code=batch.province_id)
    return ImportResult(record, False, paid, failed)


def batch_totals(batch: PaymentBatch) -> dict:
    by_status = dict(batch.items.values_list("status").annotate(s=Sum("amount_fen")).values_list("status", "s"))
    return {"paid_fen": by_status.get("paid", 0), "failed_fen": by_status.get("failed", 0), "pending_fen": by_status.get("pending", 0)}


# --- Yunnan: onward payment to the trainee ---------------------------------------------------


def onward_record(line: ClaimLine, *, by, paid_on: date, evidence, amount_fen: int | None = None) -> OnwardPayment:
    if line.onward_payee != "person" or line.status != ClaimLine.Status.PAID:
        raise PaymentRefused(f"只有已拨付至培训机构、需再发放给学员的补贴可登记转付（{ONWARD_CITATION}）。")
    if by.organisation_id != line.claim.institution_id and not by.is_platform_admin:
        raise PaymentRefused("只有该培训机构可以登记转付。")
    amount = line.amount_fen if amount_fen is None else amount_fen
    if amount != line.amount_fen:
        raise PaymentRefused(f"转付金额 {yuan(amount)} 元须等于拨付金额 {yuan(line.amount_fen)} 元。")
    if OnwardPayment.objects.filter(line=line).exists():
        raise PaymentRefused("该补贴已登记转付。")
    onward = OnwardPayment.objects.create(line=line, amount_fen=amount, paid_on=paid_on, evidence=evidence, recorded_by=by)
    audit_record("subsidy.onward_recorded", obj=onward, division_code=line.claim.province_id, organisation_id=line.claim.institution_id)
    return onward


def onward_confirm(onward: OnwardPayment, *, by) -> OnwardPayment:
    """The trainee confirms receipt in their own account."""
    if onward.line.person.user_id is None or onward.line.person.user_id != by.pk:
        raise PaymentRefused("只有学员本人可以确认收款。")
    if onward.confirmed_at is None:
        onward.confirmed_at = timezone.now()
        onward.save(update_fields=["confirmed_at"])
        audit_record("subsidy.onward_confirmed", obj=onward, division_code=onward.line.claim.province_id)
    return onward
