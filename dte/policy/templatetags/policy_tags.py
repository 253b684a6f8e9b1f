"""Showing parameter values to people: no Python reprs (True, [], dicts) on the pack page."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()

SOURCE_LABELS = {
    "document": ("ok", "Province document"),
    "national_baseline": ("warn", "National baseline (人社厅发〔2021〕71号)"),
    "owner_decision": ("bad", "Policy owner decision"),
}


@register.filter
def shown(value) -> str:
    """A parameter value as a reader sees it: 是/否, lists joined with 、, mappings as key: value."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple)):
        return "、".join(shown(v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}: {shown(v)}" for k, v in value.items()) or "—"
    return str(value)


@register.filter
def source_badge(source: str) -> str:
    return SOURCE_LABELS.get(source, SOURCE_LABELS["document"])[0]


@register.filter
def source_label(source: str) -> str:
    return _(SOURCE_LABELS.get(source, SOURCE_LABELS["document"])[1])
