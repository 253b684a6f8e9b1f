"""Workbench tile of the statistics dashboard."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dte.web.workbench import Tile

from .views import may_view


def tiles(user) -> list[Tile]:
    if not may_view(user):
        return []
    return [Tile(_("Statistics"), reverse("reporting:index"), _("Charts and tables for your jurisdiction"), order=15)]
