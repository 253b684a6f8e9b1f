"""Showing parameter values to people: no Python reprs (True, [], dicts) on the pack page."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()

from django.utils.translation import gettext_noop  # noqa: E402

# the code words packs use in parameter values (dte/policy/packs/*/parameters.yaml)
POLICY_WORDS = {
    "one_year": gettext_noop("not again within one year"), "ever": gettext_noop("never again"), "per_year": gettext_noop("per year"),
    "by_year": gettext_noop("by year"), "institution": gettext_noop("the training institution"), "person": gettext_noop("the trainee"),
    "order": gettext_noop("order-based training"), "project": gettext_noop("project-based training"),
    "paired_aid": gettext_noop("paired-aid training"), "before": gettext_noop("ahead of"), "after": gettext_noop("following"),
    "class_start": gettext_noop("class start"), "training_end": gettext_noop("end of training"), "assessment_end": gettext_noop("end of the exam"),
    "certificate_data_received": gettext_noop("certificate data received"), "national_review_passed": gettext_noop("national review passed"),
    "complaint_received": gettext_noop("complaint received"), "class_application": gettext_noop("class-opening application"),
    "working": gettext_noop("working days"), "calendar": gettext_noop("calendar days"), "days": gettext_noop("days"),
    "amount_fen": gettext_noop("amount"), "hours": gettext_noop("hours"), "count": gettext_noop("number"), "counts": gettext_noop("number"),
    "default": gettext_noop("otherwise"), "level_certificate": gettext_noop("level certificate"),
    "level_certificates": gettext_noop("level certificates"), "training_certificates": gettext_noop("training certificates"),
    "requires_training_certificate": gettext_noop("needs the training certificate"), "min_level": gettext_noop("lowest level"),
    "basis": gettext_noop("basis"), "direction": gettext_noop("direction"), "name": gettext_noop("name"),
    "title": gettext_noop("professional title"), "item": gettext_noop("item"), "items": gettext_noop("applies to"),
    "subsidy_standards": gettext_noop("subsidy standards"), "claim_date": gettext_noop("date of the claim"),
    "deadline_subsidy_claim": gettext_noop("deadline for the subsidy claim"),
    "course.end_date": gettext_noop("end date of the course"),
    # payment items of a decision (engine.Item.kind), shown on the calculator's result (issue 13 item 12)
    "training_subsidy": gettext_noop("training subsidy"), "living_allowance": gettext_noop("living allowance"),
    "excellent_engineer": gettext_noop("outstanding engineer"), "excellent": gettext_noop("outstanding"), "skilled": gettext_noop("skilled"),
}

SOURCE_LABELS = {
    "document": ("ok", gettext_noop("Province document")),
    "national_baseline": ("warn", gettext_noop("National baseline (人社厅发〔2021〕71号)")),
    "owner_decision": ("bad", gettext_noop("Policy owner decision")),
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
        return "；".join(f"{word(k)}: {shown(v)}" for k, v in value.items()) or "—"
    return word(value) if isinstance(value, str) else str(value)


def word(value: str) -> str:
    """A code word of a pack (one_year, institution, subsidised …) as a person reads it (issue 13 item 12):
    the pack's own words first, then any model choice with that value; numbers and codes like 2-02-10-09 stay."""
    import re

    if value in POLICY_WORDS:
        return str(_(POLICY_WORDS[value]))
    if not re.fullmatch(r"[a-z][a-z_]*", value):
        return value
    from dte.audit.labels import value_label

    return str(value_label("", "", value))


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
