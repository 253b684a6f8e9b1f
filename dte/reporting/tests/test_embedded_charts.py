"""Charts added to the registry quota list and the training completion page."""

import re

import pytest
from django.urls import reverse

from dte.organisations.roles import Role
from dte.reporting.templatetags.reporting_charts import attendance_distribution

from .world import build_world

pytestmark = pytest.mark.django_db


def test_quota_list_shows_places_vs_enrolled(client):
    world = build_world()
    client.force_login(world.shanxi_officer)
    html = client.get(reverse("registry:quotas") + "?year=2024").content.decode()
    chart = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"'):]
    chart = chart[:chart.index("</svg>")]
    assert "太原理工大学" in chart and "大同职业学院" in chart and "天津职业大学" not in chart
    assert chart.count('class="bar"') == 4  # two quotas × (places, enrolled)


def test_other_list_pages_have_no_chart(client):
    world = build_world()
    client.force_login(world.shanxi_officer)
    html = client.get(reverse("registry:people")).content.decode()
    assert 'class="chart"' not in html


def test_completion_page_shows_attendance_per_trainee(client):
    world = build_world()
    client.force_login(world.staff)
    html = client.get(reverse("training:completion", args=[world.taiyuan_class.pk])).content.decode()
    assert html.count('class="chart"') == 2  # average gauge + per-trainee bars
    # three regular sessions (two ended, one ahead): e1 attended 2, e2 1 (late), e3 the one ahead — the page's own rates
    assert sorted(re.findall(r'class="bar"[^>]*data-value="([^"]+)"', html)) == ["33.33", "33.33", "66.66"]
    assert 'data-value="0.4444"' in html  # the gauge: their average


def test_attendance_distribution_buckets():
    assert attendance_distribution([100, 95, 80, 79.9, 10]) == [
        ("<50%", 1), ("50–59%", 0), ("60–69%", 0), ("70–79%", 1), ("80–89%", 1), ("90–99%", 1), ("100%", 1)]
    assert Role.TRAINEE  # the page for trainees is covered by training's own tests
