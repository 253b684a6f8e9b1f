"""Server-rendered charts: pure functions returning inline SVG (no JavaScript, no CDN).

Every function takes plain Python data and returns a SafeString of one <svg> element with
role="img", an aria-label, <title> and <desc> (a text version of the figures for screen
readers). All text is escaped here; callers may pass untrusted labels. Colours come from the
site palette (dte/web/static/web/site.css); text inherits the page's CJK-capable font.

Data shapes:
- bar_chart / column_chart: a sequence of (label, value) or (label, value, second_value)
  rows, or a mapping label → value;
- donut_chart: the same (label, value) rows (shares are computed here);
- gauge_chart: a rate as a fraction 0..1 (None = no data).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BRAND, OK, WARN = "#b3261e", "#1f7a3d", "#a15c07"
INK, MUTED, LINE, TRACK = "#1f2933", "#616e7c", "#d9e2ec", "#e4e7eb"
GREY_MID = "#9aa5b1"
SERIES = (BRAND, GREY_MID)  # first and second series of bar/column charts
CYCLE = (BRAND, OK, WARN, MUTED, "#3e4c59", GREY_MID, "#e08a83", "#7bb38d", "#d9a35b", LINE)
FONT = "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',system-ui,sans-serif"
FONT_SIZE = 13
MAX_DESC_ITEMS = 60


# --- helpers ------------------------------------------------------------------------------------------


def fmt_number(value, decimals: int = 1) -> str:
    """1234567 → '1,234,567'; 1234.5 → '1,234.5'; integral floats lose their '.0'."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (float, Decimal)):
        if value == int(value):
            return f"{int(value):,}"
        return f"{float(value):,.{decimals}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def fmt_percent(rate) -> str:
    return "—" if rate is None else f"{float(rate) * 100:.1f}%".replace(".0%", "%")


def _num(value) -> float:
    try:
        number = float(value or 0)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0


