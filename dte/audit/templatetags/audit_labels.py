"""Template filters for the audit trail and the job list: words, not codes (dte/audit/labels.py)."""

from django import template

from dte.audit import labels

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return labels.action_label(code or "")


@register.simple_tag
def object_label(object_type: str, object_id) -> str:
    return labels.object_label(object_type or "", object_id)


@register.simple_tag
def data_rows(object_type: str, data):
    return labels.data_rows(object_type or "", data)


@register.filter
def actor_label(label: str) -> str:
    return labels.actor_label(label or "")
