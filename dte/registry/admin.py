from django.contrib import admin

from .models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id_number", "masked_phone", "division", "registered_by"]
    search_fields = ["name"]
    exclude = ["id_number", "phone"]
    readonly_fields = ["masked_id_number", "masked_phone"]
