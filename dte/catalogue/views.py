"""Catalogue pages: thin views over selectors and services; every query goes through scoping."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dte.geography.models import Division
from dte.organisations.scoping import can_access, get_scoped_or_404, scoped

from .exports import listings_workbook
from .forms import (
    ListingCoverageForm, ListingCreateForm, ListingFilterForm, ListingStatusForm, OccupationForm, SubsidyStandardForm,
)
from .models import InstitutionListing, Level, ListingAdjustment, Occupation, SubsidyStandard
from .selectors import listings_filter, occupation_find, province_of, standards_in_force, standards_in_force_among
from .services import (
    CatalogueError, is_writer, listing_coverage_change, listing_create, listing_set_status, occupation_update,
    subsidy_standard_add,
)


def _occupation_or_404(user, code: str) -> Occupation:
    occupation = occupation_find(code)
    if occupation is None or not scoped(user, Occupation.objects.filter(pk=occupation.pk)).exists():
        raise Http404("occupation not found")
    return occupation


def _on(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("on") or "")
    except ValueError:
        return date.today()


@login_required
def occupation_list(request):
    occupations = scoped(request.user, Occupation.objects.all())
    return render(request, "catalogue/occupation_list.html", {"occupations": occupations})


@login_required
def occupation_detail(request, code: str):
    occupation = _occupation_or_404(request.user, code)
    on = _on(request)
    rows = scoped(request.user, SubsidyStandard.objects.filter(occupation=occupation)).select_related("province", "entered_by")
    in_force = {r.pk for r in standards_in_force_among(rows, on)}
    provinces: dict[str, dict] = {}
    for row in rows.order_by("province_id", "level", "effective_from"):
        group = provinces.setdefault(row.province_id, {"province": row.province, "rows": []})
        group["rows"].append({"row": row, "in_force": row.pk in in_force, "level": Level(row.level).label})
    return render(request, "catalogue/occupation_detail.html", {
        "occupation": occupation, "provinces": provinces.values(), "on": on, "levels": Level.choices,
        "can_edit": can_access(request.user, occupation, write=True),
    })


@login_required
def occupation_edit(request, code: str):
    occupation = _occupation_or_404(request.user, code)
    if not can_access(request.user, occupation, write=True):
        raise PermissionDenied
    initial = {"classification_2022": occupation.classification_2022, "name_en": occupation.name_en,
               "field": occupation.field, "directions": "\n".join(occupation.directions)}
    form = OccupationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        occupation_update(occupation, by=request.user, **form.changes())
        messages.success(request, _("Occupation saved."))
        return redirect("catalogue:occupation_detail", code=occupation.code)
    return render(request, "catalogue/occupation_form.html", {"occupation": occupation, "form": form})


def _filtered_listings(request):
    form = ListingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = listings_filter(
        scoped(request.user, InstitutionListing.objects.all()),
        province=getattr(filters.get("province"), "code", None), kind=filters.get("kind"),
        status=filters.get("status"), occupation=filters.get("occupation"),
    )
    return form, queryset


@login_required
def listing_list(request):
    form, listings = _filtered_listings(request)
    page = Paginator(listings, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "catalogue/listing_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "can_add": is_writer(request.user),
    })


@login_required
def listing_export(request):
    _, listings = _filtered_listings(request)
    content = listings_workbook(listings)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="institution-catalogue-{date.today().isoformat()}.xlsx"'
    return response


def _detail_page(request, listing: InstitutionListing, coverage_form: ListingCoverageForm | None = None):
    adjustments = scoped(request.user, ListingAdjustment.objects.filter(listing=listing)).select_related("by")
    can_change = (is_writer(request.user) and listing.status != InstitutionListing.Status.REMOVED
                  and can_access(request.user, listing, write=True))
    form = ListingStatusForm(listing=listing) if can_change else None
    if can_change and coverage_form is None:
        coverage_form = ListingCoverageForm(listing=listing, initial={"effective_on": date.today()})
    coverage = listing.coverage.select_related("occupation").order_by("occupation__code", "level")
    return render(request, "catalogue/listing_detail.html", {
        "listing": listing, "coverage": coverage, "adjustments": adjustments, "form": form,
        "coverage_form": coverage_form if can_change else None, "can_add": is_writer(request.user),
    })


@login_required
def listing_detail(request, pk: int):
    listing = get_scoped_or_404(request.user, InstitutionListing.objects.select_related("organisation__division", "province"), pk=pk)
    return _detail_page(request, listing)


@login_required
def listing_add(request):
    """新增目录机构: list an existing training/evaluation organisation with what it covers."""
    if not is_writer(request.user):
        raise PermissionDenied
    form = ListingCreateForm(request.POST or None, user=request.user, initial={"listed_on": date.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        province = province_of(data["organisation"])
        try:
            if province is None:
                raise CatalogueError(_("The institution's province is unknown."))
            listing = listing_create(
                organisation=data["organisation"], kind=data["kind"], province=province, listed_on=data["listed_on"],
                coverage=form.coverage_items(), batch=data["batch"], document=data["document"], by=request.user,
            )
        except CatalogueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Institution added to the catalogue."))
            return redirect("catalogue:listing_detail", pk=listing.pk)
    return render(request, "catalogue/listing_form.html", {"form": form, "grid": form.grid("coverage")})


@login_required
@require_POST
def listing_coverage(request, pk: int):
    """调整职业/等级: add or remove occupation-level pairs (reason and document required)."""
    if not is_writer(request.user):
        raise PermissionDenied
    listing = get_scoped_or_404(request.user, InstitutionListing.objects.select_related("organisation__division", "province"),
                                write=True, pk=pk)
    form = ListingCoverageForm(request.POST, listing=listing)
    if form.is_valid():
        add, remove = form.changes()
        try:
            listing_coverage_change(listing, by=request.user, add=add, remove=remove, reason=form.cleaned_data["reason"],
                                    document=form.cleaned_data["document"], effective_on=form.cleaned_data["effective_on"])
        except CatalogueError as error:
            if listing.status == InstitutionListing.Status.REMOVED:
                messages.error(request, str(error))
                return redirect("catalogue:listing_detail", pk=listing.pk)
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Coverage changed."))
            return redirect("catalogue:listing_detail", pk=listing.pk)
    if listing.status == InstitutionListing.Status.REMOVED:
        messages.error(request, _("A removed listing cannot be changed."))
        return redirect("catalogue:listing_detail", pk=listing.pk)
    return _detail_page(request, listing, coverage_form=form)


@login_required
@require_POST
def listing_status(request, pk: int):
    if not is_writer(request.user):
        raise PermissionDenied
    listing = get_scoped_or_404(request.user, InstitutionListing.objects.all(), write=True, pk=pk)
    form = ListingStatusForm(request.POST, listing=listing)
    if form.is_valid():
        try:
            listing_set_status(listing, form.cleaned_data["new_status"], by=request.user, reason=form.cleaned_data["reason"],
                               document=form.cleaned_data["document"], effective_on=form.cleaned_data["effective_on"])
        except CatalogueError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Listing status changed."))
    else:
        messages.error(request, "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items() if f in form.fields)
                       or _("Please correct the form."))
    return redirect("catalogue:listing_detail", pk=listing.pk)


@login_required
def standard_list(request):
    codes = set(scoped(request.user, SubsidyStandard.objects.all()).values_list("province_id", flat=True))
    home = request.user.organisation.division.province_code if request.user.organisation else ""
    if is_writer(request.user) or request.user.is_platform_admin:
        codes.add(home)
    provinces = list(Division.objects.filter(level=Division.Level.PROVINCE, code__in=codes).order_by("code"))
    province = request.GET.get("province") or (home if home in codes else (provinces[0].code if provinces else ""))
    on = _on(request)
    rows = scoped(request.user, SubsidyStandard.objects.filter(province_id=province)).select_related("occupation", "entered_by")
    in_force = {r.pk for r in standards_in_force(province, on)}
    table = [{"row": r, "in_force": r.pk in in_force, "level": Level(r.level).label}
             for r in rows.order_by("occupation__code", "level", "effective_from")]
    return render(request, "catalogue/standard_list.html", {
        "provinces": provinces, "province": province, "on": on, "table": table, "can_add": is_writer(request.user),
    })


@login_required
def standard_add(request):
    if not is_writer(request.user):
        raise PermissionDenied
    form = SubsidyStandardForm(request.POST or None, user=request.user, initial={"province": request.GET.get("province")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            standard = subsidy_standard_add(
                province=data["province"], occupation=data["occupation"], level=data["level"], amount_fen=form.amount_fen,
                hours_required=data["hours_required"], effective_from=data["effective_from"], published=data["published"],
                citation=data["citation"], by=request.user,
            )
        except CatalogueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Subsidy standard added."))
            return redirect(f"{reverse('catalogue:standard_list')}?province={standard.province_id}")
    return render(request, "catalogue/standard_form.html", {"form": form})