def _rows(data) -> list[tuple[str, object, object]]:
    """Normalise data to [(label, value, second or None)]."""
    if data is None:
        return []
    if isinstance(data, Mapping):
        data = list(data.items())
    rows = []
    for row in data:
        row = tuple(row)
        rows.append((str(row[0]), row[1] if len(row) > 1 else 0, row[2] if len(row) > 2 else None))
    return rows


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """Rough rendered width: CJK and full-width characters ~1 em, others ~0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def _fit(text: str, width: float, size: float = FONT_SIZE) -> str:
    if _text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if _text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out + "…"


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _ident(*parts) -> str:
    return "c" + hashlib.sha1(repr(parts).encode()).hexdigest()[:10]


def _open(width: float, height: float, title: str, desc: str, ident: str) -> str:
    t, d = escape(title or _("Chart")), escape(desc)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{t}" '
            f'aria-describedby="{ident}-d" viewBox="0 0 {_f(width)} {_f(height)}" width="100%" '
            f'style="max-width:{_f(width)}px;height:auto" font-family="{FONT}" font-size="{FONT_SIZE}" fill="{INK}">'
            f'<title id="{ident}-t">{t}</title><desc id="{ident}-d">{d}</desc>')


def _text(x, y, content: str, *, anchor: str = "start", fill: str = INK, size: float | None = None,
          weight: str | None = None, full: str | None = None) -> str:
    extra = (f' font-size="{_f(size)}"' if size else "") + (f' font-weight="{weight}"' if weight else "")
    tip = f"<title>{escape(full)}</title>" if full and full != content else ""
    return (f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f"{tip}{escape(content)}</text>")


def _summary(rows, series: Sequence[str], unit: str) -> str:
    parts = []
    for label, value, second in rows[:MAX_DESC_ITEMS]:
        if second is None:
            parts.append(f"{label}: {fmt_number(value)}{unit}")
        else:
            parts.append(f"{label}: {series[0]} {fmt_number(value)}{unit}, {series[1]} {fmt_number(second)}{unit}")
    if len(rows) > MAX_DESC_ITEMS:
        parts.append("…")
    return "; ".join(parts)


def _empty(title: str, width: float, height: float = 80) -> SafeString:
    message = _("Nothing here yet.")
    ident = _ident("empty", title)
    return mark_safe(_open(width, height, title, message, ident)
                     + f'<rect x="0.5" y="0.5" width="{_f(width - 1)}" height="{_f(height - 1)}" fill="#fff" '
                       f'stroke="{LINE}" stroke-dasharray="4 3"/>'
                     + _text(width / 2, height / 2 + 5, message, anchor="middle", fill=MUTED) + "</svg>")


def _legend(x: float, y: float, items: Sequence[tuple[str, str]]) -> str:
    out = []
    for name, colour in items:
        out.append(f'<rect x="{_f(x)}" y="{_f(y - 10)}" width="12" height="12" rx="2" fill="{colour}"/>')
        out.append(_text(x + 17, y, name, fill=MUTED, size=12))
        x += 17 + _text_width(name, 12) + 18
    return "".join(out)


# --- charts -------------------------------------------------------------------------------------------


def bar_chart(data, *, title: str = "", series: Sequence[str] = ("", ""), colors: Sequence[str] = SERIES,
              unit: str = "", width: int = 640, label_width: int = 180, max_value=None) -> SafeString:
    """Horizontal bars, one row per label; a row with a second value draws a pair of bars
    (e.g. places vs enrolled). Bar lengths are proportional to the values (max = full width,
    or `max_value` when given, e.g. 100 for percentages)."""
    rows = _rows(data)
    if not rows:
        return _empty(title, width)
    paired = any(second is not None for _, _, second in rows)
    bar_h, gap = (11, 14) if paired else (16, 10)
    row_h = (2 * bar_h + 2 if paired else bar_h) + gap
    value_w = 84
    top = 26 if paired and any(series) else 6
    area = max(60.0, width - label_width - value_w - 8)
    peak = _num(max_value) or max([_num(v) for _, v, _ in rows] + [_num(s) for _, _, s in rows] + [0]) or 1.0
    height = top + row_h * len(rows) + 4
    ident = _ident("bar", title, rows)
    out = [_open(width, height, title, _summary(rows, series, unit), ident)]
    if paired and any(series):
        out.append(_legend(label_width, 16, [(series[0], colors[0]), (series[1], colors[1])]))
    out.append(f'<line x1="{_f(label_width)}" y1="{_f(top - 2)}" x2="{_f(label_width)}" '
               f'y2="{_f(height - 4)}" stroke="{LINE}"/>')
    for i, (label, value, second) in enumerate(rows):
        y = top + i * row_h + gap / 2
        middle = y + (2 * bar_h + 2 if paired else bar_h) / 2 + 4.5
        out.append(_text(label_width - 8, middle, _fit(label, label_width - 12), anchor="end", full=label))
        bars = [(value, colors[0], series[0])] + ([(second, colors[1], series[1])] if paired else [])
        for j, (v, colour, name) in enumerate(bars):
            length = min(area, area * _num(v) / peak)
            by = y + j * (bar_h + 2)
            tip = f"{label}{' · ' + name if name else ''}: {fmt_number(v)}{unit}"
            out.append(f'<rect class="bar" x="{_f(label_width)}" y="{_f(by)}" width="{length:.2f}" height="{bar_h}" '
                       f'rx="2" fill="{colour}" data-value="{escape(str(v if v is not None else 0))}">'
                       f"<title>{escape(tip)}</title></rect>")
            out.append(_text(label_width + length + 5, by + bar_h - 2, fmt_number(v) + unit, fill=MUTED, size=12))
    out.append("</svg>")
    return mark_safe("".join(out))


def column_chart(data, *, title: str = "", series: Sequence[str] = ("", ""), colors: Sequence[str] = SERIES,
                 unit: str = "", width: int = 640, height: int = 240) -> SafeString:
    """Vertical columns (e.g. by month: [("2024-01", 12), ...]); heights proportional to values."""
    rows = _rows(data)
    if not rows:
        return _empty(title, width)
    paired = any(second is not None for _, _, second in rows)
    left, right, top, bottom = 12, 12, 34 if paired and any(series) else 20, 36
    plot_h = height - top - bottom
    slot = (width - left - right) / len(rows)
    col_w = max(2.0, min(48.0, slot * (0.7 if not paired else 0.42)))
    peak = max([_num(v) for _, v, _ in rows] + [_num(s) for _, _, s in rows] + [0]) or 1.0
    ident = _ident("col", title, rows)
    out = [_open(width, height, title, _summary(rows, series, unit), ident)]
    if paired and any(series):
        out.append(_legend(left, 16, [(series[0], colors[0]), (series[1], colors[1])]))
    base = top + plot_h
    out.append(f'<line x1="{left}" y1="{_f(base)}" x2="{_f(width - right)}" y2="{_f(base)}" stroke="{LINE}"/>')
    every = max(1, math.ceil(len(rows) * 56 / (width - left - right)))  # thin out crowded axis labels
    for i, (label, value, second) in enumerate(rows):
        centre = left + slot * (i + 0.5)
        bars = [(value, colors[0])] + ([(second, colors[1])] if paired else [])
        for j, (v, colour) in enumerate(bars):
            h = plot_h * _num(v) / peak
            x = centre - (col_w if paired and j == 0 else 0 if paired else col_w / 2)
            out.append(f'<rect class="bar" x="{_f(x)}" y="{base - h:.2f}" width="{_f(col_w)}" height="{h:.2f}" '
                       f'fill="{colour}" data-value="{escape(str(v if v is not None else 0))}">'
                       f"<title>{escape(f'{label}: {fmt_number(v)}{unit}')}</title></rect>")
            if slot >= 26:
                out.append(_text(x + col_w / 2, base - h - 4, fmt_number(v), anchor="middle", fill=MUTED, size=11))
        if i % every == 0:
            out.append(_text(centre, base + 16, _fit(label, slot * every - 2, 11), anchor="middle", fill=MUTED,
                             size=11, full=label))
    out.append("</svg>")
    return mark_safe("".join(out))


def _rate_colour(rate: float, good: float, fair: float) -> str:
    return OK if rate >= good else WARN if rate >= fair else BRAND


def gauge_chart(rate, *, title: str = "", label: str = "", good: float = 0.8, fair: float = 0.6,
                size: int = 160) -> SafeString:
    """A ring filled to `rate` (fraction 0..1), the percentage in the middle. Green at or above
    `good`, amber at or above `fair`, red below. None = no data."""
    if rate is None:
        return _empty(title, size * 1.6, size * 0.6)
    value = min(1.0, max(0.0, float(rate)))
    r, stroke = size * 0.38, size * 0.11
    cx = cy = size / 2
    circumference = 2 * math.pi * r
    height = size + (22 if label else 0)
    ident = _ident("gauge", title, value)
    out = [_open(size, height, title, f"{title}: {fmt_percent(value)}", ident),
           f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="none" stroke="{TRACK}" stroke-width="{_f(stroke)}"/>']
    if value > 0:
        out.append(f'<circle class="arc" cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="none" '
                   f'stroke="{_rate_colour(value, good, fair)}" stroke-width="{_f(stroke)}" '
                   f'stroke-dasharray="{circumference * value:.2f} {circumference:.2f}" '
                   f'transform="rotate(-90 {_f(cx)} {_f(cy)})" data-value="{value:.4f}"/>')
    out.append(_text(cx, cy + size * 0.07, fmt_percent(value), anchor="middle", size=size * 0.17, weight="700"))
    if label:
        out.append(_text(cx, size + 16, _fit(label, size), anchor="middle", fill=MUTED, size=12, full=label))
    out.append("</svg>")
    return mark_safe("".join(out))


def donut_chart(data, *, title: str = "", unit: str = "", colors: Sequence[str] = CYCLE, size: int = 180,
                width: int = 460) -> SafeString:
    """Shares of a whole as ring segments with a legend (label, number, percentage)."""
    rows = [(label, value) for label, value, _ in _rows(data)]
    total = sum(_num(v) for _, v in rows)
    if not rows or total == 0:
        return _empty(title, width)
    r, stroke = size * 0.36, size * 0.16
    cx = cy = size / 2
    circumference = 2 * math.pi * r
    height = max(size, 24 + 22 * len(rows))
    desc = "; ".join(f"{label}: {fmt_number(v)}{unit} ({fmt_percent(_num(v) / total)})" for label, v in rows[:MAX_DESC_ITEMS])
    ident = _ident("donut", title, rows)
    out = [_open(width, height, title, desc, ident),
           f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="none" stroke="{TRACK}" stroke-width="{_f(stroke)}"/>']
    offset = 0.0
    for i, (label, value) in enumerate(rows):
        share = _num(value) / total
        colour = colors[i % len(colors)]
        if share > 0:
            length = circumference * share
            out.append(f'<circle class="arc" cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="none" stroke="{colour}" '
                       f'stroke-width="{_f(stroke)}" stroke-dasharray="{length:.2f} {circumference - length:.2f}" '
                       f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {_f(cx)} {_f(cy)})" '
                       f'data-value="{escape(str(value))}"><title>{escape(f"{label}: {fmt_number(value)}{unit}")}'
                       f"</title></circle>")
            offset += length
        ly = 20 + 22 * i
        out.append(f'<rect x="{_f(size + 16)}" y="{_f(ly - 11)}" width="12" height="12" rx="2" fill="{colour}"/>')
        text = f"{label}  {fmt_number(value)}{unit} · {fmt_percent(share)}"
        out.append(_text(size + 34, ly, _fit(text, width - size - 36, 12), size=12, full=text))
    out.append(_text(cx, cy + 6, fmt_number(total), anchor="middle", size=size * 0.12, weight="700"))
    out.append("</svg>")
    return mark_safe("".join(out))
