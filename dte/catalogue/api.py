"""Catalogue API: occupations, listings (with their adjustment history), subsidy standards."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema
from ninja.errors import HttpError

try:  # django-ninja >= 1.6; older versions take a (status, body) tuple
    from ninja import Status
except ImportError:  # pragma: no cover
    def Status(code, body):  # noqa: N802
        return code, body

from dte.geography.models import Division
from dte.organisations.models import Organisation
from dte.organisations.scoping import scoped
from dte.web.pagination import MAX_PAGE

from .models import InstitutionListing, Level, ListingAdjustment, Occupation, SubsidyStandard
from .selectors import coverage_summary, listings_filter, occupation_find, province_of, subsidy_standard_in_force
from .services import (
    CatalogueError, is_writer, listing_coverage_change, listing_create, listing_set_status, subsidy_standard_add,
)

router = Router(tags=["catalogue"])
MAX_PAGE_SIZE = 200
WRITERS_ONLY = gettext_lazy("Only province officers and administrators may change the catalogue")


class OccupationOut(Schema):
    code: str
    classification_2022: str | None
    name: str
    name_en: str
    field: str
    directions: list[str] | None  # null = not set
    is_active: bool


class CoverageOut(Schema):
    occupation_code: str
    occupation_name: str
    level: str
    direction: str


class AdjustmentOut(Schema):
    action: str
    from_status: str
    to_status: str
    reason: str
    document: str
    effective_on: date
    detail: dict
    by: str | None


class ListingOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    kind: str
    province: str
    batch: str
    document: str
    listed_on: date
    status: str
    status_changed_on: date | None
    coverage_summary: str


class ListingDetailOut(ListingOut):
    status_reason: str
    status_document: str
    coverage: list[CoverageOut]
    adjustments: list[AdjustmentOut]


class ListingPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ListingOut]


class StatusIn(Schema):
    status: str
    reason: str
    document: str
    effective_on: date


class CoverageIn(Schema):
    occupation: str  # document code (2-02-10-11) or 2022 classification code
    level: str
    direction: str = ""


class ListingIn(Schema):
    organisation_id: int
    kind: str
    listed_on: date
    document: str
    batch: str = ""
    coverage: list[CoverageIn]


class CoverageChangeIn(Schema):
    add: list[CoverageIn] = Field(default_factory=list)
    remove: list[CoverageIn] = Field(default_factory=list)
    reason: str
    document: str
    effective_on: date


class StandardOut(Schema):
    id: int
    province: str
    occupation_code: str
    occupation_name: str
    level: str
    hours_required: int | None
    amount_fen: int | None
    effective_from: date
    published: date | None
    citation: str


class StandardIn(Schema):
    province: str
    occupation: str
    level: str
    effective_from: date
    citation: str
    amount_fen: int | None = None
    hours_required: int | None = None
    published: date | None = None


def _occupation_out(o: Occupation) -> dict:
    return {"code": o.code, "classification_2022": o.classification_2022 or None, "name": o.name, "name_en": o.name_en,
            "field": o.field, "directions": o.directions or None, "is_active": o.is_active}


def _listing_out(item: InstitutionListing) -> dict:
    return {"id": item.pk, "organisation_id": item.organisation_id, "organisation": item.organisation.name, "kind": item.kind,
            "province": item.province_id, "batch": item.batch, "document": item.document, "listed_on": item.listed_on,
            "status": item.status, "status_changed_on": item.status_changed_on, "coverage_summary": coverage_summary(item)}


def _listing_detail(request, item: InstitutionListing) -> dict:
    adjustments = scoped(request.user, ListingAdjustment.objects.filter(listing=item)).select_related("by")
    return {
        **_listing_out(item), "status_reason": item.status_reason, "status_document": item.status_document,
        "coverage": [{"occupation_code": c.occupation.code, "occupation_name": c.occupation.name, "level": c.level, "direction": c.direction}
                     for c in item.coverage.select_related("occupation").order_by("occupation__code", "level")],
        "adjustments": [{"action": a.action, "from_status": a.from_status, "to_status": a.to_status, "reason": a.reason,
                         "document": a.document, "effective_on": a.effective_on, "detail": a.detail,
                         "by": a.by.username if a.by else None} for a in adjustments],
    }


def _standard_out(s: SubsidyStandard) -> dict:
    return {"id": s.pk, "province": s.province_id, "occupation_code": s.occupation.code, "occupation_name": s.occupation.name,
            "level": s.level, "hours_required": s.hours_required, "amount_fen": s.amount_fen, "effective_from": s.effective_from,
            "published": s.published, "citation": s.citation}


def _occupation_or_404(code: str) -> Occupation:
    occupation = occupation_find(code)
    if occupation is None:
        raise HttpError(404, _("Unknown occupation code %(code)s") % {"code": code})
    return occupation


def _listing_or_404(request, pk: int, write: bool = False) -> InstitutionListing:
    item = scoped(request.user, InstitutionListing.objects.select_related("organisation", "province"), write=write).filter(pk=pk).first()
    if item is None:
        raise HttpError(404, _("Catalogue entry %(pk)s does not exist or is outside your scope") % {"pk": pk})
    return item


def _writable_listing(request, pk: int) -> InstitutionListing:
    """A listing this user may change: 403 for a non-writer, 404 when not even readable,
    403 when readable but outside the user's write scope."""
    if not is_writer(request.user):
        raise HttpError(403, str(WRITERS_ONLY))
    _listing_or_404(request, pk)
    item = scoped(request.user, InstitutionListing.objects.select_related("organisation", "province"), write=True).filter(pk=pk).first()
    if item is None:
        raise HttpError(403, _("Not within your jurisdiction"))
    return item


