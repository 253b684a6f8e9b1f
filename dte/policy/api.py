"""REST endpoints of the policy calculator (mounted at /api/policy/ by dte/api.py)."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema
from ninja.errors import HttpError

from dte.catalogue.selectors import overrides_with_official_standards

from .packs import all_packs
from .services import PolicyInputError, pack_for, parse_date, policy_quote

router = Router(tags=["policy"])


class QuoteIn(Schema):
    province: str
    on: str | None = None
    case: dict[str, Any]
    parameters: dict[str, Any] | None = None  # what-if values, same shape as --parameters


@router.post("/quote", summary="Decide one case (same JSON as `dte policy quote`)")
def quote(request, payload: QuoteIn):
    try:
        overrides = overrides_with_official_standards(payload.province, parse_date(payload.on), payload.parameters)
        decision = policy_quote(payload.province, payload.case, on=payload.on, overrides=overrides)
    except PolicyInputError as error:
        raise HttpError(422, str(error)) from None
    return decision.to_dict()


@router.get("/packs", summary="All province packs")
def packs(request):
    return [{"code": p.code, "name": p.name, "division_code": p.division_code} for p in all_packs()]


@router.get("/packs/{code}", summary="One pack's parameters with citations and history")
def pack_detail(request, code: str):
    try:
        return pack_for(code).describe()
    except PolicyInputError as error:
        raise HttpError(404, str(error)) from None
