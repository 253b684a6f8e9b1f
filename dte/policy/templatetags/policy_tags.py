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


def _descriptions() -> dict[str, str]:
    from dte.policy.packs import all_packs

    out: dict[str, str] = {}
    for pack in all_packs():
        for name, parameter in pack.parameters.parameters.items():
            if parameter.description:
                out.setdefault(name, parameter.description)
    return out


_DESCRIPTIONS: dict[str, str] | None = None


@register.filter
def parameter_label(name: str) -> str:
    """A pack parameter as a person reads it: its description from the pack (never `subsidy_cap_fen`)."""
    global _DESCRIPTIONS
    if _DESCRIPTIONS is None:
        _DESCRIPTIONS = _descriptions()
    return _DESCRIPTIONS.get(name, _("Other parameter"))


@register.filter
def parameter_value(value, name: str = "") -> str:
    """A parameter's value: amounts in fen as ¥, shares in basis points as %, the rest as `shown`."""
    if isinstance(value, int) and not isinstance(value, bool):
        if name.endswith("_fen"):
            return f"¥{value / 100:,.2f}"
        if name.endswith("_bp"):
            return f"{value / 100:g}%"
    return shown(value)
