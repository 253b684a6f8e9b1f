"""Inline SVG charts: well-formed XML, proportional bars, escaping, empty and zero data, the tags."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template

from dte.web import charts

NS = {"s": "http://www.w3.org/2000/svg"}
HOSTILE = '<script>alert("x")</script>&\'"'


def parse(svg):
    return ET.fromstring(str(svg))


def bars(svg):
    return [el for el in parse(svg).iter("{http://www.w3.org/2000/svg}rect") if el.get("class") == "bar"]


def arcs(svg):
    return [el for el in parse(svg).iter("{http://www.w3.org/2000/svg}circle") if el.get("class") == "arc"]


def test_every_chart_is_accessible_svg():
    for svg in (charts.bar_chart([("太原市", 3)], title="人员"), charts.column_chart([("2024-01", 5)], title="证书"),
                charts.gauge_chart(0.76, title="出勤率"), charts.donut_chart([("在训", 2), ("结业", 1)], title="班级")):
        root = parse(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.get("role") == "img" and root.get("aria-label")
        assert root.find("s:title", NS).text == root.get("aria-label")
        assert root.find("s:desc", NS).text
        assert "PingFang SC" in root.get("font-family")


def test_bar_lengths_are_proportional():
    svg = charts.bar_chart([("a", 100), ("b", 50), ("c", 25), ("d", 0)])
    widths = [float(r.get("width")) for r in bars(svg)]
    assert widths[0] > 0
    assert widths[1] == pytest.approx(widths[0] / 2) and widths[2] == pytest.approx(widths[0] / 4)
    assert widths[3] == 0


def test_second_series_shares_the_scale():
    svg = charts.bar_chart([("太原理工大学", 200, 50), ("山西大学", 100, 100)], series=("名额", "已报名"))
    widths = [float(r.get("width")) for r in bars(svg)]
    assert len(widths) == 4
    assert widths[1] == pytest.approx(widths[0] / 4) and widths[2] == pytest.approx(widths[0] / 2) == pytest.approx(widths[3])
    text = "".join(parse(svg).itertext())
    assert "名额" in text and "已报名" in text


def test_max_value_caps_percentages():
    widths = [float(r.get("width")) for r in bars(charts.bar_chart([("a", 50), ("b", 25)], max_value=100))]
    assert widths[0] == pytest.approx(widths[1] * 2)
    full = float(bars(charts.bar_chart([("a", 100)], max_value=100))[0].get("width"))
    assert widths[0] == pytest.approx(full / 2)


def test_column_heights_are_proportional():
    cols = bars(charts.column_chart([("2024-01", 40), ("2024-02", 10), ("2024-03", 0)]))
    heights = [float(c.get("height")) for c in cols]
    assert heights[1] == pytest.approx(heights[0] / 4) and heights[2] == 0
    base = [float(c.get("y")) + float(c.get("height")) for c in cols]
    assert base[0] == pytest.approx(base[1]) == pytest.approx(base[2])


def test_gauge_arc_length_matches_rate_and_colour_follows_thresholds():
    (arc,) = arcs(charts.gauge_chart(0.76))
    drawn, circumference = (float(x) for x in arc.get("stroke-dasharray").split())
    assert drawn / circumference == pytest.approx(0.76, abs=1e-3)
    assert arc.get("stroke") == charts.WARN
    assert arcs(charts.gauge_chart(0.9))[0].get("stroke") == charts.OK
    assert arcs(charts.gauge_chart(0.3))[0].get("stroke") == charts.BRAND
    assert arcs(charts.gauge_chart(0)) == []
    assert "76%" in "".join(parse(charts.gauge_chart(0.76)).itertext())
    assert arcs(charts.gauge_chart(1.7))[0].get("data-value") == "1.0000"  # clamped


def test_donut_segments_share_the_ring():
    segments = arcs(charts.donut_chart([("a", 3), ("b", 1), ("zero", 0)]))
    assert len(segments) == 2
    lengths = [float(s.get("stroke-dasharray").split()[0]) for s in segments]
    assert lengths[0] == pytest.approx(3 * lengths[1], abs=0.05)
    assert float(segments[1].get("stroke-dashoffset")) == pytest.approx(-lengths[0], abs=0.05)
    assert "75%" in "".join(parse(charts.donut_chart([("a", 3), ("b", 1)])).itertext())


@pytest.mark.parametrize("render", [
    lambda t: charts.bar_chart([(t, 1, 2)], title=t, series=(t, t), unit=t),
    lambda t: charts.column_chart([(t, 1)], title=t),
    lambda t: charts.gauge_chart(0.5, title=t, label=t),
    lambda t: charts.donut_chart([(t, 1)], title=t, unit=t),
    lambda t: charts.bar_chart([], title=t),
])
def test_text_is_escaped(render):
    svg = str(render(HOSTILE))
    assert "<script>" not in svg and 'alert("x")' not in svg
    root = parse(svg)  # still well-formed
    assert not list(root.iter("script")) and not list(root.iter("{http://www.w3.org/2000/svg}script"))
    assert HOSTILE in "".join(root.itertext())


@pytest.mark.parametrize("svg", [charts.bar_chart([]), charts.bar_chart(None), charts.column_chart({}),
                                 charts.donut_chart([("a", 0)]), charts.gauge_chart(None)])
def test_empty_data_says_so(svg):
    root = parse(svg)
    assert root.get("role") == "img"
    assert "暂无数据" in "".join(root.itertext()) or "Nothing here yet." in "".join(root.itertext())
    assert not bars(svg) and not arcs(svg)


def test_all_zero_values_draw_empty_bars():
    widths = [float(r.get("width")) for r in bars(charts.bar_chart([("a", 0), ("b", 0)]))]
    assert widths == [0, 0]


def test_numbers_have_thousands_separators():
    svg = charts.bar_chart([("全省", 1234567)])
    assert "1,234,567" in "".join(parse(svg).itertext())
    assert charts.fmt_number(1234.5) == "1,234.5" and charts.fmt_number(12.0) == "12"
    assert charts.fmt_percent(0.756) == "75.6%" and charts.fmt_percent(None) == "—"


def test_long_labels_are_shortened_with_full_text_as_tooltip():
    label = "山西省数字技术人才评价中心人工智能工程技术人员培训基地"
    root = parse(charts.bar_chart([(label, 1)], label_width=120))
    shown = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("text-anchor") == "end"][0]
    assert shown.text is None or "…" in "".join(shown.itertext())
    assert shown.find("s:title", NS).text == label


def test_template_tags():
    html = Template(
        "{% load charts %}{% bar_chart rows title='人员' series='名额|已报名' %}{% column_chart rows %}"
        "{% gauge_chart 0.5 label='出勤' %}{% donut_chart rows %}{{ 1234567|thousands }} {{ 0.5|percent }}"
    ).render(Context({"rows": [("太原市", 3, 1), ("<b>", 2, 2)]}))
    assert html.count("<svg") == 4
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "1,234,567 50%" in html
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        parse(svg)
