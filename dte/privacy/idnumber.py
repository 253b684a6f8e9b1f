"""Resident identity numbers (公民身份号码) per GB 11643-1999, and phone numbers.

python-stdnum computes the ISO 7064 MOD 11-2 check digit; its `cn.ric.validate` also
rejects real numbers whose county code its table lacks for the birth year, so an
unknown area code is only a warning here. Hong Kong/Macao/Taiwan residence permits
(港澳台居民居住证, codes 810000/820000/830000) are valid numbers too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.utils.translation import gettext as _
from stdnum.cn import ric

RESIDENCE_PERMIT_AREAS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
_PHONE_SEPARATORS = re.compile(r"[\s-]")


class InvalidIdNumber(ValueError):
    def __init__(self, message: str, field_name: str = "id_number"):
        super().__init__(message)
        self.field_name = field_name
        self.message = message


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    gender: str  # "M" | "F"
    area_code: str
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


def age_on(birth: date, day: date) -> int:
    """Whole years lived on `day`: one less until the birthday comes round that year (a 29 February birthday
    comes round on 1 March in common years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def normalise_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_id_number(value: str, *, today: date | None = None, min_age: int = 14, max_age: int = 100) -> IdNumber:
    number = normalise_id_number(value)
    today = today or date.today()
    if len(number) == 15:
        raise InvalidIdNumber(_("15-digit numbers are obsolete: enter the 18-digit number."))
    if not _ID_PATTERN.match(number):
        raise InvalidIdNumber(_("An ID number has 18 characters: 17 digits followed by a digit or X."))
    if ric.calc_check_digit(number) != number[-1]:
        raise InvalidIdNumber(_("The ID number's check digit (last character) is wrong: re-read the number."))
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(_("The birth date %(date)s in the ID number does not exist.") % {"date": number[6:14]}) from None
    if birth > today:
        raise InvalidIdNumber(_("The birth date in the ID number is in the future."))
    age = age_on(birth, today)
    if not min_age <= age <= max_age:
        raise InvalidIdNumber(_("By the ID number the person is %(age)s years old, outside %(min)s–%(max)s.") % {"age": age, "min": min_age, "max": max_age})
    warnings: tuple[str, ...] = ()
    if number[:6] not in RESIDENCE_PERMIT_AREAS:
        if not _area_known(number[:6], birth.year):
            warnings = (_("The area code %(code)s is not in the known table of divisions: please check it.") % {"code": number[:6]},)
    return IdNumber(number, birth, "M" if int(number[16]) % 2 else "F", number[:6], warnings)


@lru_cache(maxsize=8192)
def _area_known(area: str, year: int) -> bool:
    """Whether stdnum's table has the area code as a county in use in that birth year (it looks at nothing
    else of the number); kept per (area, year) because a roster import asks 100,000 times (issue 12 item 1)."""
    try:
        ric.get_birth_place(f"{area}{year:04d}0101000")
    except Exception:
        return False
    return True


def normalise_phone(value: str) -> str:
    digits = _PHONE_SEPARATORS.sub("", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def validate_phone(value: str) -> str:
    phone = normalise_phone(value)
    if not _PHONE_PATTERN.match(phone):
        raise InvalidIdNumber(_("A mobile number has 11 digits starting with 1."), field_name="phone")
    return phone


def mask_id_number(number: str) -> str:
    if not number:
        return ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)
