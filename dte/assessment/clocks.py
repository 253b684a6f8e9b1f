"""Running clocks of the exam chain for the deadline monitor (dte.supervision.clocks):
certificate data to report (30 days after the exam), province confirmation (Shanxi 10 days,
Guangxi 10 working days), certificates to issue (30 days after national approval)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dte.supervision.clocks import Clock

from .selectors import deadlines_for

KINDS = {
    "report": gettext_noop("Certificate data report"),
    "confirm": gettext_noop("Province confirmation of certificate data"),
    "issue": gettext_noop("Level certificates to issue"),
}


def clocks(user, today: date) -> list[Clock]:
    return [Clock(f"assessment.{d.what}:{d.url}", _(KINDS.get(d.what, d.what)), d.subject or d.url,
                  d.due_on, d.url, d.provisional, d.citation)
            for d in deadlines_for(user)]
