"""Subsidy claims, their review and publicity, payment batches, recoveries and the ledger.

Money is integer fen everywhere. A claim line is computed by the province pack from the
facts (dte.subsidy.facts) and stores the pack version, every parameter used and the trace,
so its amount can be explained from the line alone. Ledger rows are append-only (a
PostgreSQL trigger refuses UPDATE/DELETE, migration 0002) and hash-chained (`dte ledger verify`).
"""

from __future__ import annotations

import hashlib
import json
import marshal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import Scope

CLASS_SCOPE = dict(division="training_class__division__code", organisation="institution_id")
LINE_SCOPE = dict(division="claim__training_class__division__code", organisation="claim__institution_id",
                  owner="person__user_id")


class ExplanationField(models.JSONField):
    """JSON that opts out of PostgreSQL's UNNEST bulk insert: psycopg quotes every element of the
    array it would send, which costs more than the whole claim computation for large traces."""

    def get_placeholder(self, value, compiler, connection):
        return "%s"


def explanation_digest(parameters: list, trace: list) -> str:
    """The key of one decision's explanation: SHA-256 of its canonical JSON."""
    canonical = json.dumps({"parameters": parameters, "trace": trace}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ClaimExplanation(models.Model):
    """The parameters a line's decision used (each with its citation) and the engine's trace, stored
    once and shared by every line decided identically: a province's lines on the same rules and
    the same kind of case carry the same few kilobytes, which per line made up most of what a
    100,000-trainee claim run wrote (issue 10). Keyed by the digest of the content, so it is
    immutable — a line's explanation cannot change after the fact."""

    digest = models.CharField(max_length=64, primary_key=True)
    parameters = ExplanationField(default=list)  # every parameter value used, with citation
    trace = ExplanationField(default=list)

    class Meta:
        verbose_name = _("claim explanation")
        verbose_name_plural = _("claim explanations")


def explanations_store(lines) -> None:
    """Give every line built with a parameters/trace (ClaimLine(parameters=..., trace=...)) its
    shared ClaimExplanation, creating the explanations not stored yet. Called by ClaimLine.save,
    ClaimLineQuerySet.bulk_create and the set-based path's COPY (services/claims_bulk.lines_insert).
    Lines decided alike are recognised without serialising each trace: by its marshal bytes, and
    the digest (canonical JSON) is computed once per distinct content; lines that share the very
    same parameters and trace objects (one decision reused, services/claims.py `_decision`) are
    recognised by identity, without even the marshal bytes (nothing changes them during this call)."""
    known: dict[bytes, str] = {}
    same: dict[tuple[int, int], tuple] = {}  # (id(parameters), id(trace)) → (parameters, trace, digest)
    new: dict[str, ClaimExplanation] = {}
    for line in lines:
        pending = line.__dict__.pop("_explanation", None)
        if pending is None:
            continue
        parameters, trace = pending
        hit = same.get((id(parameters), id(trace)))
        if hit is not None and hit[0] is parameters and hit[1] is trace:
            line.explanation_id = hit[2]
            line.__dict__["_explanation_value"] = (hit[2], parameters, trace)
            continue
        try:
            key = marshal.dumps((parameters, trace))
        except ValueError:  # not plain data: no shortcut
            key = None
        digest = known.get(key) if key is not None else None
        if digest is None:
            digest = explanation_digest(parameters, trace)
            if key is not None:
                known[key] = digest
            new.setdefault(digest, ClaimExplanation(digest=digest, parameters=parameters, trace=trace))
        same[(id(parameters), id(trace))] = (parameters, trace, digest)
        line.explanation_id = digest
        line.__dict__["_explanation_value"] = (digest, parameters, trace)  # no query to read it back
    if new:
        ClaimExplanation.objects.bulk_create(list(new.values()), ignore_conflicts=True)


class ClaimLineQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        explanations_store(objs)
        return super().bulk_create(objs, *args, **kwargs)


class PersonLock(models.Model):
    """One row per person, locked (select_for_update, sorted by pk) while a claim line for the
    person is computed, so two institutions' claims cannot both count the same history."""

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, primary_key=True, related_name="+")

    class Meta:
        verbose_name = _("person lock")
        verbose_name_plural = _("person locks")


