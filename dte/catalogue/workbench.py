"""Catalogue tiles for officials: occupations, institution catalogue, subsidy standards."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dte.organisations.roles import Role
from dte.organisations.scoping import scoped
from dte.web.workbench import Tile, scoped_count

from .models import InstitutionListing, Occupation, SubsidyStandard

OFFICIAL_ROLES = frozenset({Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.SYSADMIN})


def tiles(user) -> list[Tile]:
    if not user.is_authenticated or not (user.is_platform_admin or user.role in OFFICIAL_ROLES):
        return []
    return [
        Tile(_("Occupation catalogue"), reverse("catalogue:occupation_list"), _("The 14 occupations, their codes, levels and directions"),
             scoped_count("catalogue.occupations", user, lambda u: scoped(u, Occupation.objects.filter(is_active=True))), order=60),
        Tile(_("Institution catalogue"), reverse("catalogue:listing_list"), _("Listed training and evaluation institutions, with adjustments"),
             scoped_count("catalogue.listings", user, lambda u: scoped(
                 u, InstitutionListing.objects.filter(status=InstitutionListing.Status.LISTED))), order=61),
        Tile(_("Subsidy standards"), reverse("catalogue:standard_list"), _("Dated hours and amounts per occupation and level"),
             scoped_count("catalogue.standards", user, lambda u: scoped(u, SubsidyStandard.objects.all())), order=62),
    ]
