"""Template tags for the inline SVG charts of dte.web.charts.

    {% load charts %}
    {% bar_chart rows title=_("Places vs enrolled") series=series %}
    {% column_chart by_month title="…" %}
    {% gauge_chart 0.76 title="…" label="…" %}
    {% donut_chart shares title="…" %}

`series` is a two-item list (or a "first|second" string) naming the value columns.
"""

from __future__ import annotations

from django import template

from dte.web import charts

register = template.Library()


def _series(value) -> tuple[str, str]:
    if not value:
        return ("", "")
    if isinstance(value, str):
        value = value.split("|", 1)
    items = [str(v) for v in value][:2]
    return tuple(items + [""] * (2 - len(items)))


@register.simple_tag
def bar_chart(data, title="", series=None, unit="", width=640, label_width=180, max_value=None):
    return charts.bar_chart(data, title=str(title), series=_series(series), unit=str(unit), width=int(width),
                            label_width=int(label_width), max_value=max_value)


@register.simple_tag
def column_chart(data, title="", series=None, unit="", width=640, height=240):
    return charts.column_chart(data, title=str(title), series=_series(series), unit=str(unit), width=int(width),
                               height=int(height))


@register.simple_tag
def gauge_chart(rate, title="", label="", good=0.8, fair=0.6, size=160):
    return charts.gauge_chart(rate, title=str(title), label=str(label), good=float(good), fair=float(fair), size=int(size))


@register.simple_tag
def donut_chart(data, title="", unit="", size=180, width=460):
    return charts.donut_chart(data, title=str(title), unit=str(unit), size=int(size), width=int(width))


@register.filter
def thousands(value):
    """{{ n|thousands }} → 1,234,567."""
    return charts.fmt_number(value)


@register.filter
def percent(rate):
    """{{ 0.756|percent }} → 75.6%."""
    return charts.fmt_percent(rate)
