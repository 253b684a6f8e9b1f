"""Reads of the money path: what awaits each role, budgets, batches, recoveries, onward payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum
from django.utils import timezone

from dte.organisations.scoping import scoped

from .models import Claim, ClaimLine, LedgerTransaction, OnwardPayment, PaymentBatch, Recovery
from .process import period


def claims_for(user, status: str | None = None):
    rows = scoped(user, Claim.objects.all()).select_related("training_class__occupation", "institution")
    rows = rows.annotate(line_count=Count("lines", filter=Q(lines__status__in=("claimed", "approved", "held", "authorised",
                                                                                 "released", "in_batch", "paid", "failed"))),
                         amount_fen=Sum("lines__amount_fen", filter=~Q(lines__status__in=("refused", "pending", "rejected",
                                                                                           "superseded"))))
    return rows.filter(status=status) if status else rows


def batches_for(user):
    return scoped(user, PaymentBatch.objects.all()).order_by("-pk")


def recoveries_for(user, status: str | None = None):
    rows = scoped(user, Recovery.objects.all()).select_related("line__person", "line__claim__institution").order_by("-pk")
    return rows.filter(status=status) if status else rows


def publicity_lines(today: date | None = None):
    """Lines on public display: approved (or held by an objection) while their claim's publicity runs."""
    today = today or timezone.localdate()
    return (ClaimLine.objects.filter(status__in=("approved", "held"), claim__publicity_until__gte=today)
            .select_related("person", "claim__institution", "claim__training_class__occupation").order_by("claim_id", "pk"))


@dataclass
class OnwardFlag:
    line_id: int
    line: ClaimLine
    paid_at: object
    onward: OnwardPayment | None
    reason: str


def onward_overdue(today: date | None = None, lines=None) -> list[OnwardFlag]:
    """Yunnan 四(四)3 onward payments not recorded, or not confirmed by the trainee, within the period."""
    today = today or timezone.localdate()
    rows = lines if lines is not None else ClaimLine.objects.filter(status="paid", onward_payee="person")
    rows = rows.select_related("claim", "person").order_by("pk")
    paid_at = dict(LedgerTransaction.objects.filter(kind="pay", line__in=rows).values_list("line_id", "created_at"))
    onwards = {o.line_id: o for o in OnwardPayment.objects.filter(line__in=rows)}
    flags = []
    for line in rows:
        paid = paid_at.get(line.pk)
        if paid is None:
            continue
        limit = period(line.claim.province_id, "onward_confirmation_period", line.reference_date)
        onward = onwards.get(line.pk)
        if onward is None and limit.end(timezone.localtime(paid).date()) < today:
            flags.append(OnwardFlag(line.pk, line, paid, None, "培训机构逾期未登记转付"))
        elif onward is not None and onward.confirmed_at is None and limit.end(timezone.localtime(onward.recorded_at).date()) < today:
            flags.append(OnwardFlag(line.pk, line, paid, onward, "学员逾期未确认收款"))
    return flags