class Budget(models.Model):
    """The subsidy budget of one province for one year (津人社办发〔2022〕94号 五(一): 年度补贴资金预算)."""

    province = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("budget year"))
    amount_fen = models.BigIntegerField(_("budget (fen)"))
    basis = models.CharField(_("basis"), max_length=200, blank=True)

    access_scope = Scope(division="province__code")

    class Meta:
        verbose_name = _("subsidy budget")
        verbose_name_plural = _("subsidy budgets")
        ordering = ["province_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="subsidy_budget_once_per_year"),
                       models.CheckConstraint(condition=Q(amount_fen__gte=0), name="subsidy_budget_not_negative")]


class InstitutionHold(models.Model):
    """Further claims of an institution held (e.g. after a recovery, 津人社办发〔2022〕94号 四(一))."""

    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=255)
    created_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    access_scope = Scope(division="institution__division__code", organisation="institution_id")

    class Meta:
        verbose_name = _("institution hold")
        verbose_name_plural = _("institution holds")


def employment_evidence_path(instance, filename):
    return f"subsidy/employment/{instance.enrolment_id}/{instance.evidence_sha256[:16]}-{filename[-80:]}"


class EmploymentRecord(models.Model):
    """Employment after training (晋人社厅发〔2024〕27号 五(四)). A correction is a new record
    that supersedes the earlier one; the latest record of an enrolment is the fact."""

    class Status(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        NOT_EMPLOYED = "not_employed", _("Not employed")

    class EvidenceKind(models.TextChoices):
        CONTRACT = "contract", _("Labour contract")
        SOCIAL_INSURANCE = "social_insurance", _("Social-insurance record")

    enrolment = models.ForeignKey("registry.Enrolment", on_delete=models.PROTECT, related_name="employment_records")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    employer = models.CharField(_("employer"), max_length=128, blank=True)
    employed_on = models.DateField(_("employed on"), null=True, blank=True)
    evidence_kind = models.CharField(_("evidence"), max_length=20, choices=EvidenceKind.choices, blank=True)
    evidence = models.FileField(_("evidence file"), upload_to=employment_evidence_path, max_length=255, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by")
    recorded_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="enrolment__training_class__division__code",
                         organisation="enrolment__training_class__institution_id", owner="enrolment__person__user_id")

    class Meta:
        verbose_name = _("employment record")
        verbose_name_plural = _("employment records")
        ordering = ["enrolment_id", "-pk"]


class Claim(models.Model):
    """One claim: an institution's class claim (Shanxi: one per order; project-based: one per
    stage), a living-allowance application (津人社办发〔2022〕94号 附件4 二) or an adjustment."""

    class Kind(models.TextChoices):
        CLASS = "class", _("Training subsidy for a class")
        STAGE = "stage", _("Project stage")
        LIVING_ALLOWANCE = "living_allowance", _("Living allowance")
        ADJUSTMENT = "adjustment", _("Adjustment (top-up)")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned with comments")
        APPROVED = "approved", _("Approved, in publicity")
        AUTHORISED = "authorised", _("Authorised by finance")
        RELEASED = "released", _("Released for payment")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    training_class = models.ForeignKey("registry.TrainingClass", on_delete=models.PROTECT, related_name="subsidy_claims")
    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="subsidy_claims")
    province = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+")
    stage = models.PositiveSmallIntegerField(_("stage"), default=0)
    stage_end = models.DateField(_("stage ends"), null=True, blank=True)
    budget_year = models.PositiveSmallIntegerField(_("budget year"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review_comment = models.TextField(_("review comment"), blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    publicity_until = models.DateField(_("publicity until"), null=True, blank=True)
    authorised_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    released_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    access_scope = Scope(**CLASS_SCOPE)

    class Meta:
        verbose_name = _("subsidy claim")
        verbose_name_plural = _("subsidy claims")
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["training_class", "kind", "stage"], condition=~Q(status="rejected"),
                                               name="subsidy_claim_once_per_class_kind_stage")]

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines.all() if line.status in CLAIMED_STATUSES)


