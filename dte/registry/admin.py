from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    AnnualPlan, Announcement, ClassApplication, Commitment, Person, PlanQuota, RosterImport, TrainingClass, TrainingPlanFiling,
)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "id_number_masked", "phone_masked", "division", "registered_by"]
    search_fields = ["name"]
    exclude = ["id_number", "phone"]
    readonly_fields = ["id_number_masked", "phone_masked"]

    @admin.display(description=_("ID number (masked)"))
    def id_number_masked(self, person):
        return person.masked_id_number

    @admin.display(description=_("mobile number (masked)"))
    def phone_masked(self, person):
        return person.masked_phone


class ReadOnlyAdmin(admin.ModelAdmin):
    """State changes go through the services (transition maps, audit); the admin only shows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ReadOnlyAdmin):
    list_display = ["year", "title", "province", "document"]


@admin.register(PlanQuota)
class PlanQuotaAdmin(ReadOnlyAdmin):
    list_display = ["plan", "institution", "occupation", "places", "enrolled"]
    list_filter = ["plan__year"]


@admin.register(TrainingClass)
class TrainingClassAdmin(ReadOnlyAdmin):
    list_display = ["title", "institution", "start_date", "status"]
    list_filter = ["status"]


@admin.register(TrainingPlanFiling)
class TrainingPlanFilingAdmin(ReadOnlyAdmin):
    list_display = ["institution", "occupation", "level", "status"]
    list_filter = ["status"]


@admin.register(ClassApplication)
class ClassApplicationAdmin(ReadOnlyAdmin):
    list_display = ["training_class", "status", "submitted_on", "review_due_on"]
    list_filter = ["status"]


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ["training_class", "published", "published_at"]


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "signed_at", "ip", "text_sha256"]


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnlyAdmin):
    list_display = ["source_name", "institution", "status", "rows_total", "rows_valid", "rows_error"]
