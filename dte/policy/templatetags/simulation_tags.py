"""Amounts on the simulation page: ¥ with two decimals, a change with its sign in front (-¥3,400.00)."""

from django import template

register = template.Library()


@register.filter
def signed_yuan(fen) -> str:
    if fen is None or fen == "":
        return "—"
    fen = int(fen)
    sign = "-" if fen < 0 else ("+" if fen > 0 else "")
    return f"{sign}¥{abs(fen) / 100:,.2f}"
