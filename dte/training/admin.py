"""Training in the Django admin: shown, never changed there.

Sessions, attendance, certificates, flags and reports change only through the services in
`dte/training/services/` (their checks, transition maps and the audit trail); the admin only shows
them, like registry's and catalogue's (issue 13, item 16)."""

from django.contrib import admin

from dte.registry.admin import ReadOnlyAdmin

from .models import AttendanceFlag, CheckInAttempt, Session, TrainingCertificate, TrainingReport, Venue


@admin.register(Venue)
class VenueAdmin(ReadOnlyAdmin):
    list_display = ["name", "institution", "radius_m", "uses_rotating_qr"]


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "training_class", "starts_at", "hours", "delivery", "kind"]
    exclude = ["qr_secret"]


@admin.register(CheckInAttempt)
class CheckInAttemptAdmin(ReadOnlyAdmin):
    list_display = ["session", "enrolment", "at", "accepted", "reason"]


@admin.register(TrainingCertificate)
class TrainingCertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "enrolment", "issued_on", "status"]
    exclude = ["snapshot"]  # the certificate's facts are shown on its own page, not as a raw dictionary


@admin.register(AttendanceFlag)
class AttendanceFlagAdmin(ReadOnlyAdmin):
    list_display = ["session", "kind", "value", "created_at", "resolved"]


@admin.register(TrainingReport)
class TrainingReportAdmin(ReadOnlyAdmin):
    list_display = ["training_class", "submitted_at", "deadline", "on_time"]
    exclude = ["rows"]
