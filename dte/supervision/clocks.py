"""The deadline monitor: every running clock a user owns or oversees, from every domain.

Each domain app may define `clocks.py` with `clocks(user, today) -> list[Clock]` (like the
workbench tiles): the clocks of its own records, scoped to the user. The monitor merges them,
overdue first. Due dates come from the records, which took them from the pack and the
working-day calendar when the clock started."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import import_module, util

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Clock:
    key: str  # stable id of the running clock, e.g. "registry.application:12"
    kind: str  # what is awaited, shown to people ("Class-opening review")
    subject: str  # which record ("山西大学 · 大数据工程技术人员 初级")
    due_on: date
    url: str
    provisional: bool = False  # due date in a year the working-day calendar does not cover yet
    citation: str = ""

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days

    def state(self, today: date, soon: int | None = None) -> str:
        soon = settings.DTE_REMIND_DAYS_BEFORE if soon is None else soon
        left = self.days_left(today)
        return "overdue" if left < 0 else "due_today" if left == 0 else "due_soon" if left <= soon else "running"


def clocks_for(user, today: date | None = None) -> list[Clock]:
    today = today or timezone.localdate()
    found: list[Clock] = []
    for app in settings.DTE_APPS:
        if util.find_spec(f"{app}.clocks") and app != "dte.supervision":
            found.extend(import_module(f"{app}.clocks").clocks(user, today))
    found.extend(own_clocks(user, today))
    return sorted(found, key=lambda c: (c.due_on, c.key))


def own_clocks(user, today: date) -> list[Clock]:
    """Supervision's own clocks: complaints awaiting a reply, follow-up actions awaiting completion."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from dte.organisations.scoping import scoped

    from .models import Complaint, FollowUp

    out = [Clock(f"supervision.complaint:{c.pk}", _("Complaint reply"), f"{c.tracking_code} · {c.get_category_display()}",
                 c.due_on, reverse("supervision:complaint", args=[c.pk]), c.due_provisional, c.due_citation)
           for c in scoped(user, Complaint.objects.filter(status__in=("received", "in_progress")))]
    out += [Clock(f"supervision.follow_up:{f.pk}", _("Follow-up action"), f"{f.inspection.institution.name} · {f.action}",
                  f.due_on, reverse("supervision:inspection", args=[f.inspection_id]))
            for f in scoped(user, FollowUp.objects.filter(done_on__isnull=True).select_related("inspection__institution"))]
    return out
