"""The certificate data chain (证书数据上报 → 省级确认 → 国家审核 → 证书核发) and score imports.

Shanxi 晋人社厅发〔2024〕27号 四(三): report within 30 days after the exam; the province
reports to national review within 10 days; certificates issued within 30 days after approval.
Guangxi 广西人社厅通知（2023-09-19） 三(三): the same with 10 working days for the region."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import Scope


class CertificateReport(models.Model):
    """One batch of certificate data (those who passed in one session) reported to the province."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported to the province")
        CONFIRMED = "confirmed", _("Confirmed by the province")
        RETURNED = "returned", _("Returned by the province")
        APPROVED = "approved", _("Nationally approved")
        NATIONAL_RETURNED = "national_returned", _("Returned by national review")
        ISSUED = "issued", _("Certificates issued")

    session = models.ForeignKey("assessment.ExamSession", on_delete=models.PROTECT, related_name="reports")
    evaluation_institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+",
                                               verbose_name=_("evaluation institution"))
    province = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REPORTED)
    exam_date = models.DateField(_("exam date"))
    report_due_on = models.DateField(_("report due by"))
    report_citation = models.CharField(max_length=255, blank=True)
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    reported_on_time = models.BooleanField(default=True)
    submissions = models.PositiveSmallIntegerField(default=1)
    confirm_due_on = models.DateField(_("province decision due by"), null=True, blank=True)
    confirm_due_provisional = models.BooleanField(default=False)
    confirm_citation = models.CharField(max_length=255, blank=True)
    province_decided_on = models.DateField(_("province decided on"), null=True, blank=True)
    province_decided_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    province_comment = models.TextField(_("province comment"), blank=True)
    national_decided_on = models.DateField(_("national decision date"), null=True, blank=True)
    national_reference = models.CharField(_("national reference number"), max_length=64, blank=True)
    national_comment = models.TextField(_("national comment"), blank=True)
    national_entered_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    national_entered_at = models.DateTimeField(null=True, blank=True)
    issue_due_on = models.DateField(_("certificates due by"), null=True, blank=True)
    issue_citation = models.CharField(max_length=255, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    access_scope = Scope(division=("province__code", "evaluation_institution__division__code"),
                         organisation="evaluation_institution_id")

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("certificate data report")
        verbose_name_plural = _("certificate data reports")

    def __str__(self) -> str:
        return f"{self.evaluation_institution} · {self.session} · {self.get_status_display()}"


class CertificateReportLine(models.Model):
    """One passed candidate's certificate data in a report; linked to the level certificate once issued."""

    report = models.ForeignKey(CertificateReport, on_delete=models.PROTECT, related_name="lines")
    candidate = models.ForeignKey("assessment.Candidate", on_delete=models.PROTECT, related_name="report_lines")
    data = models.JSONField(default=dict)  # name, masked id, occupation, direction, level, scores, exam date
    level_certificate = models.OneToOneField("credentials.LevelCertificate", null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="report_line")

    access_scope = Scope(division=("report__province__code", "report__evaluation_institution__division__code"),
                         organisation="report__evaluation_institution_id", owner="candidate__declaration__person__user_id")

    class Meta:
        verbose_name = _("certificate report line")
        verbose_name_plural = _("certificate report lines")
        ordering = ["report_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["report", "candidate"], name="report_line_once")]


def score_import_path(instance, filename):
    return f"assessment/imports/{instance.session_id}/{filename}"


class ScoreImport(models.Model):
    """An uploaded score sheet, processed by a background job with per-row errors."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    session = models.ForeignKey("assessment.ExamSession", on_delete=models.PROTECT, related_name="imports")
    source = models.FileField(upload_to=score_import_path, max_length=255)
    source_name = models.CharField(max_length=255)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_ok = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"row", "ticket", "message"}]
    job_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="session__evaluation_institution__division__code", organisation="session__evaluation_institution_id")

    class Meta:
        verbose_name = _("score import")
        verbose_name_plural = _("score imports")
        ordering = ["-created_at", "-pk"]


class TrainingReportReview(models.Model):
    """The province's confirmation or return of a 30-day training report (training.TrainingReport),
    kept beside it as a one-to-one row (晋人社厅发〔2024〕27号 四(一); 广西人社厅通知（2023-09-19） 三(二))."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        RETURNED = "returned", _("Returned for changes")

    report = models.OneToOneField("training.TrainingReport", on_delete=models.PROTECT, related_name="review")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    access_scope = Scope(division="report__training_class__division__code", organisation="report__training_class__institution_id")

    class Meta:
        verbose_name = _("30-day report review")
        verbose_name_plural = _("30-day report reviews")
