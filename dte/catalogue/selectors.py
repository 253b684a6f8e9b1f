"""Reading the catalogues: occupations by either code, whether an institution may train,
the subsidy standard in force on a date, and standards as policy-engine overrides."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from dte.geography.models import Division
from dte.policy.occupations import load_occupations
from dte.policy.packs import UnknownPack, get_pack

from .models import LEVEL_RANK, InstitutionListing, Level, ListingAdjustment, Occupation, SubsidyStandard

STANDARDS_TABLE = "subsidy_standards"  # Tianjin: {code: {level: {hours, amount_fen}}}
STANDARD_AMOUNT = "training_subsidy_fen"  # other packs: one amount or {code: {level: amount}}


def occupation_find(code: str | None) -> Occupation | None:
    """An occupation by its document code (2-02-10-11) or its 2022 classification code (2-02-38-03)."""
    code = (code or "").strip()
    if not code:
        return None
    return Occupation.objects.filter(Q(code=code) | Q(classification_2022=code)).order_by("pk").first()


def _occupation(occupation) -> Occupation | None:
    return occupation if isinstance(occupation, Occupation) else occupation_find(occupation)


def province_of(organisation) -> Division | None:
    """The province whose catalogue an institution is listed in: the one it sits in."""
    return Division.objects.filter(code=organisation.division.province_code, level=Division.Level.PROVINCE).first()


def listing_status_on(listing: InstitutionListing, on: date) -> str | None:
    """The listing's status on a date, from its adjustment history (None = not yet listed)."""
    if listing.listed_on > on:
        return None
    last = (
        ListingAdjustment.objects.filter(listing=listing, effective_on__lte=on).exclude(to_status="")
        .order_by("-effective_on", "-at", "-pk").first()
    )
    return last.to_status if last else InstitutionListing.Status.LISTED


def listing_may_train(organisation, occupation, level: str, on: date | None = None) -> bool:
    """True only if the organisation has a training listing that was listed on `on` and
    (currently) covers this occupation and level."""
    occupation = _occupation(occupation)
    if organisation is None or occupation is None:
        return False
    on = on or date.today()
    listings = InstitutionListing.objects.filter(
        organisation=organisation, kind=InstitutionListing.Kind.TRAINING,
        coverage__occupation=occupation, coverage__level=level,
    ).distinct()
    return any(listing_status_on(listing, on) == InstitutionListing.Status.LISTED for listing in listings)


def subsidy_standard_in_force(province_code: str, occupation, level: str, on: date | None = None) -> SubsidyStandard | None:
    """The row with the latest effective_from on or before `on`."""
    occupation = _occupation(occupation)
    if occupation is None:
        return None
    return (
        SubsidyStandard.objects.filter(
            province_id=province_code, occupation=occupation, level=level, effective_from__lte=on or date.today()
        ).order_by("-effective_from", "-pk").first()
    )


def standards_in_force_among(rows, on: date) -> list[SubsidyStandard]:
    """Of a SubsidyStandard queryset, the row in force on `on` for each province, occupation and level."""
    latest: dict[tuple[str, int, str], SubsidyStandard] = {}
    for row in rows.filter(effective_from__lte=on).order_by("effective_from", "pk"):
        latest[(row.province_id, row.occupation_id, row.level)] = row
    return list(latest.values())


def standards_in_force(province_code: str, on: date) -> list[SubsidyStandard]:
    """For each occupation and level of the province, the row in force on `on`."""
    return standards_in_force_among(SubsidyStandard.objects.filter(province_id=province_code).select_related("occupation"), on)


