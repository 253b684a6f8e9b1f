"""Supervision (全过程监督): complaints and reports, spot-check draws, inspections with
findings and follow-ups, and the sanctions a finding leads to.

Every document ends with supervision: 藏人社发〔2025〕13号 五(三), 晋人社厅发〔2024〕27号 六(三),
广西人社厅通知（2023-09-19） 二(三)/五(三), 津人社办发〔2022〕94号 四, 云人社通〔2023〕39号 五."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import Scope
from dte.privacy.fields import EncryptedTextField


class Complaint(models.Model):
    """投诉举报: from the public form (anonymous allowed) or entered by staff from the hotline."""

    class Category(models.TextChoices):
        FALSE_ADVERTISING = "advertising", _("False advertising")
        NO_TRAINING = "no_training", _("Training not given")
        ATTENDANCE_FRAUD = "attendance", _("Attendance fraud")
        FEES = "fees", _("Fees")
        CERTIFICATE_FRAUD = "certificate", _("Certificate fraud")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        PUBLIC_FORM = "public", _("Public form")
        HOTLINE = "hotline", _("Hotline")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("Being handled")
        REPLIED = "replied", _("Replied")
        CLOSED = "closed", _("Closed")

    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True, editable=False)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    summary = models.TextField(_("what happened"))
    institution = models.ForeignKey("organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("institution concerned"))
    training_class = models.ForeignKey("registry.TrainingClass", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("class concerned"))
    # Routing: the bureau of the institution's area handles it (津人社办发〔2022〕94号 四(三): 所在区人社局).
    division = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("area responsible"))
    bureau = models.ForeignKey("organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("bureau responsible"))
    anonymous = models.BooleanField(_("anonymous"), default=True)
    complainant_name = models.CharField(_("name"), max_length=64, blank=True)
    complainant_phone = EncryptedTextField(_("mobile phone"), purpose="phone", blank=True)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("reply due by"))
    due_provisional = models.BooleanField(default=False)
    due_citation = models.CharField(max_length=160, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    entered_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Links to what the case concerns beyond the class/institution (inspection, claim, …): "app.Model:pk".
    links = models.JSONField(default=list, blank=True)

    access_scope = Scope(division="division__code")

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.tracking_code


class ComplaintReply(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="replies")
    text = models.TextField(_("reply"))
    visible_to_complainant = models.BooleanField(_("visible to the complainant"), default=True)
    by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="complaint__division__code")

    class Meta:
        verbose_name = _("complaint reply")
        verbose_name_plural = _("complaint replies")
        ordering = ["at", "pk"]


class SampleDraw(models.Model):
    """抽查: a sample of classes or institutions, reproducible from its recorded seed."""

    class Method(models.TextChoices):
        SIMPLE = "simple", _("Simple random")
        STRATIFIED = "stratified", _("Stratified by prefecture")
        RISK_WEIGHTED = "risk", _("Weighted by risk signals")

    class Target(models.TextChoices):
        CLASSES = "classes", _("Classes")
        INSTITUTIONS = "institutions", _("Institutions")

    division = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("jurisdiction"))
    target = models.CharField(_("what is drawn"), max_length=12, choices=Target.choices)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    size = models.PositiveIntegerField(_("sample size"))
    seed = models.CharField(_("seed"), max_length=64)
    population = models.JSONField(default=list)  # the ordered candidate ids the draw ran over
    weights = models.JSONField(default=dict, blank=True)  # id -> weight, for the risk-weighted draw
    drawn = models.JSONField(default=list)  # ids in draw order
    drawn_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    access_scope = Scope(division="division__code")

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        verbose_name = _("spot-check draw")
        verbose_name_plural = _("spot-check draws")


class Inspection(models.Model):
    class Kind(models.TextChoices):
        ON_SITE = "on_site", _("On-site inspection")
        DOCUMENTS = "documents", _("Document review")
        REMOTE_VIDEO = "remote_video", _("Remote video review")

    class Status(models.TextChoices):
        OPEN = "open", _("Under way")
        FOLLOW_UP = "follow_up", _("Follow-up in progress")
        CLOSED = "closed", _("Closed")

    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("institution"))
    training_class = models.ForeignKey("registry.TrainingClass", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("class"))
    division = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    draw = models.ForeignKey(SampleDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections")
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections")
    signal_key = models.CharField(max_length=64, blank=True)  # the risk signal it came from, if any
    planned_on = models.DateField(_("planned on"))
    inspectors = models.CharField(_("inspectors"), max_length=255, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="division__code", organisation="institution_id")

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.institution} · {self.get_kind_display()} · {self.planned_on}"


class Finding(models.Model):
    class Severity(models.TextChoices):
        NOTE = "note", _("Observation")
        MINOR = "minor", _("Minor violation")
        MAJOR = "major", _("Serious violation")

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    text = models.TextField(_("finding"))
    evidence = models.FileField(_("photo or file"), upload_to="supervision/evidence/%Y/%m/", blank=True)
    evidence_name = models.CharField(max_length=255, blank=True)
    by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="inspection__division__code", organisation="inspection__institution_id")

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        ordering = ["at", "pk"]

    def __str__(self) -> str:  # shown in choosers (a sanction's finding): words, not "Finding object (1)"
        text = self.text if len(self.text) <= 40 else self.text[:40] + "…"
        return f"{self.get_severity_display()}：{text}"


class FollowUp(models.Model):
    """整改: an action the institution must take by a date."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="follow_ups")
    action = models.CharField(_("action required"), max_length=255)
    due_on = models.DateField(_("due by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.CharField(_("how it was done"), max_length=255, blank=True)

    access_scope = Scope(division="inspection__division__code", organisation="inspection__institution_id")

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]


class Sanction(models.Model):
    """A suspension or removal from the catalogue decided on a finding (广西人社厅通知 五(三);
    津人社办发〔2022〕94号 四(一)). The listing status itself changes through the catalogue's
    service, which keeps the adjustment history; this row ties it to the finding."""

    class Kind(models.TextChoices):
        SUSPEND = "suspended", _("Suspension")
        REMOVE = "removed", _("Removal from the catalogue")

    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey("catalogue.InstitutionListing", on_delete=models.PROTECT, related_name="+")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("sanction"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=255)
    document = models.CharField(_("document"), max_length=128)
    effective_on = models.DateField(_("effective on"))
    by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    consequences = models.JSONField(default=dict, blank=True)  # what the sanction held/opened, for the record

    access_scope = Scope(division="institution__division__code", organisation="institution_id")

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-effective_on", "-pk"]


class SignalReview(models.Model):
    """A risk signal's disposal: dismissed with a reason, or turned into an inspection.
    Signals themselves are computed from the data each time (never stale); only the
    officials' decisions about them are stored, keyed by the signal's stable key."""

    class Decision(models.TextChoices):
        DISMISSED = "dismissed", _("Dismissed")
        INSPECTION = "inspection", _("Turned into an inspection")

    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32)
    division = models.ForeignKey("geography.Division", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=12, choices=Decision.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="division__code")

    class Meta:
        verbose_name = _("risk signal review")
        verbose_name_plural = _("risk signal reviews")


