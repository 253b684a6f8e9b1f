"""Training delivery (issue 5): schedule, attendance, evidence, completion, the training
certificate (培训合格证书) and the 30-day report. Everything hangs on
registry.TrainingClass / registry.Enrolment through foreign keys of our own."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import Scope

CLASS_SCOPE = dict(division="training_class__division__code", organisation="training_class__institution_id")
SESSION_SCOPE = dict(division="session__training_class__division__code", organisation="session__training_class__institution_id")
ENROLMENT_SCOPE = dict(division="enrolment__training_class__division__code", organisation="enrolment__training_class__institution_id",
                       owner="enrolment__person__user_id")


def _new_secret() -> str:
    return secrets.token_hex(20)


class Venue(models.Model):
    """An offline training site with its geofence (电子围栏, 津人社办发〔2022〕94号 四(三))."""

    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="venues", verbose_name=_("institution"))
    name = models.CharField(_("name"), max_length=128)
    address = models.CharField(_("address"), max_length=255, blank=True)
    division = models.ForeignKey("geography.Division", on_delete=models.PROTECT, verbose_name=_("division"))
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    radius_m = models.PositiveIntegerField(_("geofence radius (m)"), null=True, blank=True)
    polygon = models.JSONField(_("geofence polygon [[lat, lon], …]"), default=list, blank=True)
    max_accuracy_m = models.PositiveIntegerField(_("worst GPS accuracy accepted (m)"), default=100)
    uses_rotating_qr = models.BooleanField(_("rotating QR code at check-in"), default=False)

    access_scope = Scope(division="division__code", organisation="institution_id")

    class Meta:
        ordering = ["institution_id", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return self.name

    @property
    def has_geofence(self) -> bool:
        return bool(self.radius_m) or len(self.polygon or []) >= 3


class Session(models.Model):
    class Delivery(models.TextChoices):
        OFFLINE = "offline", _("Offline")
        ONLINE = "online", _("Online")

    class Kind(models.TextChoices):
        THEORY = "theory", _("Theory")
        PRACTICE = "practice", _("Practice")

    training_class = models.ForeignKey("registry.TrainingClass", on_delete=models.PROTECT, related_name="sessions", verbose_name=_("training class"))
    title = models.CharField(_("title"), max_length=128)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    hours = models.DecimalField(_("class hours"), max_digits=5, decimal_places=1)
    delivery = models.CharField(_("delivery"), max_length=8, choices=Delivery.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    teacher = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="taught_sessions")
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    platform = models.CharField(_("online platform"), max_length=128, blank=True)
    makeup_for = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="makeups",
                                   verbose_name=_("make-up for"))
    early_open_minutes = models.PositiveSmallIntegerField(_("check-in opens (minutes before start)"), default=15)
    late_after_minutes = models.PositiveSmallIntegerField(_("late after (minutes past start)"), default=10)
    qr_secret = models.CharField(max_length=64, default=_new_secret, editable=False)

    access_scope = Scope(**CLASS_SCOPE, owner="training_class__enrolments__person__user_id")

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
                       models.CheckConstraint(condition=models.Q(hours__gt=0), name="session_hours_positive")]

    def __str__(self) -> str:
        # shown to people (make-up session list, session heading): Beijing time, never UTC (issue 13, item 15)
        from django.utils import timezone

        return f"{self.title} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class ClassSchedule(models.Model):
    """The institution's confirmation that a class's schedule is complete (then every later
    change must keep total hours ≥ required hours as well as the online cap)."""

    training_class = models.OneToOneField("registry.TrainingClass", on_delete=models.PROTECT, related_name="schedule")
    confirmed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    total_hours = models.DecimalField(max_digits=7, decimal_places=1)
    online_hours = models.DecimalField(max_digits=7, decimal_places=1)

    access_scope = Scope(**CLASS_SCOPE)

    class Meta:
        verbose_name = _("class schedule")
        verbose_name_plural = _("class schedules")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class Attendance(models.Model):
    """One trainee's record for one session: the accepted check-in, check-out or pushed online time."""

    class Source(models.TextChoices):
        WEB = "web", _("Check-in page")
        API = "api", _("API")
        PLATFORM = "platform", _("Learning platform push")
        TEACHER = "teacher", _("Teacher")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    enrolment = models.ForeignKey("registry.Enrolment", on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(_("status"), max_length=8, choices=AttendanceStatus.choices)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    online_minutes = models.PositiveIntegerField(default=0)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    accuracy_m = models.FloatField(null=True, blank=True)
    distance_m = models.FloatField(null=True, blank=True)
    device_id = models.CharField(max_length=128, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)

    access_scope = Scope(**SESSION_SCOPE, owner="enrolment__person__user_id")

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        ordering = ["session_id", "enrolment_id"]
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once_per_session")]
        indexes = [models.Index(fields=["session", "device_id"]), models.Index(fields=["session", "ip"])]


class CheckInAttempt(models.Model):
    """Every check-in/out attempt, accepted or not — kept as evidence, never dropped."""

    class Action(models.TextChoices):
        CHECK_IN = "in", _("Check-in")
        CHECK_OUT = "out", _("Check-out")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("session"))
    enrolment = models.ForeignKey("registry.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("enrolment"))
    user = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=3, choices=Action.choices, default=Action.CHECK_IN)
    at = models.DateTimeField(verbose_name=_("at"))
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    accuracy_m = models.FloatField(null=True, blank=True)
    distance_m = models.FloatField(null=True, blank=True)
    device_id = models.CharField(max_length=128, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    code = models.CharField(max_length=16, blank=True)
    accepted = models.BooleanField(verbose_name=_("accepted"))
    reason = models.CharField(max_length=255, blank=True, verbose_name=_("reason"))

    access_scope = Scope(**SESSION_SCOPE, owner="user_id")

    class Meta:
        verbose_name = _("check-in attempt")
        verbose_name_plural = _("check-in attempts")
        ordering = ["-at", "-pk"]


class AttendanceFlag(models.Model):
    """Suspicious pattern: one device or IP checking in several different trainees in one session."""

    class Kind(models.TextChoices):
        SHARED_DEVICE = "shared_device", _("Same device for several trainees")
        SHARED_IP = "shared_ip", _("Same IP address for several trainees")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="flags", verbose_name=_("session"))
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    value = models.CharField(max_length=128, verbose_name=_("value"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    resolved = models.BooleanField(default=False, verbose_name=_("resolved"))

    access_scope = Scope(**SESSION_SCOPE)

    class Meta:
        verbose_name = _("attendance flag")
        verbose_name_plural = _("attendance flags")
        constraints = [models.UniqueConstraint(fields=["session", "kind", "value"], name="flag_once_per_value")]


class CheckInCount(models.Model):
    """How many trainees checked in to a session from one device or one IP, kept incrementally by every
    accepted check-in (one upsert in the check-in's own transaction, whose row lock orders concurrent
    check-ins from the same phone), so the shared-device/IP flag needs no COUNT per check-in and
    concurrent check-ins cannot both miss it (issue 12, item 2). Derived data: AttendanceFlag is the signal."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=AttendanceFlag.Kind.choices)
    value = models.CharField(max_length=128)
    trainees = models.PositiveIntegerField(default=0)

    access_scope = Scope(**SESSION_SCOPE)

    class Meta:
        verbose_name = _("check-in count")
        verbose_name_plural = _("check-in counts")
        constraints = [models.UniqueConstraint(fields=["session", "kind", "value"], name="checkin_count_once_per_value")]


class Excuse(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="excuses")
    enrolment = models.ForeignKey("registry.Enrolment", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=255)
    granted_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(**SESSION_SCOPE, owner="enrolment__person__user_id")

    class Meta:
        verbose_name = _("absence excuse")
        verbose_name_plural = _("absence excuses")


class AttendanceCorrection(models.Model):
    """A teacher's correction of a record: reason, before and after (also in the audit trail)."""

    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="corrections")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.CharField(_("reason"), max_length=255)
    by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="attendance__session__training_class__division__code",
                         organisation="attendance__session__training_class__institution_id")

    class Meta:
        verbose_name = _("attendance correction")
        verbose_name_plural = _("attendance corrections")
        ordering = ["-at"]