def subsidy_standard_overrides(province_code: str, on: date | None = None, *, occupation=None, level: str | None = None) -> dict:
    """Standards entered in the database, as a what-if/override mapping for the policy engine.

    The shape is what dte.policy.engine.parse_overrides (and a `--parameters` file) accepts:
    `{parameter: {"value": ..., "effective_from": "YYYY-MM-DD", "citation": ..., "published": ...}}`.
    A pack with a standards table (Tianjin) gets `subsidy_standards` = its own table with the
    database cells on top; the others get `training_subsidy_fen` = a table
    `{code: {level: {"amount_fen", "hours"}}}` (a flat pack amount, e.g. Guangxi's, fills the
    cells no row sets). Empty when no row is in force or the province has no pack.
    Give occupation and level to cite exactly that row."""
    on = on or date.today()
    try:
        pack = get_pack(province_code)
    except UnknownPack:
        return {}
    rows = [r for r in standards_in_force(province_code, on) if r.amount_fen is not None or r.hours_required is not None]
    if not rows:
        return {}
    bound = pack.parameters.bind(on)
    table_now = bound.dated(STANDARDS_TABLE) if STANDARDS_TABLE in pack.parameters else None
    if table_now is not None and isinstance(table_now.value, dict):
        name, base_dated = STANDARDS_TABLE, table_now
        table = {code: {lvl: dict(cell) for lvl, cell in levels.items()} for code, levels in table_now.value.items()}
        for row in rows:
            cell = table.setdefault(row.occupation.code, {}).setdefault(row.level, {})
            if row.hours_required is not None:
                cell["hours"] = row.hours_required
            if row.amount_fen is not None:
                cell["amount_fen"] = row.amount_fen
    else:
        name, base_dated = STANDARD_AMOUNT, bound.dated(STANDARD_AMOUNT)
        flat = base_dated.value if base_dated is not None and isinstance(base_dated.value, int) else None
        table = {}
        if flat is not None:
            table = {o.code: {lvl: flat for lvl in o.levels} for o in load_occupations()}
        for row in rows:
            if row.amount_fen is None:
                continue
            cell = {"amount_fen": row.amount_fen}
            if row.hours_required is not None:
                cell["hours"] = row.hours_required
            table.setdefault(row.occupation.code, {})[row.level] = cell
        if not table:
            return {}
    starts = [r.effective_from for r in rows] + ([base_dated.effective_from] if base_dated is not None else [])
    occupation = _occupation(occupation) if occupation is not None else None  # once, not per row
    cited = [r for r in rows if occupation is not None and r.occupation == occupation and r.level == level]
    citations = [cited[0].citation] if cited else sorted({r.citation for r in rows})
    spec = {"value": table, "effective_from": max(starts).isoformat(), "citation": "；".join(citations)}
    if cited and cited[0].published:
        spec["published"] = cited[0].published.isoformat()
    return {name: spec}


def listings_filter(queryset, *, province: str | None = None, kind: str | None = None, status: str | None = None, occupation=None):
    """Narrow an (already scoped) listing queryset by the catalogue's filters."""
    if province:
        queryset = queryset.filter(province_id=province)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if occupation:
        occupation = _occupation(occupation)
        queryset = queryset.filter(coverage__occupation=occupation).distinct() if occupation else queryset.none()
    return queryset.select_related("organisation__division", "province").prefetch_related("coverage__occupation")


def coverage_summary(listing: InstitutionListing) -> str:
    """'大数据工程技术人员（初级、中级、高级）；…' for tables and exports."""
    by_occupation: dict[str, list[str]] = {}
    for item in sorted(listing.coverage.all(), key=lambda c: (c.occupation.code, LEVEL_RANK[c.level])):
        label = Level(item.level).label.split("(")[-1].rstrip(")")
        if item.direction:
            label += f"·{item.direction}"
        by_occupation.setdefault(item.occupation.name, []).append(label)
    return "；".join(f"{name}（{'、'.join(levels)}）" for name, levels in by_occupation.items())


def overrides_with_official_standards(province: str, on: date | None = None, what_if: dict | None = None) -> dict | None:
    """What every quote applies on top of a pack: the subsidy standards officials entered in the
    catalogue and in force on `on` (today if not given), then the caller's what-if values, which
    win. This is how a standard the seeds do not give (Tibet, Yunnan) reaches the calculator and
    the eligibility check at enrolment once an official enters it with its document."""
    try:
        pack = get_pack(province)
    except UnknownPack:
        return what_if  # the policy service reports the unknown province
    merged = {**subsidy_standard_overrides(pack.division_code, on), **(what_if or {})}
    return merged or None


def institution_bar_reason(organisation, kind: str | None = None, on: date | None = None) -> str | None:
    """Why an institution may not act today, or None. A suspended or removed listing bars it
    from opening classes, enrolling, applying, issuing certificates and claiming (广西人社厅通知
    （2023-09-19） 五(三); 津人社办发〔2022〕94号 四(一)). `kind`: 'training' or 'evaluation'
    (None = any listing of the institution)."""
    from django.utils.translation import gettext as _

    if organisation is None:
        return None
    listings = InstitutionListing.objects.filter(organisation=organisation)
    if kind:
        listings = listings.filter(kind=kind)
    barred = listings.filter(status__in=(InstitutionListing.Status.SUSPENDED, InstitutionListing.Status.REMOVED))
    if on is not None:
        barred = [listing for listing in listings if listing_status_on(listing, on) in
                  (InstitutionListing.Status.SUSPENDED, InstitutionListing.Status.REMOVED)]
    listing = next(iter(barred), None)
    if listing is None:
        return None
    return _("%(name)s is %(status)s in the catalogue since %(date)s (%(document)s) and may not do this.") % {
        "name": organisation.name, "status": InstitutionListing.Status(listing.status).label,
        "date": listing.status_changed_on or "", "document": listing.status_document or listing.status_reason,
    }
