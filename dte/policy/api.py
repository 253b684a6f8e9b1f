"""REST endpoints of the policy calculator (mounted at /api/policy/ by dte/api.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ninja import Router, Schema
from pydantic import field_validator, model_validator
from ninja.errors import HttpError
from django.utils.translation import gettext as _

from dte.catalogue.selectors import overrides_with_official_standards

from .packs import all_packs
from .services import PolicyInputError, pack_for, parse_date, policy_quote

router = Router(tags=["policy"])


# Money is integer fen and rates integer basis points (engine.py); no amount, count or rate is negative,
# and none is near this bound (¥10 billion), which keeps every sum far from any overflow.
MAX_NUMBER = 10**12
NUMERIC_UNITS = {"fen", "basis_points", "days", "years"}  # parameters whose value is one whole number
UNIT_TYPES = {"bool": bool, "text": str, "enum": str, "payee": str, "list": list, "mapping": dict, "table": dict,
              "deadline": dict}


def _whole_numbers(value: Any, path: str) -> None:
    """Refuse fractional, negative or huge numbers anywhere in a case or what-if value (issue 8, finding 9)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, float):
        raise ValueError(_("%(path)s: must be a whole number (money in fen), not %(value)s") % {"path": path, "value": value})
    if isinstance(value, int):
        if value < 0 or value > MAX_NUMBER:
            raise ValueError(_("%(path)s: must be between 0 and %(max)s, not %(value)s") % {"path": path, "max": MAX_NUMBER, "value": value})
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        _whole_numbers(item, f"{path}.{key}" if isinstance(value, dict) else f"{path}[{key}]")


HOURS_FIELDS = ("hours_total", "hours_online")  # credited hours, exact to the tenth (cases._hours)


def _exact_hours(case: dict[str, Any]) -> dict[str, Any]:
    """course.hours_total / hours_online may have one decimal place (64.5). A JSON number with a fraction
    arrives as a float; it is read back as the decimal the JSON text wrote — repr is the shortest decimal
    that reads as the same float (64.5 → "64.5", 63.9 → "63.9") — and cases._hours checks the places."""
    course = case.get("course")
    if not isinstance(course, dict) or not any(isinstance(course.get(key), float) for key in HOURS_FIELDS):
        return case
    course = {**course, **{key: Decimal(repr(course[key])) for key in HOURS_FIELDS if isinstance(course.get(key), float)}}
    return {**case, "course": course}


def _all_whole_numbers(value: Any) -> bool:
    """A number, or a table of numbers by occupation and level (e.g. training_subsidy_fen in Tibet)."""
    if isinstance(value, dict):
        return bool(value) and all(_all_whole_numbers(item) for item in value.values())
    return isinstance(value, int) and not isinstance(value, bool)


class QuoteIn(Schema):
    province: str
    on: str | None = None
    case: dict[str, Any]
    parameters: dict[str, Any] | None = None  # what-if values, same shape as --parameters

    @field_validator("case")
    @classmethod
    def _case_numbers(cls, case: dict[str, Any]) -> dict[str, Any]:
        case = _exact_hours(case)
        _whole_numbers(case, "case")  # hours are Decimals by now: checked by cases._hours
        return case

    @model_validator(mode="after")
    def _parameter_types(self) -> "QuoteIn":
        """Each what-if value has its parameter's type: a whole non-negative number for money, rates and
        periods, true/false for flags, text, a list or an object as the pack declares it."""
        if not self.parameters:
            return self
        _whole_numbers(self.parameters, "parameters")
        try:
            declared = pack_for(self.province).parameters.parameters
        except PolicyInputError:
            return self  # the quote reports the unknown province
        for name, spec in self.parameters.items():
            value = spec["value"] if isinstance(spec, dict) and "value" in spec else spec
            parameter = declared.get(name)
            if parameter is None:
                continue  # the engine names unknown parameters
            if parameter.unit in NUMERIC_UNITS:
                if value is not None and not _all_whole_numbers(value):  # null: "not published"
                    raise ValueError(_("parameters.%(name)s: must be a whole number or a table of whole numbers by occupation and level "
                                       "(unit %(unit)s), not %(value)s") % {"name": name, "unit": parameter.unit, "value": value})
                continue
            expected = UNIT_TYPES.get(parameter.unit)
            if expected is not None and not isinstance(value, expected):
                raise ValueError(_("parameters.%(name)s: must be of type %(type)s (unit %(unit)s), not %(value)s")
                                 % {"name": name, "type": expected.__name__, "unit": parameter.unit, "value": value})
        return self


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
