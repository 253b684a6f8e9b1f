"""Workbench tiles of supervision, per role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dte.organisations.roles import Role
from dte.organisations.scoping import scoped
from dte.web.workbench import Tile, scoped_count

from .models import Complaint, Inspection

SUPERVISORS = {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.AUDITOR, Role.THIRD_PARTY_EVALUATOR, Role.SYSADMIN}


def tiles(user) -> list[Tile]:
    role = Role.SYSADMIN if user.is_platform_admin else user.role
    out = []
    if role != Role.TRAINEE:
        out.append(Tile(_("Deadline monitor"), reverse("supervision:monitor"), _("Every running clock, overdue first"), order=5))
    if role in SUPERVISORS:
        out.append(Tile(_("Complaints and reports"), reverse("supervision:complaints") + "?status=received",
                        _("Waiting for a reply"), order=60,
                        count=scoped_count("supervision.complaints", user, lambda u: scoped(
                            u, Complaint.objects.filter(status__in=("received", "in_progress"))))))
        out.append(Tile(_("Risk signals"), reverse("supervision:signals"), _("Anomalies explained with their evidence"), order=61))
        out.append(Tile(_("Spot checks"), reverse("supervision:draws"), _("Reproducible sample draws"), order=62))
        out.append(Tile(_("Inspections"), reverse("supervision:inspections") + "?status=open", _("Findings, follow-ups, sanctions"),
                        order=63, count=scoped_count("supervision.inspections", user,
                                                     lambda u: scoped(u, Inspection.objects.exclude(status="closed")))))
        out.append(Tile(_("Targets"), reverse("reporting:targets"), _("Progress against the province's targets"), order=64))
        out.append(Tile(_("Third-party evaluation"), reverse("supervision:evaluations"), _("Yearly evaluation of institutions"),
                        order=65))
    return out
