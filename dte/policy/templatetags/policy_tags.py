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


@register.filter
def reason_title(code: str) -> str:
    """A reason code as a person reads it (issue 13, item 12): its title, never the raw code."""
    from dte.policy.reasons import reason_title as title

    return title(code)


from django.utils.translation import gettext_noop  # noqa: E402

EFFECT_LABELS = {"refuse": gettext_noop("refused"), "reduce": gettext_noop("reduced"), "pending": gettext_noop("pending"),
                 "info": gettext_noop("for information")}


@register.filter
def effect_label(effect: str) -> str:
    """What a reason does to the decision (dte/policy/engine.py EFFECTS), in the reader's language."""
    return _(EFFECT_LABELS.get(effect, "for information"))
