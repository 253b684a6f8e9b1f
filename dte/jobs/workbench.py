from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dte.organisations.roles import Role
from dte.web.workbench import Tile


def tiles(user):
    if user.role == Role.TRAINEE:
        return []
    return [Tile(_("Background jobs"), reverse("jobs:list"), _("Imports, reports and batch computations"), order=950)]
