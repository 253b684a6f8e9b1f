"""Inspections (on-site, document review, remote video review), their findings with photos
and files, follow-up actions with due dates, and the sanctions a finding leads to.

Sanctions: 广西人社厅通知（2023-09-19） 五(三) (违规的……移出目录清单); 津人社办发〔2022〕94号 四(一)
(对违反补贴培训相关管理规定的培训机构，按规定严肃处理……已发放的由市人社局责令培训机构追回).
A sanction changes the catalogue listing through the catalogue's own service (so the listing's
adjustment history stays the one record of status), and every service that lets an institution
act asks `dte.catalogue.selectors.institution_bar_reason` first."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from dte.audit.services import audit_record
from dte.catalogue.models import InstitutionListing
from dte.catalogue.services import CatalogueError, listing_set_status
from dte.organisations.roles import Role
from dte.organisations.scoping import can_access

from ..models import Finding, FollowUp, Inspection, Sanction
from .errors import SupervisionError

INSPECTOR_ROLES = {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER}
SANCTION_ROLES = {Role.PROVINCE_OFFICER}  # the catalogue is the province's (两目录一系统)
S = Inspection.Status
TRANSITIONS = {S.OPEN: {S.FOLLOW_UP, S.CLOSED}, S.FOLLOW_UP: {S.CLOSED}, S.CLOSED: set()}


def _require_inspector(user, obj=None) -> None:
    if user.role not in INSPECTOR_ROLES or (obj is not None and not can_access(user, obj, write=True)):
        raise SupervisionError(_("Only bureau officers of this jurisdiction inspect."))


@transaction.atomic
def inspection_open(user, *, institution, kind: str, planned_on: date, training_class=None, draw=None,
                    complaint=None, signal_key: str = "", inspectors: str = "") -> Inspection:
    _require_inspector(user, institution)
    if kind not in Inspection.Kind.values:
        raise SupervisionError(_("Choose the kind of inspection."))
    if training_class is not None and training_class.institution_id != institution.pk:
        raise SupervisionError(_("The class does not belong to this institution."))
    inspection = Inspection.objects.create(
        institution=institution, training_class=training_class, division=institution.division, kind=kind,
        planned_on=planned_on, draw=draw, complaint=complaint, signal_key=signal_key, inspectors=inspectors[:255],
        created_by=user,
    )
    audit_record("supervision.inspection.open", obj=inspection, after={
        "institution": institution.name, "kind": kind, "planned_on": planned_on, "signal": signal_key,
    }, division_code=inspection.division_id, organisation_id=institution.pk)
    return inspection


def finding_record(inspection: Inspection, user, *, severity: str, text: str, evidence=None) -> Finding:
    _require_inspector(user, inspection)
    if inspection.status == S.CLOSED:
        raise SupervisionError(_("This inspection is closed."))
    if severity not in Finding.Severity.values or not (text or "").strip():
        raise SupervisionError(_("Give the finding and its severity."))
    with transaction.atomic():
        finding = Finding(inspection=inspection, severity=severity, text=text.strip(), by=user)
        if evidence is not None:
            finding.evidence_name = evidence.name[:255]
            finding.evidence.save(evidence.name, evidence, save=False)
        finding.save()
        audit_record("supervision.finding.record", obj=finding, after={"severity": severity, "text": finding.text,
                     "evidence": finding.evidence_name}, division_code=inspection.division_id,
                     organisation_id=inspection.institution_id)
    return finding


def follow_up_add(inspection: Inspection, user, *, action: str, due_on: date) -> FollowUp:
    _require_inspector(user, inspection)
    if inspection.status == S.CLOSED:
        raise SupervisionError(_("This inspection is closed."))
    with transaction.atomic():
        follow_up = FollowUp.objects.create(inspection=inspection, action=action.strip()[:255], due_on=due_on)
        if inspection.status == S.OPEN:
            inspection_set_status(inspection, S.FOLLOW_UP, by=user)
        audit_record("supervision.follow_up.add", obj=follow_up, after={"action": follow_up.action, "due_on": due_on},
                     division_code=inspection.division_id, organisation_id=inspection.institution_id)
    return follow_up


def follow_up_done(follow_up: FollowUp, user, *, note: str, done_on: date | None = None) -> FollowUp:
    _require_inspector(user, follow_up.inspection)
    with transaction.atomic():
        follow_up.done_on, follow_up.done_note = done_on or date.today(), note.strip()[:255]
        follow_up.save(update_fields=["done_on", "done_note"])
        audit_record("supervision.follow_up.done", obj=follow_up, after={"note": follow_up.done_note},
                     division_code=follow_up.inspection.division_id)
    return follow_up


def inspection_set_status(inspection: Inspection, new: str, *, by, conclusion: str = "",
                          today: date | None = None) -> Inspection:
    _require_inspector(by, inspection)
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if new not in TRANSITIONS[inspection.status]:
            raise SupervisionError(_("This inspection cannot move from “%(old)s” to “%(new)s”.") % {
                "old": S(inspection.status).label, "new": S(new).label})
        if new == S.CLOSED:
            open_actions = inspection.follow_ups.filter(done_on__isnull=True).count()
            if open_actions:
                raise SupervisionError(_("%(n)d follow-up action(s) are not done yet.") % {"n": open_actions})
            if not conclusion.strip():
                raise SupervisionError(_("Write the conclusion before closing."))
            inspection.conclusion, inspection.closed_on = conclusion.strip(), today or date.today()
        before = inspection.status
        inspection.status = new
        inspection.save(update_fields=["status", "conclusion", "closed_on"])
        audit_record("supervision.inspection.set_status", obj=inspection, before={"status": before},
                     after={"status": new, "conclusion": inspection.conclusion},
                     division_code=inspection.division_id, organisation_id=inspection.institution_id)
    return inspection


def sanction_impose(finding: Finding, user, *, kind: str, reason: str, document: str,
                    effective_on: date) -> Sanction:
    """Suspend the institution or remove it from the catalogue on a finding; its open claims
    are held and recoveries opened by the subsidy domain (广西 五(三))."""
    inspection = finding.inspection
    if user.role not in SANCTION_ROLES or not can_access(user, inspection, write=True):
        raise SupervisionError(_("Only the province bureau suspends or removes an institution."))
    if kind not in Sanction.Kind.values:
        raise SupervisionError(_("Choose suspension or removal."))
    listings = list(InstitutionListing.objects.filter(organisation=inspection.institution)
                    .exclude(status=InstitutionListing.Status.REMOVED).order_by("pk"))
    if not listings:
        raise SupervisionError(_("The institution has no listing in the catalogue to suspend or remove."))
    with transaction.atomic():
        sanctions = []
        for listing in listings:
            if listing.status == kind:
                continue
            try:
                listing_set_status(listing, kind, by=user, reason=reason, document=document, effective_on=effective_on)
            except (CatalogueError, PermissionDenied) as error:
                raise SupervisionError(str(error)) from None
            sanctions.append(Sanction.objects.create(
                institution=inspection.institution, listing=listing, finding=finding, kind=kind, reason=reason[:255],
                document=document[:128], effective_on=effective_on, by=user,
            ))
        if not sanctions:
            raise SupervisionError(_("The institution already has this status."))
        consequences = sanction_consequences(inspection.institution, by=user, reason=reason,
                                             training_class=inspection.training_class)
        for sanction in sanctions:
            sanction.consequences = consequences
            sanction.save(update_fields=["consequences"])
        audit_record("supervision.sanction.impose", obj=sanctions[0], after={
            "institution": inspection.institution.name, "kind": kind, "reason": reason, "document": document,
            "effective_on": effective_on, "consequences": consequences,
        }, division_code=inspection.division_id, organisation_id=inspection.institution_id)
    return sanctions[0]


def sanction_consequences(institution, *, by, reason: str, training_class=None) -> dict:
    """The subsidy domain holds the institution's further claims and recovers what was paid for
    the class the finding concerns (it owns claims, payments and the ledger)."""
    from dte.subsidy.services.recovery import institution_sanctioned

    return institution_sanctioned(institution, by=by, reason=reason, training_class=training_class)
