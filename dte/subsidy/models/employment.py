"""Employment after training (晋人社厅发〔2024〕27号 五(四)): status, employer and evidence per trainee."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import Scope


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
