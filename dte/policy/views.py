"""Thin web views over the policy engine: packs, their parameters, the calculator."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from dte.catalogue.selectors import overrides_with_official_standards

from .packs import all_packs
from .services import PolicyInputError, pack_for, parse_date, quote_from_text
from .simulate import demo_chunk

PROVINCE_CHOICES = [(p.code, p.name) for p in all_packs()]


@login_required
def pack_list(request):
    return render(request, "policy/pack_list.html", {"packs": all_packs()})


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
            context["error"] = f"parameters: {error.msg}"
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
