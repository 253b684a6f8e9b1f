"""Claims and their lines, the shared explanations, per-person locks, budgets, holds and publicity objections.

A claim line is computed by the province pack from the facts (dte.subsidy.facts) and stores the pack version;
its parameters and trace live in a ClaimExplanation shared by the lines decided alike, so its amount can be
explained from the line alone. Money is integer fen."""

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
