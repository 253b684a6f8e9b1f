"""Running clocks of subsidies for the deadline monitor (dte.supervision.clocks): claims whose
publicity (公示) is running — authorisation may follow only once it ends (津人社办发〔2022〕94号
附件4 一(三), 二(二))."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from dte.organisations.scoping import scoped
from dte.supervision.clocks import Clock

from .models import Claim


def clocks(user, today: date) -> list[Clock]:
    claims = scoped(user, Claim.objects.filter(publicity_until__gte=today, lines__status__in=("approved", "held"))
                    ).distinct().select_related("institution", "training_class")
    return [Clock(f"subsidy.publicity:{c.pk}", _("Subsidy publicity ends"), f"{c.institution.name} · {c.training_class.title}",
                  c.publicity_until, reverse("subsidy:claim", args=[c.pk]))
            for c in claims]
