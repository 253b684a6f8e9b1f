"""Workbench tiles of training delivery, per role."""

from __future__ import annotations

from functools import cache

from django.urls import reverse
from django.utils.translation import gettext as _

from dte.organisations.roles import Role
from dte.organisations.scoping import scoped
from dte.reporting.compiled import NOW
from dte.web.workbench import Tile, scoped_count

from .models import AttendanceFlag, Session
from .selectors import reports_pending

SUPERVISORS = {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.AUDITOR, Role.THIRD_PARTY_EVALUATOR, Role.SYSADMIN}


def tiles(user) -> list[Tile]:
    role = Role.SYSADMIN if user.is_platform_admin else user.role
    out: list[Tile] = []
    if role == Role.TRAINEE:
        upcoming = scoped_count("training.upcoming", user, lambda u: scoped(u, Session.objects.filter(ends_at__gte=NOW)))
        return [Tile(_("My sessions and check-in"), reverse("training:my"), _("Check in at the venue"), count=upcoming,
                     order=12)]
    if role == Role.TRAINING_STAFF or role in SUPERVISORS:
        out.append(Tile(_("Training delivery"), reverse("training:classes"), _("Schedule, attendance, completion, certificates"),
                        order=30))
        flagged = cache(lambda: [r for r in reports_pending(user) if r.state in ("due_soon", "overdue")])
        out.append(Tile(_("30-day reports due"), reverse("training:reports"),
                        lambda: _("%(overdue)d overdue, %(soon)d due within 7 days") % {
                            "overdue": sum(r.state == "overdue" for r in flagged()),
                            "soon": sum(r.state == "due_soon" for r in flagged())},
                        count=lambda: len(flagged()), order=31))
        flags = scoped_count("training.flags", user, lambda u: scoped(u, AttendanceFlag.objects.filter(resolved=False)))()
        if flags:
            out.append(Tile(_("Attendance flags"), reverse("training:classes"), _("Shared devices or IP addresses"), count=flags,
                            order=32))
    return out
