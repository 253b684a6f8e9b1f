from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dte.organisations.roles import Role
from dte.web.workbench import Tile

AUDIT_READERS = {Role.AUDITOR, Role.PROVINCE_OFFICER, Role.SYSADMIN, Role.THIRD_PARTY_EVALUATOR}


def tiles(user):
    if user.role in AUDIT_READERS or user.is_superuser:
        return [Tile(_("Audit trail"), reverse("audit:list"), _("Who changed what, when, from where"), order=900)]
    return []