class Notification(models.Model):
    """An in-app notice (the bell), also sent by e-mail. One per user and event: the unique
    `event` key (clock key + stage) is why a reminder is never sent twice."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("Due soon")
        DUE = "due", _("Due today")
        OVERDUE = "overdue", _("Overdue")

    user = models.ForeignKey("organisations.User", on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=96)
    stage = models.CharField(max_length=8, choices=Stage.choices)
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=255, blank=True)
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    access_scope = Scope(owner="user_id")

    class Meta:
        verbose_name = _("supervision notification")
        verbose_name_plural = _("supervision notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notification_once_per_event")]


class InstitutionEvaluation(models.Model):
    """The third-party evaluator's yearly evaluation of a training institution
    (津人社办发〔2022〕94号 四(三): 每年委托第三方机构对培训机构开展培训质量评估，将培训出勤率、
    考核通过率作为评估重要内容，评估结果向社会公布). Figures are computed from the platform's
    data when the evaluation is opened (and may be refreshed until it is submitted)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the province")
        RELEASED = "released", _("Released to the public")

    year = models.PositiveIntegerField(_("year"))
    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("institution"))
    evaluator = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("third-party evaluator"))
    figures = models.JSONField(default=dict)  # attendance, pass rate, complaints, findings, spot checks
    scores = models.JSONField(default=dict)  # criterion -> 0..100, entered by the evaluator
    total_score = models.DecimalField(_("total score"), max_digits=5, decimal_places=1, null=True, blank=True)
    comments = models.TextField(_("evaluation comments"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    released_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="institution__division__code", organisation=("institution_id", "evaluator_id"))

    class Meta:
        verbose_name = _("institution evaluation")
        verbose_name_plural = _("institution evaluations")
        ordering = ["-year", "institution__name"]
        constraints = [models.UniqueConstraint(fields=["year", "institution"], name="one_evaluation_per_institution_year")]