def evidence_path(instance, filename):
    return f"training/evidence/{instance.session.training_class_id}/{instance.session_id}/{filename}"


class SessionEvidence(models.Model):
    """Photos and recordings (培训过程留存照片和视频; 天津: 线上线下培训均应全程录像)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Full recording")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    file = models.FileField(upload_to=evidence_path, max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(**SESSION_SCOPE)

    class Meta:
        verbose_name = _("session evidence")
        verbose_name_plural = _("session evidence items")


class CompletionAssessment(models.Model):
    """结业考核 result for one trainee."""

    enrolment = models.OneToOneField("registry.Enrolment", on_delete=models.PROTECT, related_name="completion_assessment")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    pass_mark = models.DecimalField(_("pass mark"), max_digits=5, decimal_places=1, default=60)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")

    access_scope = Scope(**ENROLMENT_SCOPE)

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_mark

    class Meta:
        verbose_name = _("completion assessment")
        verbose_name_plural = _("completion assessments")


class CompletionDecision(models.Model):
    enrolment = models.OneToOneField("registry.Enrolment", on_delete=models.PROTECT, related_name="completion_decision")
    completed = models.BooleanField()
    summary = models.JSONField(default=dict)  # hours by delivery/kind, rates
    reasons = models.JSONField(default=list)  # [{"code", "message", "citation"}]
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    access_scope = Scope(**ENROLMENT_SCOPE)

    class Meta:
        verbose_name = _("completion decision")
        verbose_name_plural = _("completion decisions")


class CertificateSettings(models.Model):
    """An institution's certificate numbering (证书编号由培训机构自行设置, 津人社办发〔2022〕94号 附件1 注3)."""

    class CheckScheme(models.TextChoices):
        MOD11_2 = "mod11_2", _("ISO 7064 MOD 11-2")
        LUHN = "luhn", _("Luhn")

    institution = models.OneToOneField("organisations.Organisation", on_delete=models.PROTECT, related_name="certificate_settings")
    number_pattern = models.CharField(_("number pattern"), max_length=64, default="{year}{inst:04d}{seq:06d}")
    check_scheme = models.CharField(_("check digit"), max_length=8, choices=CheckScheme.choices, default=CheckScheme.MOD11_2)
    title = models.CharField(_("certificate title"), max_length=64, default="培训合格证书")
    body = models.TextField(_("certificate text"), default="{name}同志于{start}至{end}参加{occupation}（{direction}）{level}培训，"
                                                            "完成规定学时{hours}学时，经结业考核合格，特发此证。")

    access_scope = Scope(division="institution__division__code", organisation="institution_id")

    class Meta:
        verbose_name = _("certificate settings")
        verbose_name_plural = _("certificate settings records")


