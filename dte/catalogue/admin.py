"""Read-mostly admin: changes go through the catalogue pages (audited services)."""

from django.contrib import admin

from .models import InstitutionListing, ListingAdjustment, ListingCoverage, Occupation, SubsidyStandard


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Occupation)
class OccupationAdmin(ReadOnlyAdmin):
    list_display = ["code", "classification_2022", "name", "field", "is_active"]
    search_fields = ["code", "classification_2022", "name"]


class CoverageInline(admin.TabularInline):
    model = ListingCoverage
    extra = 0
    can_delete = False
    readonly_fields = ["occupation", "level", "direction"]

    def has_add_permission(self, request, obj=None):
        return False


class AdjustmentInline(admin.TabularInline):
    model = ListingAdjustment
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "reason", "document", "effective_on", "by", "at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InstitutionListing)
class InstitutionListingAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "kind", "province", "status", "listed_on", "batch"]
    list_filter = ["province", "kind", "status"]
    search_fields = ["organisation__name", "batch", "document"]
    inlines = [CoverageInline, AdjustmentInline]  # shown read-only (view permission)


@admin.register(SubsidyStandard)
class SubsidyStandardAdmin(ReadOnlyAdmin):
    list_display = ["province", "occupation", "level", "hours_required", "amount_fen", "effective_from", "citation"]
    list_filter = ["province", "level"]
    search_fields = ["occupation__name", "occupation__code", "citation"]


@admin.register(ListingAdjustment)
class ListingAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["listing", "action", "from_status", "to_status", "effective_on", "document", "by", "at"]
    list_filter = ["action"]
