"""Workbench tiles of the registry, per role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dte.organisations.roles import Role
from dte.organisations.scoping import scoped, scoped_parts
from dte.reporting.compiled import TODAY
from dte.web.workbench import Tile, scoped_count

from .models import ClassApplication, Enrolment, Person, PlanQuota, TrainingClass, TrainingPlanFiling
from .selectors import class_applications_overdue

OFFICERS = {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER}
SUPERVISORS = OFFICERS | {Role.AUDITOR, Role.THIRD_PARTY_EVALUATOR, Role.SYSADMIN}


def tiles(user) -> list[Tile]:
    role = Role.SYSADMIN if user.is_platform_admin else user.role
    out: list[Tile] = []
    if role == Role.TRAINEE:
        if getattr(user, "person", None) is not None:
            out.append(Tile(_("My record"), reverse("registry:me"), _("Classes, commitments, certificates"), order=10))
            pending = Enrolment.objects.filter(person=user.person, status=Enrolment.Status.APPLIED).order_by("pk").first()
            if pending is not None:  # an institution entered this person: they confirm or decline (issue 8 finding 2)
                out.append(Tile(_("Enrolment to confirm"), reverse("registry:invitation", args=[pending.pk]),
                                _("An institution put you on a class roster"), order=9))
        out.append(Tile(_("Enrolment announcements"), reverse("registry:announcements"), _("Open classes you can join"), order=11))
        return out
    if role in SUPERVISORS:
        out.append(Tile(_("Class-opening reviews"), reverse("registry:applications") + "?status=submitted",
                        _("Applications waiting for a decision"),
                        count=scoped_count("registry.applications", user, lambda u: scoped(u, ClassApplication.objects.filter(
                            status=ClassApplication.Status.SUBMITTED))), order=20))
        out.append(Tile(_("Overdue reviews"), reverse("registry:applications") + "?overdue=1",
                        _("Past the review deadline"),
                        count=scoped_count("registry.overdue", user, lambda u: class_applications_overdue(
                            TODAY, scoped(u, ClassApplication.objects.all()))), order=21))
        out.append(Tile(_("Filed training plans"), reverse("registry:filings") + "?status=submitted", _("Waiting for filing"),
                        count=scoped_count("registry.filings", user, lambda u: scoped(u, TrainingPlanFiling.objects.filter(
                            status="submitted"))), order=22))
    if role in SUPERVISORS or role == Role.TRAINING_STAFF:
        out.append(Tile(_("Annual plans and quotas"), reverse("registry:quotas"), _("Places per institution and occupation"),
                        count=scoped_count("registry.quotas", user, lambda u: scoped(u, PlanQuota.objects.all())), order=25))
        out.append(Tile(_("Real-name trainee registry"), reverse("registry:people"), _("One person, one record"),
                        count=scoped_count("registry.people", user, lambda u: scoped_parts(u, Person.objects.all())), order=30))
        out.append(Tile(_("Rosters"), reverse("registry:enrolments"), _("Enrolments and eligibility"),
                        count=scoped_count("registry.enrolments", user, lambda u: scoped(u, Enrolment.objects.all())), order=31))
    if role == Role.TRAINING_STAFF or role == Role.SYSADMIN:
        out.append(Tile(_("Training classes"), reverse("registry:classes"), _("Announcements, rosters, opening applications"),
                        count=scoped_count("registry.classes", user, lambda u: scoped(u, TrainingClass.objects.all())), order=26))
    if role == Role.TRAINING_STAFF:
        out.append(Tile(_("Import a roster"), reverse("registry:import_new"), _("Excel/CSV template, checked row by row"), order=32))
        out.append(Tile(_("Filed training plans"), reverse("registry:filings"), _("File plans with the bureaus"), order=27))
    return out
