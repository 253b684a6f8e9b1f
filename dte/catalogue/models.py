"""Catalogues (两目录一系统): occupations, listed training/evaluation institutions,
and each province's subsidy standards. Everything is dated; history is kept."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import Scope


class Level(models.TextChoices):
    JUNIOR = "junior", _("Junior (初级)")
    INTERMEDIATE = "intermediate", _("Intermediate (中级)")
    SENIOR = "senior", _("Senior (高级)")


LEVEL_RANK = {Level.JUNIOR: 1, Level.INTERMEDIATE: 2, Level.SENIOR: 3}


class Occupation(models.Model):
    code = models.CharField(_("occupation code"), max_length=16, unique=True)
    classification_2022 = models.CharField(_("2022 classification code"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    field = models.CharField(_("field"), max_length=32, blank=True)
    directions = models.JSONField(_("directions"), default=list, blank=True)  # [] = not set
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))

    # Reference data: everyone reads; province officers fill in what the documents leave unset (directions).
    access_scope = Scope(public=True, public_writers=frozenset({"province_officer"}))

    class Meta:
        ordering = ["code"]
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class InstitutionListing(models.Model):
    """An organisation's entry in a province's training- or evaluation-institution catalogue."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training institution")
        EVALUATION = "evaluation", _("Evaluation institution")

    class Status(models.TextChoices):
        LISTED = "listed", _("Listed")
        SUSPENDED = "suspended", _("Suspended")
        REMOVED = "removed", _("Removed")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="listings", verbose_name=_("organisation"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    province = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    batch = models.CharField(_("catalogue batch"), max_length=64, blank=True)
    document = models.CharField(_("listing document"), max_length=128, blank=True)
    listed_on = models.DateField(_("listed on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.LISTED)
    status_changed_on = models.DateField(_("status since"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    status_document = models.CharField(_("document"), max_length=128, blank=True)

    access_scope = Scope(division="organisation__division__code", organisation="organisation_id")

    class Meta:
        ordering = ["province_id", "kind", "organisation__name"]
        verbose_name = _("catalogue listing")
        verbose_name_plural = _("catalogue listings")
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "province"], name="listing_unique_per_province")]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_kind_display()}"


class ListingCoverage(models.Model):
    """Which occupation and level a listed institution may train or assess."""

    listing = models.ForeignKey(InstitutionListing, on_delete=models.CASCADE, related_name="coverage")
    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    direction = models.CharField(_("direction"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("listing coverage")
        verbose_name_plural = _("listing coverages")
        constraints = [models.UniqueConstraint(fields=["listing", "occupation", "level", "direction"], name="coverage_unique")]


class ListingAdjustment(models.Model):
    """动态调整: every change of a listing's status or coverage, in order, never edited."""

    listing = models.ForeignKey(InstitutionListing, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("listing"))
    action = models.CharField(max_length=32, verbose_name=_("action"))
    from_status = models.CharField(max_length=12, blank=True, verbose_name=_("from status"))
    to_status = models.CharField(max_length=12, blank=True, verbose_name=_("to status"))
    reason = models.CharField(max_length=255, blank=True)
    document = models.CharField(max_length=128, blank=True, verbose_name=_("document"))
    effective_on = models.DateField(verbose_name=_("effective on"))
    detail = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("by"))
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("at"))

    access_scope = Scope(division="listing__organisation__division__code", organisation="listing__organisation_id")

    class Meta:
        verbose_name = _("listing adjustment")
        verbose_name_plural = _("listing adjustments")
        ordering = ["listing_id", "at", "pk"]


class SubsidyStandard(models.Model):
    """A province's required hours and subsidy for one occupation and level, from a date.

    A change is a new row with a later `effective_from`; rows are never edited, so the
    standard in force on any past date can be reproduced. None = not set (the seeds
    give no figure; an official enters it with its document)."""

    province = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, verbose_name=_("occupation"))
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    hours_required = models.PositiveIntegerField(_("required hours"), null=True, blank=True)
    amount_fen = models.BigIntegerField(_("subsidy (fen)"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"))
    citation = models.CharField(_("citation"), max_length=128)
    published = models.DateField(_("published"), null=True, blank=True)
    entered_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT)
    entered_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="province__code")

    @property
    def amount_yuan(self) -> str | None:
        """'4031.00' — shown in 元; stored in fen."""
        return None if self.amount_fen is None else f"{self.amount_fen // 100}.{self.amount_fen % 100:02d}"

    class Meta:
        ordering = ["province_id", "occupation__code", "level", "-effective_from"]
        verbose_name = _("subsidy standard")
        verbose_name_plural = _("subsidy standards")
        constraints = [
            models.UniqueConstraint(fields=["province", "occupation", "level", "effective_from"], name="standard_unique_per_date"),
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0) | models.Q(amount_fen__isnull=True), name="standard_amount_not_negative"),
        ]
