"""Workbench tiles of level exams, per role."""

from __future__ import annotations

from functools import cache

from django.urls import reverse
from django.utils.translation import gettext as _

from dte.organisations.roles import Role
from dte.organisations.scoping import scoped
from dte.web.workbench import Tile, scoped_count

from .models import CertificateReport, Declaration, ExamSession
from .selectors import deadline_dates, due_flag

SUPERVISORS = {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.AUDITOR, Role.THIRD_PARTY_EVALUATOR, Role.SYSADMIN}


def tiles(user) -> list[Tile]:
    role = Role.SYSADMIN if user.is_platform_admin else user.role
    if role == Role.TRAINEE:
        return [Tile(_("My level exams"), reverse("assessment:declarations"), _("Declare, admission tickets, results"),
                     count=scoped_count("assessment.declarations", user, lambda u: scoped(u, Declaration.objects.all())), order=13)]
    if role == Role.TRAINING_STAFF:
        return [Tile(_("Exam declarations"), reverse("assessment:declarations"), _("Declare certificate holders for level exams"),
                     count=scoped_count("assessment.declared", user, lambda u: scoped(u, Declaration.objects.filter(status="declared"))),
                     order=33)]
    if role not in SUPERVISORS and role != Role.EVALUATION_STAFF:
        return []
    flags = cache(lambda: [due_flag(day) for day in deadline_dates(user)])
    out = [Tile(_("Level exams"), reverse("assessment:home"), _("Classes, candidates, sessions and deadlines"), order=40),
           Tile(_("Chain deadlines"), reverse("assessment:home"),
                lambda: _("%(overdue)d overdue, %(soon)d due soon") % {
                    "overdue": flags().count("bad"), "soon": flags().count("warn")},
                count=lambda: len(flags()) - flags().count("ok"), order=41),
           Tile(_("Certificate data"), reverse("assessment:reports"), _("Reported, confirmed, approved, issued"),
                count=scoped_count("assessment.reports", user,
                                   lambda u: scoped(u, CertificateReport.objects.exclude(status="issued"))), order=42)]
    if role == Role.EVALUATION_STAFF:
        out.append(Tile(_("Exam sessions"), reverse("assessment:sessions"), _("Plan, admit, check, score"),
                        count=scoped_count("assessment.sessions", user, lambda u: scoped(u, ExamSession.objects.filter(
                            status__in=["planned", "held"]))), order=43))
    if role in (Role.PROVINCE_OFFICER, Role.SYSADMIN):
        out.append(Tile(_("30-day training reports"), reverse("assessment:training_reports"), _("Confirm or return"), order=44))
    return out
