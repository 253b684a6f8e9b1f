"""Running clocks of training for the deadline monitor (dte.supervision.clocks):
30-day training reports not yet submitted."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from dte.supervision.clocks import Clock

from .selectors import reports_pending


def clocks(user, today: date) -> list[Clock]:
    return [Clock(f"training.report:{r.training_class.pk}", _("30-day training report"),
                  f"{r.training_class.institution.name} · {r.training_class.title}", r.deadline,
                  reverse("training:report", args=[r.training_class.pk]), citation=r.citation)
            for r in reports_pending(user, today) if r.deadline is not None]