class CertificateCounter(models.Model):
    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("certificate counter")
        verbose_name_plural = _("certificate counters")
        constraints = [models.UniqueConstraint(fields=["institution", "year"], name="certificate_counter_unique")]


def certificate_path(instance, filename):
    return f"training/certificates/{instance.number}.pdf"


class TrainingCertificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    enrolment = models.ForeignKey("registry.Enrolment", on_delete=models.PROTECT, related_name="training_certificates", verbose_name=_("enrolment"))
    snapshot = models.JSONField()
    snapshot_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(upload_to=certificate_path, max_length=255)
    pdf_sha256 = models.CharField(max_length=64, db_index=True)
    # Random token for the QR code and the public verification (dte.credentials): numbers are sequential.
    verify_token = models.CharField(max_length=64, unique=True, null=True, editable=False)
    issued_on = models.DateField(verbose_name=_("issued on"))
    issued_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.VALID, verbose_name=_("status"))
    revoked_reason = models.CharField(max_length=255, blank=True)
    revoked_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    access_scope = Scope(**ENROLMENT_SCOPE)

    class Meta:
        verbose_name = _("training certificate")
        verbose_name_plural = _("training certificates")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["enrolment"], condition=models.Q(status="valid"),
                                               name="one_valid_certificate_per_enrolment")]


class TrainingReport(models.Model):
    """The report of trainee list and training situation to the province within 30 days of completion."""

    training_class = models.ForeignKey("registry.TrainingClass", on_delete=models.PROTECT, related_name="training_reports", verbose_name=_("training class"))
    submitted_at = models.DateTimeField(verbose_name=_("submitted at"))
    submitted_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(null=True, blank=True, verbose_name=_("deadline"))
    citation = models.CharField(max_length=255, blank=True)
    rows = models.JSONField(default=list)
    on_time = models.BooleanField(default=True, verbose_name=_("on time"))

    access_scope = Scope(**CLASS_SCOPE)

    class Meta:
        verbose_name = _("training report")
        verbose_name_plural = _("training reports")
        ordering = ["-submitted_at"]
