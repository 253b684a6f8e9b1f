"""The policy engine as other apps, the API and the CLI call it (pure Python, no Django).

The database layer gathers facts into a case dict and calls `policy_quote`; the rules
themselves never touch the database.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from .cases import CaseError, parse_case
from .engine import DatedValue, ParameterError, ParameterSet, parse_overrides
from .packs import UnknownPack, get_pack
from .packs.base import PolicyPack


class PolicyInputError(ValueError):
    """Malformed input from a caller: unknown province, bad date, bad case, bad overrides."""


def parse_date(value: Any, field: str = "on") -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PolicyInputError(f"{field}: 日期格式错误 {value!r}，应为 YYYY-MM-DD (bad date)") from None


def pack_for(code: str) -> PolicyPack:
    try:
        return get_pack(code)
    except UnknownPack as error:
        raise PolicyInputError(str(error)) from None


def pack_for_division(division_code: str) -> PolicyPack | None:
    """The pack of the province a GB/T 2260 division code (province, city or county) lies in."""
    try:
        return get_pack(str(division_code or "")[:2])
    except UnknownPack:
        return None


def parameters_with(pack: PolicyPack, overrides: dict[str, DatedValue] | dict | None) -> ParameterSet:
    if not overrides:
        return pack.parameters
    if not all(isinstance(v, DatedValue) for v in overrides.values()):
        try:
            overrides = parse_overrides(overrides)
        except ParameterError as error:
            raise PolicyInputError(str(error)) from None
    try:
        return pack.parameters.with_overrides(overrides)
    except ParameterError as error:
        raise PolicyInputError(str(error)) from None


def policy_quote(province_code: str, case_dict: dict, on: date | str | None = None, overrides: dict | None = None):
    """Decide one case. Raises PolicyInputError (with the field path) on malformed input."""
    pack = pack_for(province_code)
    params = parameters_with(pack, overrides)
    try:
        case = parse_case(case_dict)
    except CaseError as error:
        raise PolicyInputError(str(error)) from None
    return pack.quote(case, on=parse_date(on), params=params)


def quote_from_text(province_code: str, text: str, on: str | None = None, overrides: dict | None = None):
    """The CLI path: the case arrives as JSON text (optionally wrapped as {"case": ...}). Its numbers
    with a fraction are read as decimals, exactly as written: hours 64.5 is 64.5 (cases._hours)."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise PolicyInputError(f"输入不是合法的 JSON：第 {error.lineno} 行第 {error.colno} 列有误。") from None
    if isinstance(data, dict) and isinstance(data.get("case"), dict):
        on = on or data.get("on")
        data = data["case"]
    return policy_quote(province_code, data, on=on, overrides=overrides)
