from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .labels import action_label, actor_label, object_label
from .models import AuditEvent


class _LabelledFilter(admin.SimpleListFilter):
    """A filter over a code column that names each code in words (issue 13 item 12: no raw codes in the
    admin), e.g. training.certificate.issue → 签发培训证书, registry.Enrolment → 报名."""

    field = ""

    def label(self, code: str) -> str:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        codes = AuditEvent.objects.exclude(**{self.field: ""}).values_list(self.field, flat=True).distinct()
        return sorted(((code, self.label(code)) for code in codes), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class ActionFilter(_LabelledFilter):
    title = _("action")
    parameter_name = "action"
    field = "action"

    def label(self, code):
        return action_label(code)


class ObjectTypeFilter(_LabelledFilter):
    title = _("object type")
    parameter_name = "object_type"
    field = "object_type"

    def label(self, code):
        return object_label(code, None)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "occurred_at", "actor_in_words", "ip", "action_in_words", "object_in_words"]
    list_filter = [ActionFilter, ObjectTypeFilter]
    search_fields = ["object_id", "actor_label", "action"]

    @admin.display(description=_("actor"), ordering="actor_label")
    def actor_in_words(self, event):
        return actor_label(event.actor_label)

    @admin.display(description=_("action"), ordering="action")
    def action_in_words(self, event):
        return action_label(event.action)

    @admin.display(description=_("object"), ordering="object_type")
    def object_in_words(self, event):
        return object_label(event.object_type, event.object_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
