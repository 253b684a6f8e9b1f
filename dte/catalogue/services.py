"""Changing the catalogues. Every change is audited; listing changes also leave a
ListingAdjustment row (动态调整 history); a subsidy standard is never edited, a change
is a new dated row."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dte.audit.services import audit_record
from dte.organisations.models import Organisation
from dte.organisations.permissions import has_permission
from dte.organisations.roles import Role
from dte.organisations.scoping import can_access

from .models import InstitutionListing, Level, ListingAdjustment, ListingCoverage, Occupation, SubsidyStandard

WRITER_ROLES = frozenset({Role.PROVINCE_OFFICER, Role.SYSADMIN})
Status = InstitutionListing.Status
LISTING_TRANSITIONS = {
    Status.LISTED: {Status.SUSPENDED, Status.REMOVED},
    Status.SUSPENDED: {Status.LISTED, Status.REMOVED},
    Status.REMOVED: set(),  # removal is final
}
OCCUPATION_EDITABLE = ("classification_2022", "name_en", "field", "directions", "is_active")
ORGANISATION_KIND_FOR = {
    InstitutionListing.Kind.TRAINING: Organisation.Kind.TRAINING_INSTITUTION,
    InstitutionListing.Kind.EVALUATION: Organisation.Kind.EVALUATION_INSTITUTION,
}


class CatalogueError(ValueError):
    """A change the rules refuse; the message says why (Chinese / English)."""


def is_writer(user) -> bool:
    return user is not None and user.is_authenticated and (user.is_platform_admin or user.role in WRITER_ROLES)


def _require_writer(by, obj=None) -> None:
    """`by=None` is the system itself (setup, demo). A person must hold a writer role and
    reach the object through scoping."""
    if by is None:
        return
    if not has_permission(by, "catalogue.change"):  # the one role × action table (issue 8 finding 3)
        raise PermissionDenied(_("Only province officers and administrators may change the catalogue"))
    if obj is not None and not can_access(by, obj, write=True):
        raise PermissionDenied(_("Not within your jurisdiction"))


def _require(text: str, label: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CatalogueError(_("%(label)s is required") % {"label": label})
    return text


def _coverage_key(item) -> tuple[Occupation, str, str]:
    occupation, level, *rest = item
    if level not in Level.values:
        raise CatalogueError(_("Unknown level %(level)s") % {"level": level})
    direction = ((rest[0] if rest else "") or "").strip()
    if len(direction) > 64:
        raise CatalogueError(_("A direction is longer than 64 characters"))
    return occupation, level, direction


def _listing_state(listing: InstitutionListing) -> dict:
    return {
        "status": listing.status,
        "status_changed_on": listing.status_changed_on,
        "reason": listing.status_reason,
        "document": listing.status_document,
        "coverage": sorted(f"{c.occupation.code}/{c.level}/{c.direction}" for c in listing.coverage.select_related("occupation")),
    }


def _audit_listing(action: str, listing: InstitutionListing, before, after) -> None:
    audit_record(
        action, obj=listing, before=before, after=after,
        division_code=listing.organisation.division_id, organisation_id=listing.organisation_id,
    )


# --- occupations -------------------------------------------------------------------------


@transaction.atomic
def occupation_update(occupation: Occupation, *, by, **changes) -> Occupation:
    """Fill in facts the documents leave open (directions, 2022 code, English name, field).
    The previous values stay in the audit trail (before/after)."""
    unknown = sorted(set(changes) - set(OCCUPATION_EDITABLE))
    if unknown:
        raise CatalogueError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(unknown)})
    _require_writer(by, occupation)
    occupation = Occupation.objects.select_for_update().get(pk=occupation.pk)
    if "directions" in changes:
        directions = [d.strip() for d in changes["directions"] or [] if d and d.strip()]
        changes["directions"] = list(dict.fromkeys(directions))
    before = {name: getattr(occupation, name) for name in changes}
    for name, value in changes.items():
        setattr(occupation, name, value.strip() if isinstance(value, str) else value)
    after = {name: getattr(occupation, name) for name in changes}
    if before == after:
        return occupation
    occupation.save(update_fields=list(changes))
    audit_record("catalogue.occupation.update", obj=occupation, before=before, after=after)
    return occupation


# --- listings ----------------------------------------------------------------------------


@transaction.atomic
def listing_create(
    *, organisation: Organisation, kind: str, province, listed_on: date, coverage=(), batch: str = "",
    document: str = "", by=None,
) -> InstitutionListing:
    """List an institution in a province's training or evaluation catalogue with the
    occupations and levels it covers: [(occupation, level[, direction]), ...]."""
    if kind not in ORGANISATION_KIND_FOR:
        raise CatalogueError(_("Unknown catalogue kind %(kind)s") % {"kind": kind})
    if organisation.kind != ORGANISATION_KIND_FOR[kind]:
        raise CatalogueError(_("%(organisation)s is not a %(kind)s") % {"organisation": organisation.name, "kind": InstitutionListing.Kind(kind).label})
    keys = [_coverage_key(item) for item in coverage]
    batch, document = (batch or "").strip(), (document or "").strip()
    if InstitutionListing.objects.filter(organisation=organisation, kind=kind, province=province).exists():
        raise CatalogueError(_("%(organisation)s is already in this province's catalogue") % {"organisation": organisation.name})
    listing = InstitutionListing(
        organisation=organisation, kind=kind, province=province, listed_on=listed_on, batch=batch,
        document=document, status=Status.LISTED, status_changed_on=listed_on,
    )
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError:  # a concurrent request listed it first
        raise CatalogueError(_("%(organisation)s is already in this province's catalogue") % {"organisation": organisation.name}) from None
    if by is not None:
        _require_writer(by, listing)  # rolls the row back if outside the writer's jurisdiction
        _require(document, _("The listing document"))  # an official always cites the document
        if not keys:
            raise CatalogueError(_("Choose at least one occupation and level"))
    for occupation, level, direction in dict.fromkeys(keys):
        ListingCoverage.objects.create(listing=listing, occupation=occupation, level=level, direction=direction)
    ListingAdjustment.objects.create(
        listing=listing, action="listed", to_status=Status.LISTED, document=document, effective_on=listed_on,
        reason=batch, detail={"coverage": sorted(f"{o.code}/{lv}/{d}" for o, lv, d in set(keys))}, by=by,
    )
    _audit_listing("catalogue.listing.create", listing, None, _listing_state(listing))
    return listing


def _adjustment_start(listing: InstitutionListing, by, reason: str, document: str, effective_on: date | None):
    """What every adjustment of a listing needs first: reason, document and date given, a
    writer who reaches the listing, and the row locked. Returns (locked listing, reason, document)."""
    reason, document = _require(reason, _("The reason")), _require(document, _("The document"))
    if effective_on is None:
        raise CatalogueError(_("Effective date is required"))
    _require_writer(by, listing)
    return InstitutionListing.objects.select_for_update().get(pk=listing.pk), reason, document


@transaction.atomic
def listing_set_status(
    listing: InstitutionListing, new_status: str, *, by, reason: str, document: str, effective_on: date,
) -> InstitutionListing:
    """Suspend, restore or remove a listing (reason, document and date are required)."""
    listing, reason, document = _adjustment_start(listing, by, reason, document, effective_on)
    if new_status not in Status.values:
        raise CatalogueError(_("Unknown status %(status)s") % {"status": new_status})
    if new_status not in LISTING_TRANSITIONS[listing.status]:
        raise CatalogueError(
            _("A listing cannot change from “%(old)s” to “%(new)s”")
            % {"old": Status(listing.status).label, "new": Status(new_status).label}
        )
    if listing.status_changed_on and effective_on < listing.status_changed_on:
        raise CatalogueError(
            _("The effective date cannot be before the last change, %(date)s") % {"date": listing.status_changed_on}
        )
    before = _listing_state(listing)
    ListingAdjustment.objects.create(
        listing=listing, action="status", from_status=listing.status, to_status=new_status, reason=reason,
        document=document, effective_on=effective_on, by=by,
    )
    listing.status, listing.status_changed_on = new_status, effective_on
    listing.status_reason, listing.status_document = reason, document
    listing.save(update_fields=["status", "status_changed_on", "status_reason", "status_document"])
    _audit_listing("catalogue.listing.set_status", listing, before, _listing_state(listing))
    return listing


@transaction.atomic
def listing_coverage_change(
    listing: InstitutionListing, *, by, add=(), remove=(), reason: str, document: str, effective_on: date,
) -> InstitutionListing:
    """Add or remove occupations/levels a listed institution covers."""
    listing, reason, document = _adjustment_start(listing, by, reason, document, effective_on)
    if listing.status == Status.REMOVED:
        raise CatalogueError(_("A removed listing cannot change coverage"))
    to_add = list(dict.fromkeys(_coverage_key(i) for i in add))
    to_remove = list(dict.fromkeys(_coverage_key(i) for i in remove))
    if not to_add and not to_remove:
        raise CatalogueError(_("Nothing to change in the coverage"))
    before = _listing_state(listing)
    added, removed = [], []
    for occupation, level, direction in to_add:
        _coverage, created = ListingCoverage.objects.get_or_create(listing=listing, occupation=occupation, level=level, direction=direction)
        if created:
            added.append(f"{occupation.code}/{level}/{direction}")
    for occupation, level, direction in to_remove:
        deleted, _per_model = ListingCoverage.objects.filter(listing=listing, occupation=occupation, level=level, direction=direction).delete()
        if deleted:
            removed.append(f"{occupation.code}/{level}/{direction}")
    if not added and not removed:
        raise CatalogueError(_("The coverage is already like that"))
    ListingAdjustment.objects.create(
        listing=listing, action="coverage", reason=reason, document=document, effective_on=effective_on,
        detail={"added": added, "removed": removed}, by=by,
    )
    _audit_listing("catalogue.listing.coverage_change", listing, before, _listing_state(listing))
    return listing


# --- subsidy standards ---------------------------------------------------------------------


def subsidy_standard_add(
    *, province, occupation: Occupation, level: str, effective_from: date, citation: str,
    amount_fen: int | None = None, hours_required: int | None = None, published: date | None = None, by=None,
) -> SubsidyStandard:
    """A new dated standard for one occupation and level of a province. Existing rows are
    never edited; the same date twice is refused."""
    citation = _require(citation, _("The citation"))
    if level not in Level.values:
        raise CatalogueError(_("Unknown level %(level)s") % {"level": level})
    if effective_from is None:
        raise CatalogueError(_("Effective date is required"))
    if amount_fen is None and hours_required is None:
        raise CatalogueError(_("Give an amount or required hours"))
    if amount_fen is not None and amount_fen < 0:
        raise CatalogueError(_("The amount cannot be negative"))
    if hours_required is not None and hours_required <= 0:
        raise CatalogueError(_("Required hours must be more than zero"))
    if len(citation) > 128:
        raise CatalogueError(_("Citation is longer than 128 characters"))
    _require_writer(by)
    duplicate = SubsidyStandard.objects.filter(province=province, occupation=occupation, level=level, effective_from=effective_from)
    if duplicate.exists():
        raise CatalogueError(
            _("%(occupation)s %(level)s already has a subsidy standard from %(date)s; to change it, use a new effective date")
            % {"occupation": occupation.name, "level": Level(level).label, "date": effective_from}
        )
    try:
        with transaction.atomic():
            standard = SubsidyStandard.objects.create(
                province=province, occupation=occupation, level=level, effective_from=effective_from,
                amount_fen=amount_fen, hours_required=hours_required, citation=citation, published=published, entered_by=by,
            )
            _require_writer(by, standard)  # outside the writer's province: the row is rolled back
            audit_record(
                "catalogue.subsidy_standard.add", obj=standard, division_code=standard.province_id,
                after={"occupation": occupation.code, "level": level, "effective_from": effective_from,
                       "amount_fen": amount_fen, "hours_required": hours_required, "citation": citation},
            )
    except IntegrityError:
        raise CatalogueError(_("A standard from this date already exists")) from None
    return standard
