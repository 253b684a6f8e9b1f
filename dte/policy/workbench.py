from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dte.web.workbench import Tile


def tiles(user):
    return [Tile(_("Policy calculator"), reverse("policy:calculator"), _("Province policy packs, citations and subsidy quotes"), order=700)]
