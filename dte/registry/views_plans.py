"""Annual plans and their quotas (province bureau), and editing a draft or returned filing
(training institution) — issue 13 item 11. Thin: the services decide and audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dte.organisations.scoping import get_scoped_or_404, scoped

from .errors import RegistryError
from .forms import AnnualPlanForm, FilingForm, QuotaAddForm
from .models import AnnualPlan, PlanQuota, TrainingPlanFiling
from .services_plans import (
    FILING_EDITABLE, annual_plan_create, annual_plan_update, filing_submit, filing_update, may_change_plan, quota_add,
)
from .tables import Column, list_page


def _officer_only(user) -> None:
    if not may_change_plan(user):
        raise PermissionDenied(_("Only the province bureau changes the annual plan."))


FORM_FIELD = {"teachers": "teachers_text", "venues": "venues_text", "exam_dates": "exam_dates_text"}


def _refuse_into(form, error: RegistryError) -> None:
    """A refusal shown beside the field(s) it concerns, all at once; the rest above the form."""
    fields = dict(error.detail.get("fields") or {})
    if error.detail.get("field"):
        fields[error.detail["field"]] = error.message
    if not fields:
        fields = {None: str(error)}
    for name, message in fields.items():
        name = FORM_FIELD.get(name, name)
        form.add_error(name if name in form.fields else None, message)


@login_required
def plans(request):
    qs = scoped(request.user, AnnualPlan.objects.select_related("province"))
    actions = [(_("New annual plan"), reverse("registry:plan_new"))] if may_change_plan(request.user) else []
    return list_page(request, title=_("Annual plans"), queryset=qs, export_name="plans", actions=actions, columns=[
        Column(_("Year"), lambda p: p.year),
        Column(_("Plan title"), lambda p: p.title, link=lambda p: reverse("registry:plan", args=[p.pk])),
        Column(_("Province"), lambda p: p.province.name),
        Column(_("Document"), lambda p: p.document or "—"),
    ])


@login_required
def plan_new(request):
    _officer_only(request.user)
    form = AnnualPlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = annual_plan_create(province_id=d["province"].pk, year=d["year"], title=d["title"],
                                      document=d["document"], by=request.user)
        except RegistryError as error:
            _refuse_into(form, error)
        else:
            messages.success(request, _("Annual plan created; now add the quotas."))
            return redirect("registry:plan", pk=plan.pk)
    return render(request, "registry/form.html", {"form": form, "title": _("New annual plan")})


@login_required
def plan_edit(request, pk: int):
    _officer_only(request.user)
    plan = get_scoped_or_404(request.user, AnnualPlan.objects.all(), write=True, pk=pk)
    form = AnnualPlanForm(request.POST or None, plan=plan, initial={"title": plan.title, "document": plan.document})
    if request.method == "POST" and form.is_valid():
        try:
            annual_plan_update(plan, title=form.cleaned_data["title"], document=form.cleaned_data["document"], by=request.user)
        except RegistryError as error:
            _refuse_into(form, error)
        else:
            messages.success(request, _("Annual plan saved; the change is in the audit trail."))
            return redirect("registry:plan", pk=plan.pk)
    return render(request, "registry/form.html", {"form": form, "title": _("Edit annual plan")})


@login_required
def plan_detail(request, pk: int):
    plan = get_scoped_or_404(request.user, AnnualPlan.objects.select_related("province"), pk=pk)
    officer = may_change_plan(request.user) and scoped(request.user, AnnualPlan.objects.filter(pk=pk), write=True).exists()
    form = QuotaAddForm(request.POST or None, plan=plan) if officer else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only the province bureau changes the annual plan."))
        if form.is_valid():
            d = form.cleaned_data
            try:
                quota_add(plan, institution=d["institution"], occupation=d["occupation"], places=d["places"], by=request.user)
            except RegistryError as error:
                _refuse_into(form, error)
            else:
                messages.success(request, _("Quota added."))
                return redirect("registry:plan", pk=plan.pk)
    quotas = scoped(request.user, PlanQuota.objects.filter(plan=plan).select_related("institution", "occupation"))
    return render(request, "registry/plan.html", {
        "plan": plan, "quotas": quotas, "form": form, "officer": officer,
        "totals": {"places": sum(q.places for q in quotas), "enrolled": sum(q.enrolled for q in quotas)},
    })


@login_required
def filing_edit(request, pk: int):
    """The institution corrects its draft or returned filing, and may submit it again at once."""
    filing = get_scoped_or_404(request.user, TrainingPlanFiling.objects.select_related("institution", "occupation"),
                               write=True, pk=pk)
    if filing.status not in FILING_EDITABLE:
        messages.error(request, _("Only a draft or a filing returned for changes can be edited."))
        return redirect("registry:filing", pk=pk)
    form = FilingForm(request.POST or None, instance=filing)
    if request.method == "POST" and form.is_valid():
        try:
            filing = filing_update(filing, by=request.user, **form.changes())
            if request.POST.get("action") == "submit":
                filing_submit(filing, by=request.user)
        except RegistryError as error:
            _refuse_into(form, error)
        else:
            messages.success(request, _("Filing submitted again.") if request.POST.get("action") == "submit"
                             else _("Filing saved."))
            return redirect("registry:filing", pk=filing.pk)
    return render(request, "registry/filing_edit.html", {"form": form, "filing": filing,
                                                          "title": _("Edit filed training plan")})
