"""Annual plans and quotas, filed training plans (备案) and enrolment announcements."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.catalogue.models import Level
from dte.organisations.scoping import Scope


class AnnualPlan(models.Model):
    """A province's annual training plan (e.g. 晋人社厅发〔2024〕27号 附件 分配表)."""

    province = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    year = models.PositiveIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=128)
    document = models.CharField(_("document"), max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="province__code", public=True)

    class Meta:
        ordering = ["-year", "province_id"]
        verbose_name = _("annual training plan")
        verbose_name_plural = _("annual training plans")
        constraints = [models.UniqueConstraint(fields=["province", "year", "title"], name="plan_unique_title_per_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class PlanQuota(models.Model):
    """Places one institution may fill for one occupation in one annual plan."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("plan"))
    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="quotas", verbose_name=_("institution"))
    occupation = models.ForeignKey("catalogue.Occupation", on_delete=models.PROTECT, verbose_name=_("occupation"))
    places = models.PositiveIntegerField(_("places"))
    enrolled = models.PositiveIntegerField(_("enrolled"), default=0)

    access_scope = Scope(division="plan__province__code", organisation="institution_id")

    class Meta:
        ordering = ["plan_id", "institution__name", "occupation__code"]
        verbose_name = _("plan quota")
        verbose_name_plural = _("plan quotas")
        constraints = [
            models.UniqueConstraint(fields=["plan", "institution", "occupation"], name="quota_unique_per_plan"),
            models.CheckConstraint(condition=models.Q(enrolled__lte=models.F("places")), name="quota_not_exceeded"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.occupation.name} · {self.enrolled}/{self.places}"

    @property
    def remaining(self) -> int:
        return self.places - self.enrolled


class TrainingPlanFiling(models.Model):
    """培训计划和方案备案: hours, teachers, venues, materials and the exam plan agreed
    with an evaluation institution, filed with the province and prefecture bureaus."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for changes")

    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="plan_filings", verbose_name=_("institution"))
    province = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    prefecture = models.ForeignKey(
        "geography.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("prefecture")
    )
    occupation = models.ForeignKey("catalogue.Occupation", on_delete=models.PROTECT, verbose_name=_("occupation"))
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    direction = models.CharField(_("direction"), max_length=64, blank=True)
    hours_online_theory = models.PositiveIntegerField(_("online theory hours"), default=0)
    hours_online_practice = models.PositiveIntegerField(_("online practice hours"), default=0)
    hours_offline_theory = models.PositiveIntegerField(_("offline theory hours"), default=0)
    hours_offline_practice = models.PositiveIntegerField(_("offline practice hours"), default=0)
    teachers = models.JSONField(_("teachers"), default=list, blank=True)  # [{"name", "title", "qualification"}]
    venues = models.JSONField(_("venues"), default=list, blank=True)  # ["address", ...]
    materials = models.TextField(_("materials"), blank=True)
    evaluation_institution = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"kind": "evaluation"}, verbose_name=_("evaluation institution"),
    )
    exam_plan = models.TextField(_("exam plan"), blank=True)
    exam_dates = models.JSONField(_("exam dates"), default=list, blank=True)  # ISO dates
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    review_comment = models.TextField(_("review comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="institution__division__code", organisation="institution_id")

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("filed training plan")
        verbose_name_plural = _("filed training plans")

    def __str__(self) -> str:
        return f"{self.institution} · {self.occupation.name} · {self.get_level_display()}"

    @property
    def hours_online(self) -> int:
        return self.hours_online_theory + self.hours_online_practice

    @property
    def hours_total(self) -> int:
        return self.hours_online + self.hours_offline_theory + self.hours_offline_practice


class Announcement(models.Model):
    """A class's public enrolment announcement (培训公告，公开面向社会招生)."""

    training_class = models.ForeignKey("registry.TrainingClass", on_delete=models.PROTECT, related_name="announcements", verbose_name=_("training class"))
    text = models.TextField(_("announcement text"))
    fee_fen = models.PositiveIntegerField(_("fee (fen)"), default=0)
    fee_standard = models.CharField(_("approved fee standard"), max_length=128, blank=True)
    venue = models.CharField(_("venue"), max_length=255)
    online_share_bp = models.PositiveIntegerField(_("online share (basis points)"), default=0)
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="training_class__division__code", organisation="training_class__institution_id")

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("enrolment announcement")
        verbose_name_plural = _("enrolment announcements")

    def __str__(self) -> str:
        return str(self.training_class)

    @property
    def fee_yuan(self) -> str:
        return f"{self.fee_fen // 100}" if self.fee_fen % 100 == 0 else f"{self.fee_fen / 100:.2f}"
