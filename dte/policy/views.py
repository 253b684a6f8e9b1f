"""Thin web views over the policy engine: packs, their parameters, the calculator."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dte.catalogue.selectors import overrides_with_official_standards
from dte.jobs.models import Job
from dte.organisations.permissions import has_permission
from dte.organisations.scoping import get_scoped_or_404

from .forms import SimulationForm
from .packs import all_packs
from .services import PolicyInputError, pack_for, pack_for_division, parse_date, quote_from_text
from .services_simulation import changed_values, editable_parameters, simulation_start
from .population import demo_chunk

PROVINCE_CHOICES = [(p.code, p.name) for p in all_packs()]


@login_required
def pack_list(request):
    return render(request, "policy/pack_list.html", {"packs": all_packs(), "may_simulate": _may_simulate(request.user)})


@login_required
def pack_detail(request, code: str):
    try:
        pack = pack_for(code)
    except PolicyInputError:
        raise Http404(code) from None
    return render(request, "policy/pack_detail.html", {"pack": pack, "description": pack.describe()})


def _example_case(province: str) -> str:
    example = next(demo_chunk(province, 1, 0, 1))
    example.pop("id")
    return json.dumps(example, ensure_ascii=False, indent=2)


@login_required
def calculator(request):
    province = request.POST.get("province") or request.GET.get("province") or "shanxi"
    context = {"provinces": PROVINCE_CHOICES, "province": province, "on": request.POST.get("on", "")}
    if request.method == "POST":
        context["case_text"] = request.POST.get("case", "")
        try:
            overrides_text = request.POST.get("parameters", "").strip()
            overrides = json.loads(overrides_text) if overrides_text else None
            context["parameters"] = overrides_text
            overrides = overrides_with_official_standards(province, parse_date(context["on"]), overrides)
            decision = quote_from_text(province, context["case_text"], on=context["on"] or None, overrides=overrides)
        except json.JSONDecodeError as error:
            context["error"] = _("The parameters are not valid JSON (line %(line)s, column %(column)s).") % {
                "line": error.lineno, "column": error.colno}
        except PolicyInputError as error:
            context["error"] = str(error)
        else:
            context["decision"] = decision
            context["decision_json"] = decision.to_json()
    else:
        try:
            context["case_text"] = _example_case(pack_for(province).code)
        except PolicyInputError:
            raise Http404(province) from None
    return render(request, "policy/calculator.html", context)


# --- policy-change simulation (issue 13 item 11) --------------------------------------------------------


def _may_simulate(user) -> bool:
    return has_permission(user, "policy.simulate")


@login_required
def simulation_new(request):
    """Choose a pack, change its parameters, run it over a population as a background job."""
    if not _may_simulate(request.user):
        raise PermissionDenied(_("Only officials run policy simulations."))
    province = request.POST.get("province") or request.GET.get("province") or _home_pack(request.user)
    try:
        pack = pack_for(province)
    except PolicyInputError:
        raise Http404(province) from None
    on = None
    try:
        on = parse_date(request.POST.get("on"))
    except PolicyInputError:
        pass  # the form reports it beside its field
    parameters = editable_parameters(pack.code, on)
    form = SimulationForm(request.POST or None, parameters=parameters, initial={"province": pack.code})
    refusal = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes = changed_values(pack.code, form.submitted_values(), d["on"])
        if not changes:
            form.add_error(None, _("Change at least one parameter: otherwise nobody gains or loses."))
        else:
            try:
                job = simulation_start(province=pack.code, changes=changes, population=d["population"],
                                       size=d.get("size") or 0, seed=d.get("seed") or 1, on=d["on"], by=request.user)
            except PolicyInputError as error:
                refusal = str(error)
            else:
                return redirect("policy:simulation", pk=job.pk)
    return render(request, "policy/simulation_new.html", {
        "form": form, "pack": pack, "provinces": PROVINCE_CHOICES, "refusal": refusal,
        "title": _("Policy-change simulation")})


def _home_pack(user) -> str:
    organisation = getattr(user, "organisation", None)
    pack = pack_for_division(organisation.division_id) if organisation is not None else None
    return pack.code if pack else PROVINCE_CHOICES[0][0]


@login_required
def simulation_detail(request, pk: int):
    """Progress while it runs; then the counts and every case that gains or loses (paginated, exportable)."""
    if not _may_simulate(request.user):
        raise PermissionDenied(_("Only officials run policy simulations."))
    job = get_scoped_or_404(request.user, Job.objects.filter(kind="policy.simulate"), pk=pk)
    result = job.result or {}
    rows = result.get("changed") or []
    show = request.GET.get("show", "")
    if show == "gain":
        rows = [r for r in rows if r["delta_fen"] > 0 or (r["eligible_after"] and not r["eligible_before"])]
    elif show == "lose":
        rows = [r for r in rows if r["delta_fen"] < 0 or (r["eligible_before"] and not r["eligible_after"])]
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "policy/simulation.html", {
        "job": job, "result": result, "counts": result.get("counts") or {}, "page": page, "show": show,
        "title": _("Policy-change simulation")})
