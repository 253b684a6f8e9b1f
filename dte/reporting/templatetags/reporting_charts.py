"""Charts for pages owned by other apps, built from what those pages already hold
(no extra queries, so no scoping of their own: the page's rows are already scoped).

    {% load reporting_charts %}
    {% quota_chart page.object_list %}      registry quota list: places vs enrolled per quota
    {% attendance_chart rows %}             training completion page: attendance rate per trainee
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from dte.web import charts

register = template.Library()

PER_TRAINEE_LIMIT = 40  # above this many trainees, show the distribution instead of one bar each
BUCKETS = ((0, 50), (50, 60), (60, 70), (70, 80), (80, 90), (90, 100), (100, 101))


@register.simple_tag
def quota_chart(quotas):
    """Places vs enrolled for each quota on the page (PlanQuota objects)."""
    quotas = list(quotas)
    several_years = len({q.plan.year for q in quotas}) > 1
    rows = [(f"{f'{q.plan.year} · ' if several_years else ''}{q.institution.name} · {q.occupation.name}", q.places, q.enrolled)
            for q in quotas]
    return charts.bar_chart(rows, title=_("Places vs enrolled per quota"), series=(_("Places"), _("Enrolled")),
                            label_width=260, width=760)


def _rates(rows) -> list[tuple[str, float]]:
    """(name, percent) from the completion page's (summary, assessment, decision) rows or bare summaries."""
    out = []
    for row in rows:
        summary = row[0] if isinstance(row, (tuple, list)) else row
        out.append((summary.enrolment.person.name, summary.attendance_rate_bp / 100))
    return out


def attendance_distribution(rates: list[float]) -> list[tuple[str, int]]:
    labels = ("<50%", "50–59%", "60–69%", "70–79%", "80–89%", "90–99%", "100%")
    return [(label, sum(low <= r < high for r in rates)) for label, (low, high) in zip(labels, BUCKETS)]


@register.simple_tag
def attendance_chart(rows):
    """Attendance rate per trainee (a bar each, 0–100 %), or for large classes the number of
    trainees per attendance band."""
    rates = _rates(rows)
    if len(rates) > PER_TRAINEE_LIMIT:
        return charts.column_chart(attendance_distribution([r for _, r in rates]),
                                   title=_("Trainees by attendance rate"), width=640, height=220)
    return charts.bar_chart(rates, title=_("Attendance rate per trainee"), unit="%", max_value=100, width=640,
                            label_width=120)


@register.simple_tag
def class_attendance_gauge(rows):
    """The class's average attendance rate as a gauge (None when there are no trainees)."""
    rates = [r for _, r in _rates(rows)]
    rate = sum(rates) / len(rates) / 100 if rates else None
    return charts.gauge_chart(rate, title=_("Average attendance rate"), label=_("Average attendance rate"), size=140)
