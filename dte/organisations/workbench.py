from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dte.web.workbench import Tile, scoped_count

from .tokens import manageable_tokens, may_manage_tokens


def tiles(user):
    if not may_manage_tokens(user):
        return []
    return [Tile(_("API tokens"), reverse("organisations:tokens"), _("Machine access for your organisation's systems"),
                 scoped_count("organisations.tokens", user, lambda u: manageable_tokens(u).filter(revoked_at__isnull=True)),
                 order=950)]
