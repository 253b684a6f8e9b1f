"""`{{ value|mask_personal }}`: masks anything shaped like a mobile or ID number in free text
(older audit records name trainees whose username was their mobile number; issue 8 finding 6)."""

import re

from django import template

from dte.privacy.idnumber import mask_id_number, mask_phone

register = template.Library()

_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
_MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


@register.filter
def mask_personal(value) -> str:
    text = "" if value is None else str(value)
    text = _ID.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