@router.get("/occupations", response=list[OccupationOut])
def occupations(request):
    return [_occupation_out(o) for o in scoped(request.user, Occupation.objects.all())]


@router.get("/occupations/{code}", response=OccupationOut)
def occupation(request, code: str):
    found = _occupation_or_404(code)
    if not scoped(request.user, Occupation.objects.filter(pk=found.pk)).exists():
        raise HttpError(404, "unknown occupation code")
    return _occupation_out(found)


@router.get("/listings", response=ListingPage)
def listings(request, province: str = "", kind: str = "", status: str = "", occupation: str = "", page: int = 1, page_size: int = 50):
    if kind and kind not in InstitutionListing.Kind.values:
        raise HttpError(400, f"kind 只能是 {', '.join(InstitutionListing.Kind.values)}")
    if status and status not in InstitutionListing.Status.values:
        raise HttpError(400, f"status 只能是 {', '.join(InstitutionListing.Status.values)}")
    if occupation and occupation_find(occupation) is None:
        raise HttpError(400, _("Unknown occupation code %(code)s") % {"code": occupation})
    if not 1 <= page <= MAX_PAGE or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise HttpError(400, f"1 <= page <= {MAX_PAGE}, 1 <= page_size <= {MAX_PAGE_SIZE}")
    queryset = listings_filter(scoped(request.user, InstitutionListing.objects.all()), province=province, kind=kind,
                               status=status, occupation=occupation).order_by("province_id", "kind", "organisation__name", "pk")
    start = (page - 1) * page_size
    return {"count": queryset.count(), "page": page, "page_size": page_size,
            "items": [_listing_out(item) for item in queryset[start:start + page_size]]}


@router.get("/listings/{listing_id}", response=ListingDetailOut)
def listing(request, listing_id: int):
    return _listing_detail(request, _listing_or_404(request, listing_id))


@router.post("/listings/{listing_id}/status", response=ListingDetailOut)
def listing_status(request, listing_id: int, payload: StatusIn):
    item = _writable_listing(request, listing_id)
    try:
        item = listing_set_status(item, payload.status, by=request.user, reason=payload.reason, document=payload.document,
                                  effective_on=payload.effective_on)
    except CatalogueError as error:
        raise HttpError(400, str(error)) from None
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    return _listing_detail(request, item)