class ClaimLine(models.Model):
    """One person's item in a claim, as the pack decided it on the training's dates."""

    class Status(models.TextChoices):
        REFUSED = "refused", _("Not eligible")
        PENDING = "pending", _("Pending facts")
        CLAIMED = "claimed", _("In review")
        APPROVED = "approved", _("Approved, in publicity")
        HELD = "held", _("Held by an objection")
        AUTHORISED = "authorised", _("Authorised")
        RELEASED = "released", _("Released for payment")
        IN_BATCH = "in_batch", _("In a payment batch")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Payment failed")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="lines")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="subsidy_lines")
    enrolment = models.ForeignKey("registry.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(_("item"), max_length=24)  # the pack's Item.kind: training_subsidy / living_allowance
    occupation_code = models.CharField(max_length=16)
    level = models.CharField(max_length=12)
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    payee = models.CharField(_("payee"), max_length=12, blank=True)  # institution / person
    onward_payee = models.CharField(max_length=12, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    pack = models.CharField(max_length=16)
    pack_version = models.CharField(max_length=40)
    reference_date = models.DateField(_("rules applied as of"))
    facts = ExplanationField(default=dict)
    reasons = ExplanationField(default=list)
    # every parameter value used, with citation, and the engine's trace: shared (ClaimExplanation)
    explanation = models.ForeignKey(ClaimExplanation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    adjusts = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClaimLineQuerySet.as_manager()
    access_scope = Scope(**LINE_SCOPE)

    def _explained(self) -> tuple[list, list]:
        if "_explanation" in self.__dict__:  # set, not stored yet
            return self.__dict__["_explanation"]
        stored = self.__dict__.get("_explanation_value")
        if stored is not None and stored[0] == self.explanation_id:
            return stored[1], stored[2]
        return (self.explanation.parameters, self.explanation.trace) if self.explanation_id else ([], [])

    @property
    def parameters(self) -> list:
        """Every parameter value the decision used, with its citation."""
        return self._explained()[0]

    @parameters.setter
    def parameters(self, value: list) -> None:
        self.__dict__["_explanation"] = (value, self._explained()[1])

    @property
    def trace(self) -> list:
        """The engine's trace of the decision."""
        return self._explained()[1]

    @trace.setter
    def trace(self, value: list) -> None:
        self.__dict__["_explanation"] = (self._explained()[0], value)

    def save(self, *args, **kwargs):
        explanations_store([self])
        super().save(*args, **kwargs)

    class Meta:
        verbose_name = _("subsidy claim line")
        verbose_name_plural = _("subsidy claim lines")
        ordering = ["claim_id", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gte=0), name="subsidy_line_amount_not_negative")]
        indexes = [models.Index(fields=["person", "status"])]


#: lines that count against the per-person limits and the budget (everything not refused/withdrawn)
ACTIVE_STATUSES = ("claimed", "approved", "held", "authorised", "released", "in_batch", "paid", "failed")
CLAIMED_STATUSES = ACTIVE_STATUSES


class Objection(models.Model):
    """An objection raised during publicity; holds only the objected person's line."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld: line rejected")
        DISMISSED = "dismissed", _("Dismissed: line released")

    line = models.ForeignKey(ClaimLine, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("objection"))
    contact = models.CharField(_("contact"), max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    previous_line_status = models.CharField(max_length=12)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="line__claim__training_class__division__code")

    class Meta:
        verbose_name = _("publicity objection")
        verbose_name_plural = _("publicity objections")


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
