from django.contrib import admin

from .models import AttendanceFlag, CheckInAttempt, Session, TrainingCertificate, TrainingReport, Venue


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "radius_m", "uses_rotating_qr"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "training_class", "starts_at", "hours", "delivery", "kind"]
    exclude = ["qr_secret"]


@admin.register(CheckInAttempt)
class CheckInAttemptAdmin(admin.ModelAdmin):
    list_display = ["session", "enrolment", "at", "accepted", "reason"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrainingCertificate)
class TrainingCertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "enrolment", "issued_on", "status"]
    readonly_fields = ["number", "snapshot", "snapshot_sha256", "pdf", "pdf_sha256"]


admin.site.register(AttendanceFlag)
admin.site.register(TrainingReport)
