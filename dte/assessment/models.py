"""Level exams (issue 9): declaration under the written-commitment system (告知承诺制), exam
sessions at exam centres (考核点), candidates with two scores, and the certificate data chain
(models_chain.py). Rules come from the five documents, e.g. 晋人社厅发〔2024〕27号 四(三),
广西人社厅通知（2023-09-19） 三(三)."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.catalogue.models import Level
from dte.organisations.scoping import Scope

DEFAULT_PASS_MARK = Decimal("60")  # 60/100 unless the catalogue entry for the occupation and level says otherwise
FULL_MARK = Decimal("100")


def _token() -> str:
    return secrets.token_urlsafe(18)


class ExamStandard(models.Model):
    """Declaration conditions of the national occupational standard and the pass marks, per
    occupation and level. Entered by an official; a missing row (or empty conditions) shows as
    "not set"."""

    occupation = models.ForeignKey("catalogue.Occupation", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    conditions = models.TextField(_("declaration conditions"), blank=True)
    theory_pass_mark = models.DecimalField(_("theory pass mark"), max_digits=5, decimal_places=1, default=DEFAULT_PASS_MARK)
    practical_pass_mark = models.DecimalField(_("professional ability pass mark"), max_digits=5, decimal_places=1,
                                              default=DEFAULT_PASS_MARK)
    citation = models.CharField(_("source"), max_length=255, blank=True)
    entered_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    access_scope = Scope(public=True, public_writers=frozenset({"province_officer"}))

    class Meta:
        ordering = ["occupation__code", "level"]
        verbose_name = _("exam standard")
        verbose_name_plural = _("exam standards")
        constraints = [models.UniqueConstraint(fields=["occupation", "level"], name="exam_standard_once_per_level")]

    def __str__(self) -> str:
        return f"{self.occupation.name} · {self.get_level_display()}"


DECLARATION_SCOPE = dict(
    division=("evaluation_institution__division__code", "training_certificate__enrolment__training_class__division__code"),
    organisation=("evaluation_institution_id", "training_certificate__enrolment__training_class__institution_id"),
    owner="person__user_id",
)


class Declaration(models.Model):
    """申报: a holder of a training certificate declares for the level exam of a listed evaluation
    institution, signing the commitment (告知承诺制). Exact text, SHA-256, time and IP are kept."""

    class Via(models.TextChoices):
        INSTITUTION = "institution", _("Through the training institution")
        SELF = "self", _("By the trainee")

    class Status(models.TextChoices):
        DECLARED = "declared", _("Declared")
        ADMITTED = "admitted", _("Admitted to a session")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        VOIDED = "voided", _("Voided (false commitment)")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="declarations")
    training_certificate = models.ForeignKey("training.TrainingCertificate", on_delete=models.PROTECT, related_name="declarations")
    evaluation_institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="declarations",
                                               verbose_name=_("evaluation institution"))
    occupation = models.ForeignKey("catalogue.Occupation", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    direction = models.CharField(_("direction"), max_length=64, blank=True)
    via = models.CharField(_("declared"), max_length=12, choices=Via.choices)
    conditions = models.TextField(_("declaration conditions shown"), blank=True)
    commitment_text = models.TextField()
    commitment_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    ip = models.CharField(max_length=45, blank=True)
    declared_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DECLARED)
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(**DECLARATION_SCOPE)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("exam declaration")
        verbose_name_plural = _("exam declarations")
        constraints = [models.UniqueConstraint(
            fields=["person", "occupation", "level"], condition=models.Q(status__in=["declared", "admitted"]),
            name="declaration_one_open_per_level")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.occupation.name} · {self.get_level_display()}"


class ExamSession(models.Model):
    """A level exam sitting planned by an evaluation institution at one of its exam centres."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CONFIRMED = "confirmed", _("Results confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    evaluation_institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="exam_sessions",
                                               verbose_name=_("evaluation institution"))
    centre = models.ForeignKey("organisations.ExamCentre", on_delete=models.PROTECT, related_name="sessions",
                               verbose_name=_("exam centre"))
    occupation = models.ForeignKey("catalogue.Occupation", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    direction = models.CharField(_("direction"), max_length=64, blank=True)
    date = models.DateField(_("exam date"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    declarations_close_on = models.DateField(_("declarations close on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division=("evaluation_institution__division__code", "centre__division__code"),
                         organisation="evaluation_institution_id", owner="candidates__declaration__person__user_id")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("exam session")
        verbose_name_plural = _("exam sessions")
        constraints = [
            models.CheckConstraint(condition=models.Q(end_time__gt=models.F("start_time")), name="exam_session_ends_after_start"),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="exam_session_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.occupation.name} · {self.get_level_display()} · {self.date:%Y-%m-%d}"


CANDIDATE_SCOPE = dict(
    division=("session__evaluation_institution__division__code",
              "declaration__training_certificate__enrolment__training_class__division__code"),
    organisation=("session__evaluation_institution_id", "declaration__training_certificate__enrolment__training_class__institution_id"),
    owner="declaration__person__user_id",
)


class Candidate(models.Model):
    """One admitted declaration in one session: the admission ticket (准考证), the day's identity
    check and incidents, and the result (theory knowledge + professional ability; both must pass)."""

    class Status(models.TextChoices):
        ADMITTED = "admitted", _("Admitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ABSENT = "absent", _("Absent")
        SCORED = "scored", _("Scored")
        CONFIRMED = "confirmed", _("Result confirmed")
        VOIDED = "voided", _("Result voided")

    class Source(models.TextChoices):
        UI = "ui", _("Entered on screen")
        IMPORT = "import", _("Excel import")
        API = "api", _("API")

    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="candidates")
    declaration = models.OneToOneField(Declaration, on_delete=models.PROTECT, related_name="candidate")
    ticket_number = models.CharField(_("admission ticket number"), max_length=32, unique=True)
    ticket_token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ADMITTED)
    identity_checked = models.BooleanField(_("identity checked"), default=False)
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_checked_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    incident = models.TextField(_("incident"), blank=True)
    theory_score = models.DecimalField(_("theory knowledge"), max_digits=5, decimal_places=1, null=True, blank=True)
    practical_score = models.DecimalField(_("professional ability"), max_digits=5, decimal_places=1, null=True, blank=True)
    theory_pass_mark = models.DecimalField(max_digits=5, decimal_places=1, default=DEFAULT_PASS_MARK)
    practical_pass_mark = models.DecimalField(max_digits=5, decimal_places=1, default=DEFAULT_PASS_MARK)
    theory_passed = models.BooleanField(null=True)
    practical_passed = models.BooleanField(null=True)
    passed = models.BooleanField(_("passed"), null=True)
    score_source = models.CharField(max_length=8, choices=Source.choices, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    scored_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    locked = models.BooleanField(_("locked"), default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    admitted_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(**CANDIDATE_SCOPE)

    class Meta:
        ordering = ["session_id", "ticket_number"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

    def __str__(self) -> str:
        return f"{self.ticket_number} {self.declaration.person.name}"


class ResultChange(models.Model):
    """A change to a confirmed (locked) result: reason, before and after; also audited and shown
    on the candidate's record."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="changes")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.CharField(_("reason"), max_length=255)
    by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(**{k: tuple(f"candidate__{p}" for p in (v if isinstance(v, tuple) else (v,)))
                            for k, v in CANDIDATE_SCOPE.items()})

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("result change")
        verbose_name_plural = _("result changes")


from .models_chain import CertificateReport, CertificateReportLine, ScoreImport, TrainingReportReview  # noqa: E402,F401
