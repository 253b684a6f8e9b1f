"""Officials: the talent pool (search, page, export), one person's file with their entries.
Trainees: their own file and title-recognition letters. Everything goes through scoping."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dte.audit.services import audit_record
from dte.credentials.models import LevelCertificate
from dte.jobs.services import job_start
from dte.organisations.roles import Role
from dte.organisations.scoping import get_scoped_or_404, scoped
from dte.registry.models import Person

from .export import pool_xlsx
from .forms import EntryForm, PoolFilterForm, SeriesForm, WithdrawForm
from .models import TalentEntry, TitleRecognition
from .pdf import letter_facts, letter_pdf
from .selectors import PoolFilters, ce_totals_for, person_file, pool
from .services import TalentError, recognition_pack, talent_entry_add, talent_entry_withdraw, talent_profile_set_series

OFFICIALS = {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER}
READERS = OFFICIALS | {Role.FINANCE_OFFICER, Role.AUDITOR, Role.THIRD_PARTY_EVALUATOR}
PAGE_SIZE = 50


def is_official(user) -> bool:
    return user.is_platform_admin or user.role in OFFICIALS


def _require_reader(user) -> None:
    if not (user.is_platform_admin or user.role in READERS):
        raise PermissionDenied(_("The talent pool is for officials."))


def _filters(request) -> tuple[PoolFilterForm, PoolFilters]:
    form = PoolFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    return form, PoolFilters(occupation=data.get("occupation") or "", level=data.get("level") or "",
                             prefecture=data.get("prefecture") or "", year=data.get("year"))


@login_required
def pool_list(request):
    _require_reader(request.user)
    form, filters = _filters(request)
    page = Paginator(pool(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    people = list(page)
    year = timezone.localdate().year
    totals = ce_totals_for(people)
    rows = [(p, totals.get(p.pk, {}).get(year, 0)) for p in people]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "talent/pool.html", {"form": form, "page": page, "rows": rows, "query": query.urlencode(),
                                                "year": year, "official": is_official(request.user)})


@login_required
def pool_export(request):
    _require_reader(request.user)
    _query, filters = _filters(request)
    people = list(pool(request.user, filters))
    audit_record("talent.pool.export", after={"filters": filters.__dict__, "rows": len(people)}, actor=request.user)
    response = HttpResponse(pool_xlsx(people), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="talent-pool-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def _file_context(request, person: Person) -> dict:
    official = is_official(request.user) and scoped(request.user, Person.objects.filter(pk=person.pk), write=True).exists()
    f = person_file(person)
    return {"file": f, "official": official, "entry_form": EntryForm(), "withdraw_form": WithdrawForm(),
            "series_form": SeriesForm(initial={"title_series": f.series}) if official else None}


@login_required
def person_detail(request, pk: int):
    person = get_scoped_or_404(request.user, Person.objects.select_related("division"), pk=pk)
    return render(request, "talent/person.html", _file_context(request, person))


@login_required
def my_file(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404("No trainee record.")
    return render(request, "talent/person.html", _file_context(request, person) | {"mine": True})


def _person_for_write(request, pk: int) -> Person:
    if not is_official(request.user):
        raise PermissionDenied(_("Only officials may change a talent file."))
    return get_scoped_or_404(request.user, Person.objects.all(), write=True, pk=pk)


@login_required
@require_POST
def entry_add(request, pk: int):
    person = _person_for_write(request, pk)
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            talent_entry_add(person, by=request.user, **form.cleaned_data)
            messages.success(request, _("Recorded."))
        except TalentError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("talent:person", pk=person.pk)


@login_required
@require_POST
def entry_withdraw(request, pk: int):
    if not is_official(request.user):
        raise PermissionDenied(_("Only officials may change a talent file."))
    entry = get_scoped_or_404(request.user, TalentEntry.objects.select_related("person"), write=True, pk=pk)
    form = WithdrawForm(request.POST)
    try:
        talent_entry_withdraw(entry, by=request.user, reason=form.data.get("reason", ""))
        messages.success(request, _("Withdrawn."))
    except TalentError as error:
        messages.error(request, str(error))
    return redirect("talent:person", pk=entry.person_id)


@login_required
@require_POST
def series_set(request, pk: int):
    person = _person_for_write(request, pk)
    form = SeriesForm(request.POST)
    if form.is_valid():
        talent_profile_set_series(person, form.cleaned_data["title_series"], by=request.user)
        messages.success(request, _("Saved."))
    return redirect("talent:person", pk=person.pk)


@login_required
def letter(request, certificate_pk: int):
    """The title-recognition letter of one certificate: the holder downloads it, officials print it."""
    recognitions = list(scoped(request.user, TitleRecognition.objects.filter(certificate_id=certificate_pk))
                        .exclude(status=TitleRecognition.Status.WITHDRAWN).order_by("kind", "pk"))
    if not recognitions:
        raise Http404("No recognition in force for this certificate.")
    cert = LevelCertificate.objects.select_related("person", "occupation").get(pk=certificate_pk)
    pack = recognition_pack(cert)
    data = letter_pdf(letter_facts(cert, recognitions, pack.name if pack else ""))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="title-letter-{cert.number}.pdf"'
    return response


@login_required
@require_POST
def backfill(request):
    if not (request.user.is_platform_admin or request.user.role == Role.PROVINCE_OFFICER):
        raise PermissionDenied(_("Only province officers may start the backfill."))
    job = job_start("talent.backfill", params={}, user=request.user)
    return redirect("jobs:detail", pk=job.pk)
