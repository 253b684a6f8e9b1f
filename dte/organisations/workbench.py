from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dte.web.workbench import Tile

from .tokens import manageable_tokens, may_manage_tokens


def tiles(user):
    if not may_manage_tokens(user):
        return []
    return [Tile(_("API tokens"), reverse("organisations:tokens"), _("Machine access for your organisation's systems"),
                 lambda: manageable_tokens(user).filter(revoked_at__isnull=True).count(), order=950)]
