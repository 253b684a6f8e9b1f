from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dte.organisations.roles import Role
from dte.web.workbench import Tile

MONEY_ROLES = (Role.FINANCE_OFFICER, Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.AUDITOR)


def tiles(user):
    if user.role == Role.TRAINEE:
        return [Tile(_("My subsidies"), reverse("subsidy:mine"), _("Subsidies claimed for you; confirm onward payments"), order=300)]
    if not (user.is_platform_admin or user.role in MONEY_ROLES or user.role == Role.TRAINING_STAFF):
        return []
    from .models import Claim
    from .selectors import claims_for

    waiting = {Role.FINANCE_OFFICER: Claim.Status.APPROVED}.get(user.role, Claim.Status.SUBMITTED)
    result = [Tile(_("Subsidy claims"), reverse("subsidy:home"), _("Claims, review, budget, payment batches, recoveries"),
                   count=lambda: claims_for(user, waiting).count(), order=300)]
    if user.role != Role.TRAINING_STAFF:
        result.append(Tile(_("Payment batches"), reverse("subsidy:batches"), _("Bank files, results and follow-up batches"), order=310))
        result.append(Tile(_("Subsidy calculator"), reverse("subsidy:calculator"), _("Choose a class and a trainee; amounts with clauses"), order=320))
    return result
