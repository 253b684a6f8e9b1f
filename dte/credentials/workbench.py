"""Workbench tiles: the holder's certificates; the level certificates an institution issued or a bureau oversees."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dte.organisations.roles import Role
from dte.organisations.scoping import scoped
from dte.web.workbench import Tile, scoped_count

from .models import LevelCertificate

OFFICIALS = {Role.EVALUATION_STAFF, Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.AUDITOR, Role.SYSADMIN}


def tiles(user) -> list[Tile]:
    role = Role.SYSADMIN if user.is_platform_admin else user.role
    if role == Role.TRAINEE:
        return [Tile(_("My certificates"), reverse("credentials:my"), _("Downloads: PDF and verifiable credential"),
                     count=scoped_count("credentials.certificates", user, lambda u: scoped(u, LevelCertificate.objects.all())), order=14)]
    if role in OFFICIALS:
        return [Tile(_("Level certificates"), reverse("credentials:level_list"), _("Issued certificates, suspension and revocation"),
                     count=scoped_count("credentials.certificates", user, lambda u: scoped(u, LevelCertificate.objects.all())), order=60),
                Tile(_("Certificate verification"), reverse("credentials:verify"), _("Public check by number and name, QR or file"),
                     order=61)]
    return []
