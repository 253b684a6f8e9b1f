from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ExamCentre, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "division", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["division", "parent"]


@admin.register(ExamCentre)
class ExamCentreAdmin(admin.ModelAdmin):
    list_display = ["name", "evaluation_institution", "division"]
    autocomplete_fields = ["evaluation_institution", "division"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Platform", {"fields": ["organisation", "role"]})]
    autocomplete_fields = ["organisation"]
