"""Recovery (追回) of paid subsidies (津人社办发〔2022〕94号 四(一): 对认定违规的人员或班期不予补贴，
已发放的由市人社局责令培训机构追回) and holding an institution's further claims."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dte.audit.services import audit_record
from dte.policy.packs.common import yuan

from ..models import ClaimLine, InstitutionHold, PaymentItem, Recovery
from . import ledger
from .review import REVIEW_ROLES, ReviewRefused, _require

RECOVERY_CITATION = "津人社办发〔2022〕94号 四(一)"


def recovery_open(line: ClaimLine, *, by, reason: str, amount_fen: int | None = None, hold: bool = True,
                  citation: str = RECOVERY_CITATION) -> Recovery:
    """Open a recovery linked to the line's payment; posts Dr receivable / Cr expense."""
    _require(by, REVIEW_ROLES, "决定追回")
    if not reason.strip():
        raise ReviewRefused("追回须写明原因。")
    with transaction.atomic():
        line = ClaimLine.objects.select_for_update().select_related("claim__institution").get(pk=line.pk)
        payment = PaymentItem.objects.filter(line=line, status=PaymentItem.Status.PAID).first()
        if payment is None:
            raise ReviewRefused("该补贴尚未拨付，无需追回（未拨付的可不予补贴）。")
        already = Recovery.objects.filter(line=line).aggregate(s=Sum("amount_fen"))["s"] or 0
        amount = line.amount_fen - already if amount_fen is None else amount_fen
        if amount <= 0 or amount + already > line.amount_fen:
            raise ReviewRefused(f"追回金额须大于0且累计不超过已拨付的 {yuan(line.amount_fen)} 元（已追回 {yuan(already)} 元）。")
        held = None
        if hold:
            held = InstitutionHold.objects.filter(institution=line.claim.institution, released_at__isnull=True).first() or \
                InstitutionHold.objects.create(institution=line.claim.institution, reason=f"存在未结追回：{reason[:200]}", created_by=by)
        recovery = Recovery.objects.create(line=line, payment=payment, amount_fen=amount, reason=reason[:255], citation=citation,
                                           hold=held, created_by=by)
        ledger.post("recover", f"recover:{recovery.pk}", line=line, amount_fen=amount, debit="receivable", credit="expense",
                    memo=f"追回 {recovery.pk}：{reason}", by=by)
        audit_record("subsidy.recovery_opened", obj=recovery, after={"amount_fen": amount, "reason": reason},
                     division_code=line.claim.province_id, organisation_id=line.claim.institution_id)
    return recovery


def recovery_repaid(recovery: Recovery, *, by, repaid_on: date | None = None) -> Recovery:
    """The institution repaid: posts Dr bank / Cr receivable; the hold ends with its last open recovery."""
    _require(by, REVIEW_ROLES + ("finance_officer",), "登记追回到账")
    with transaction.atomic():
        recovery = Recovery.objects.select_for_update().select_related("line__claim").get(pk=recovery.pk)
        if recovery.status == Recovery.Status.REPAID:
            return recovery
        recovery.status, recovery.repaid_on = Recovery.Status.REPAID, repaid_on or timezone.localdate()
        recovery.save(update_fields=["status", "repaid_on"])
        ledger.post("repay", f"repay:{recovery.pk}", line=recovery.line, amount_fen=recovery.amount_fen, debit="bank",
                    credit="receivable", memo=f"追回到账 {recovery.pk}", by=by)
        institution = recovery.line.claim.institution_id
        if not Recovery.objects.filter(line__claim__institution_id=institution, status=Recovery.Status.OPEN).exists():
            InstitutionHold.objects.filter(institution_id=institution, released_at__isnull=True).update(released_at=timezone.now())
        audit_record("subsidy.recovery_repaid", obj=recovery, division_code=recovery.line.claim.province_id, organisation_id=institution)
    return recovery


def institution_sanctioned(institution, *, by, reason: str, training_class=None) -> dict:
    """Money consequences of a sanction decided in supervision (广西人社厅通知 五(三) 退出目录;
    津人社办发〔2022〕94号 四(一) 对认定违规的人员或班期不予补贴，已发放的……追回): the institution's
    further claims are held, and every paid line of the class the finding concerns gets a recovery.
    Returns what was done, for the sanction's record."""
    with transaction.atomic():
        hold = InstitutionHold.objects.filter(institution=institution, released_at__isnull=True).first() or \
            InstitutionHold.objects.create(institution=institution, reason=f"监管处理：{reason[:200]}", created_by=by)
        recoveries = []
        if training_class is not None:
            paid = (ClaimLine.objects.filter(claim__training_class=training_class, status=ClaimLine.Status.PAID)
                    .exclude(recoveries__isnull=False).order_by("pk"))
            for line in paid:
                recoveries.append(recovery_open(line, by=by, reason=f"监管处理：{reason}", hold=True).pk)
        audit_record("subsidy.institution_sanctioned", obj=hold, after={"reason": reason, "recoveries": recoveries},
                     organisation_id=institution.pk)
    return {"hold": hold.pk, "recoveries": recoveries}
