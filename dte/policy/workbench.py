from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dte.web.workbench import Tile


def tiles(user):
    from dte.organisations.permissions import has_permission

    out = [Tile(_("Policy calculator"), reverse("policy:calculator"), _("Province policy packs, citations and subsidy quotes"), order=700)]
    if has_permission(user, "policy.simulate"):
        out.append(Tile(_("Policy-change simulation"), reverse("policy:simulate"),
                        _("Change a pack's values and see who gains and who loses"), order=701))
    return out
