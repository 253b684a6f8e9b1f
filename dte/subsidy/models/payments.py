"""Payment batches with control totals, their items, the bank's result files, onward payments to trainees
(Yunnan 四(四)3) and recoveries (追回). A line is paid at most once (a partial unique constraint)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import Scope

from .claims import ClaimLine, InstitutionHold


class PaymentBatch(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Sent to the bank")
        SETTLED = "settled", _("Result imported")

    province = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    control_count = models.PositiveIntegerField()
    control_total_fen = models.BigIntegerField()
    follow_up_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups")
    created_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)

    access_scope = Scope(division="province__code")

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-pk"]


class PaymentItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting bank result")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="items")
    line = models.ForeignKey(ClaimLine, on_delete=models.PROTECT, related_name="payment_items")
    amount_fen = models.BigIntegerField()
    payee_name = models.CharField(max_length=128)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    bank_reference = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=255, blank=True)

    access_scope = Scope(division="batch__province__code")

    class Meta:
        verbose_name = _("payment item")
        verbose_name_plural = _("payment items")
        ordering = ["batch_id", "pk"]
        constraints = [
            # A line is in at most one live (pending or paid) payment: the database refuses a second.
            models.UniqueConstraint(fields=["line"], condition=Q(status__in=["pending", "paid"]), name="subsidy_line_paid_once"),
        ]


class BankResultImport(models.Model):
    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="imports")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255)
    applied = models.BooleanField(default=False)
    report = models.JSONField(default=list)
    imported_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="batch__province__code")

    class Meta:
        verbose_name = _("bank result import")
        verbose_name_plural = _("bank result imports")
        constraints = [models.UniqueConstraint(fields=["batch", "sha256"], condition=Q(applied=True), name="subsidy_result_applied_once")]


def onward_evidence_path(instance, filename):
    return f"subsidy/onward/{instance.line_id}/{filename[-80:]}"


class OnwardPayment(models.Model):
    """Yunnan 云人社通〔2023〕39号 四(四)3: paid to the institution, which pays each trainee."""

    line = models.OneToOneField(ClaimLine, on_delete=models.PROTECT, related_name="onward")
    amount_fen = models.BigIntegerField()
    paid_on = models.DateField()
    evidence = models.FileField(upload_to=onward_evidence_path, max_length=255)
    recorded_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    access_scope = Scope(division="line__claim__training_class__division__code", organisation="line__claim__institution_id",
                         owner="line__person__user_id")

    class Meta:
        verbose_name = _("onward payment")
        verbose_name_plural = _("onward payments")


class Recovery(models.Model):
    """追回 of a paid line (津人社办发〔2022〕94号 四(一): 已发放的由市人社局责令培训机构追回)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting repayment")
        REPAID = "repaid", _("Repaid")

    line = models.ForeignKey(ClaimLine, on_delete=models.PROTECT, related_name="recoveries")
    payment = models.ForeignKey(PaymentItem, on_delete=models.PROTECT, related_name="recoveries")
    amount_fen = models.BigIntegerField()
    reason = models.CharField(_("reason"), max_length=255)
    citation = models.CharField(max_length=128)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    hold = models.ForeignKey(InstitutionHold, null=True, blank=True, on_delete=models.PROTECT, related_name="recoveries")
    created_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    repaid_on = models.DateField(null=True, blank=True)

    access_scope = Scope(division="line__claim__training_class__division__code", organisation="line__claim__institution_id")

    class Meta:
        verbose_name = _("subsidy recovery")
        verbose_name_plural = _("subsidy recoveries")
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="subsidy_recovery_positive")]
