"""The double-entry ledger in integer fen: append-only (a PostgreSQL trigger refuses UPDATE/DELETE,
migration 0002) and hash-chained (`dte ledger verify`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import Scope

from .claims import ClaimLine


class LedgerTransaction(models.Model):
    """One balanced posting. Append-only; `hash` chains it to the previous transaction."""

    kind = models.CharField(max_length=20)  # authorise / pay / recover / repay
    province = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+")
    budget_year = models.PositiveSmallIntegerField()
    institution = models.ForeignKey("organisations.Organisation", null=True, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(ClaimLine, null=True, on_delete=models.PROTECT, related_name="ledger_transactions")
    key = models.CharField(max_length=64, unique=True)  # idempotency: one posting per event
    memo = models.CharField(max_length=255)
    created_by = models.ForeignKey("organisations.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    access_scope = Scope(division="province__code")

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["pk"]


class LedgerEntry(models.Model):
    """A debit (positive) or credit (negative) of one account; a transaction's entries sum to 0."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField(max_length=24)
    amount_fen = models.BigIntegerField()

    access_scope = Scope(division="transaction__province__code")

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["transaction_id", "pk"]


class LedgerHead(models.Model):
    """The single row locked while posting, holding the hash of the latest transaction."""

    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("ledger head")
        verbose_name_plural = _("ledger heads")
