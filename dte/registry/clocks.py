"""Running clocks of the registry for the deadline monitor (dte.supervision.clocks):
class-opening applications awaiting review (5 working days, from the pack)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from dte.organisations.scoping import scoped
from dte.supervision.clocks import Clock

from .models import ClassApplication


def clocks(user, today: date) -> list[Clock]:
    applications = scoped(user, ClassApplication.objects.filter(
        status=ClassApplication.Status.SUBMITTED, review_due_on__isnull=False)).select_related(
        "training_class__institution", "training_class__occupation")
    return [Clock(f"registry.application:{a.pk}", _("Class-opening review"),
                  f"{a.training_class.institution.name} · {a.training_class.title}", a.review_due_on,
                  reverse("registry:application", args=[a.pk]), a.review_due_provisional, a.review_citation)
            for a in applications]
