"""Money shown as ¥ with two decimals (stored as integer fen); item and payee names in the UI language."""

from django import template
from django.utils.translation import gettext as _

from dte.policy.packs.common import money

register = template.Library()


@register.filter
def yuan(fen) -> str:
    if fen is None or fen == "":
        return "—"
    return money(int(fen))


@register.filter
def item_name(kind: str) -> str:
    return {"training_subsidy": _("Training subsidy"), "living_allowance": _("Living allowance")}.get(kind, kind)


@register.filter
def payee_name(payee: str) -> str:
    return {"institution": _("Training institution"), "person": _("Trainee")}.get(payee, payee)
