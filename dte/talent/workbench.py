"""Workbench tiles: the talent pool for officials, a trainee's own file."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dte.organisations.roles import Role
from dte.web.workbench import Tile, scoped_count

from .selectors import my_recognitions, pool
from .views import READERS


def tiles(user) -> list[Tile]:
    role = Role.SYSADMIN if user.is_platform_admin else user.role
    if role == Role.TRAINEE:
        return [Tile(_("My continuing education and titles"), reverse("talent:my"),
                     _("Continuing-education hours, title recognition letters"),
                     count=lambda: my_recognitions(user).exclude(status="withdrawn").count(), order=14)]
    if role in READERS or role == Role.SYSADMIN:
        return [Tile(_("Talent pool"), reverse("talent:pool"), _("One person one file: certificates, titles, awards"),
                     count=scoped_count("talent.pool", user, pool), order=60)]
    return []
