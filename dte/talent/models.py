"""What a certificate brings (issue 9 part 7): continuing-education hours, title recognition and
the talent pool (人才库, one person one file — 云人社通〔2023〕39号 三(五)).

All rows hang on registry.Person (and training/credentials rows) through foreign keys of our own;
they are seen where the person is seen (residence, training division, institutions, the person).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.catalogue.models import Level
from dte.organisations.scoping import Scope

PERSON_SCOPE = dict(
    division=("person__division__code", "person__enrolments__training_class__division__code"),
    organisation=("person__registered_by_id", "person__enrolments__training_class__institution_id"),
    owner="person__user_id",
)


class TitleSeries(models.TextChoices):
    """职称系列 (专业) the person is recognised into; see rules.SERIES_NAMES."""

    ENGINEERING = "engineering", _("Engineering")
    COMPUTER_SOFTWARE = "computer_software", _("Computer technology and software")
    ACCOUNTING = "accounting", _("Accounting")
    ECONOMICS = "economics", _("Economics")
    STATISTICS = "statistics", _("Statistics series")
    AUDIT = "audit", _("Audit")
    HEALTH = "health", _("Health")
    TRANSLATION = "translation", _("Translation")
    OTHER = "other", _("Other series")


class TalentProfile(models.Model):
    """The parts of one person's file that officials maintain (the title series for recognition)."""

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="talent_profile")
    title_series = models.CharField(_("title series"), max_length=20, choices=TitleSeries.choices, default=TitleSeries.ENGINEERING)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    access_scope = Scope(**PERSON_SCOPE)

    class Meta:
        verbose_name = _("talent profile")
        verbose_name_plural = _("talent profiles")


class ContinuingEducationRecord(models.Model):
    """Training hours registered as the year's continuing-education 专业课 hours, one per enrolment."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        WITHDRAWN = "withdrawn", _("Retracted")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="continuing_education")
    enrolment = models.OneToOneField("registry.Enrolment", on_delete=models.PROTECT, related_name="continuing_education")
    training_certificate = models.ForeignKey("training.TrainingCertificate", null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    category = models.CharField(_("category"), max_length=32, default="专业课")
    validity = models.CharField(_("validity"), max_length=64, blank=True)
    province = models.CharField(max_length=16)
    citation = models.CharField(_("citation"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECORDED)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_scope = Scope(
        division=("person__division__code", "enrolment__training_class__division__code"),
        organisation="enrolment__training_class__institution_id",
        owner="person__user_id",
    )

    class Meta:
        verbose_name = _("continuing education record")
        verbose_name_plural = _("continuing education records")
        ordering = ["-year", "pk"]
        indexes = [models.Index(fields=["person", "year"])]


class TalentEntry(models.Model):
    """Competitions, awards, talent projects and title-review results entered by officials
    (晋人社厅发〔2024〕27号 五(六)(七)；藏人社发〔2025〕13号 五(六)(七)；津人社办发〔2022〕94号 三(二)(八))."""

    class Kind(models.TextChoices):
        COMPETITION = "competition", _("Competition result")
        AWARD = "award", _("Award or commendation")
        TALENT_PROJECT = "talent_project", _("Talent project")
        TITLE_REVIEW = "title_review", _("Title obtained by review")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Retracted")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="talent_entries")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=128)
    result = models.CharField(_("result or rank"), max_length=64, blank=True)
    awarded_by = models.CharField(_("awarded by"), max_length=128, blank=True)
    awarded_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    entered_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    withdrawn_reason = models.CharField(_("reason"), max_length=255, blank=True)
    withdrawn_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    access_scope = Scope(**PERSON_SCOPE)

    class Meta:
        verbose_name = _("talent pool entry")
        verbose_name_plural = _("talent pool entries")
        ordering = ["-awarded_on", "-pk"]


class TitleRecognition(models.Model):
    """The title a level certificate brings, recorded on the person with the clause it rests on."""

    class Kind(models.TextChoices):
        LEVEL = "level", _("From the level certificate")
        AFTER_REVIEW = "after_review", _("After title review")

    class Status(models.TextChoices):
        RECOGNISED = "recognised", _("Recognised")
        MAY_APPLY = "may_apply", _("May apply for review")
        REFERENCE = "reference", _("Reference for review")
        EXCLUDED = "excluded", _("Not applicable")
        WITHDRAWN = "withdrawn", _("Retracted")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="title_recognitions")
    certificate = models.ForeignKey("credentials.LevelCertificate", on_delete=models.PROTECT, related_name="title_recognitions")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LEVEL)
    province = models.CharField(max_length=16)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    title = models.CharField(_("title"), max_length=32)
    basis = models.CharField(max_length=16)
    series = models.CharField(_("title series"), max_length=20, choices=TitleSeries.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    message = models.CharField(max_length=255)
    citation = models.CharField(_("citation"), max_length=255)
    recognised_on = models.DateField(_("date"))
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_scope = Scope(**PERSON_SCOPE)

    class Meta:
        verbose_name = _("title recognition")
        verbose_name_plural = _("title recognitions")
        ordering = ["-recognised_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["certificate", "kind"], name="one_title_recognition_per_certificate_kind")]