def _coverage_items(items: list[CoverageIn]) -> list[tuple[Occupation, str, str]]:
    result = []
    for item in items:
        occupation = occupation_find(item.occupation)
        if occupation is None:
            raise HttpError(400, _("Unknown occupation code %(code)s") % {"code": item.occupation})
        result.append((occupation, item.level, item.direction))
    return result


@router.post("/listings", response={201: ListingDetailOut})
def listing_add(request, payload: ListingIn):
    """新增目录机构: list an existing training/evaluation organisation in its province's catalogue."""
    if not is_writer(request.user):
        raise HttpError(403, str(WRITERS_ONLY))
    kinds = [Organisation.Kind.TRAINING_INSTITUTION, Organisation.Kind.EVALUATION_INSTITUTION]
    organisation = scoped(request.user, Organisation.objects.filter(pk=payload.organisation_id, kind__in=kinds)).first()
    if organisation is None:
        raise HttpError(404, _("Institution %(pk)s does not exist or is outside your scope") % {"pk": payload.organisation_id})
    province = province_of(organisation)
    if province is None:
        raise HttpError(400, _("The institution's province is unknown"))
    try:
        item = listing_create(organisation=organisation, kind=payload.kind, province=province, listed_on=payload.listed_on,
                              coverage=_coverage_items(payload.coverage), batch=payload.batch, document=payload.document,
                              by=request.user)
    except CatalogueError as error:
        raise HttpError(400, str(error)) from None
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    return Status(201, _listing_detail(request, item))


@router.post("/listings/{listing_id}/coverage", response=ListingDetailOut)
def listing_coverage(request, listing_id: int, payload: CoverageChangeIn):
    """调整职业/等级: add or remove occupation-level pairs (reason and document required)."""
    item = _writable_listing(request, listing_id)
    try:
        item = listing_coverage_change(item, by=request.user, add=_coverage_items(payload.add), remove=_coverage_items(payload.remove),
                                       reason=payload.reason, document=payload.document, effective_on=payload.effective_on)
    except CatalogueError as error:
        raise HttpError(400, str(error)) from None
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    return _listing_detail(request, item)


@router.get("/standards", response=list[StandardOut])
def standards(request, province: str = "", occupation: str = "", level: str = "", on: date | None = None):
    if level and level not in Level.values:
        raise HttpError(400, f"level 只能是 {', '.join(Level.values)}")
    found = _occupation_or_404(occupation) if occupation else None
    if on is not None:
        if not (province and found and level):
            raise HttpError(400, "on 需要同时给出 province、occupation、level / `on` needs province, occupation and level")
        row = subsidy_standard_in_force(province, found, level, on)
        rows = [row] if row and scoped(request.user, SubsidyStandard.objects.filter(pk=row.pk)).exists() else []
        return [_standard_out(r) for r in rows]
    queryset = scoped(request.user, SubsidyStandard.objects.select_related("occupation"))
    if province:
        queryset = queryset.filter(province_id=province)
    if found:
        queryset = queryset.filter(occupation=found)
    if level:
        queryset = queryset.filter(level=level)
    return [_standard_out(r) for r in queryset.order_by("province_id", "occupation__code", "level", "effective_from")]


@router.post("/standards", response={201: StandardOut})
def standard_add(request, payload: StandardIn):
    if not is_writer(request.user):
        raise HttpError(403, _("Only province officers and administrators may add subsidy standards"))
    province = Division.objects.filter(code=payload.province, level=Division.Level.PROVINCE).first()
    if province is None:
        raise HttpError(400, _("Unknown province code %(code)s") % {"code": payload.province})
    occupation = occupation_find(payload.occupation)
    if occupation is None:
        raise HttpError(400, _("Unknown occupation code %(code)s") % {"code": payload.occupation})
    try:
        row = subsidy_standard_add(
            province=province, occupation=occupation, level=payload.level,
            effective_from=payload.effective_from, citation=payload.citation, amount_fen=payload.amount_fen,
            hours_required=payload.hours_required, published=payload.published, by=request.user,
        )
    except CatalogueError as error:
        raise HttpError(400, str(error)) from None
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    return Status(201, _standard_out(row))
