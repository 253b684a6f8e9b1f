"""Class-opening applications (开班申报), written commitments (告知承诺) and roster imports."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import Scope


class ClassApplication(models.Model):
    """An institution's application to open a class, reviewed by the responsible bureau."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    training_class = models.OneToOneField("registry.TrainingClass", on_delete=models.PROTECT, related_name="application", verbose_name=_("training class"))
    filing = models.ForeignKey("registry.TrainingPlanFiling", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    schedule_summary = models.TextField(_("schedule summary"))
    teachers = models.JSONField(_("teachers"), default=list, blank=True)
    exam_plan = models.TextField(_("exam plan"))
    evaluation_institution = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("evaluation institution"),
    )
    roster = models.JSONField(_("roster at submission"), default=list, blank=True)  # [{"person_id", "name", "id" (masked), "eligible"}]
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    due_on = models.DateField(_("application due by"), null=True, blank=True)
    due_citation = models.CharField(max_length=128, blank=True)
    review_due_on = models.DateField(_("review due by"), null=True, blank=True)
    review_due_provisional = models.BooleanField(default=False)
    review_citation = models.CharField(max_length=128, blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    reviewed_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="training_class__division__code", organisation="training_class__institution_id")

    class Meta:
        ordering = ["review_due_on", "pk"]
        verbose_name = _("class-opening application")
        verbose_name_plural = _("class-opening applications")

    def __str__(self) -> str:
        return f"{self.training_class} · {self.get_status_display()}"


class Commitment(models.Model):
    """告知承诺: the exact text a trainee signed, its SHA-256, time and IP."""

    enrolment = models.OneToOneField("registry.Enrolment", on_delete=models.PROTECT, related_name="commitment", verbose_name=_("enrolment"))
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64, verbose_name=_("text sha256"))
    signed_at = models.DateTimeField(verbose_name=_("signed at"))
    ip = models.CharField(max_length=45, blank=True, verbose_name=_("ip"))
    signed_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    access_scope = Scope(
        division="enrolment__training_class__division__code",
        organisation="enrolment__training_class__institution_id",
        owner="enrolment__person__user_id",
    )

    class Meta:
        verbose_name = _("written commitment")
        verbose_name_plural = _("written commitments")


class RosterImport(models.Model):
    """One uploaded roster: validated (annotated sheet back), then imported all-or-nothing."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Validating")
        VALIDATED = "validated", _("Validated")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="roster_imports", verbose_name=_("institution"))
    training_class = models.ForeignKey(
        "registry.TrainingClass", null=True, blank=True, on_delete=models.PROTECT, related_name="roster_imports"
    )
    source = models.FileField(upload_to="registry/imports/%Y/%m/")
    source_name = models.CharField(max_length=255, verbose_name=_("source name"))
    result_file = models.FileField(upload_to="registry/imports/%Y/%m/", blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALIDATING, verbose_name=_("status"))
    rows_total = models.PositiveIntegerField(default=0, verbose_name=_("rows total"))
    rows_valid = models.PositiveIntegerField(default=0, verbose_name=_("rows valid"))
    rows_error = models.PositiveIntegerField(default=0, verbose_name=_("rows error"))
    rows_existing = models.PositiveIntegerField(default=0)
    people_created = models.PositiveIntegerField(default=0)
    enrolments_created = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="institution__division__code", organisation="institution_id")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
