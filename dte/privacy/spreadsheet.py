"""Spreadsheet cells that cannot run as formulas (CSV/formula injection, OWASP "CSV Injection").

A text cell that starts with =, +, -, @, a tab or a carriage return is read by Excel/WPS as a formula
(openpyxl even writes such strings as formulas). Every export passes its cells through `excel_safe`
(or appends rows with `safe_row`): the text is kept, prefixed with an apostrophe, so it shows as text.
Numbers, dates and booleans pass unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    # excel_safe inlined: a roster's result sheet passes 700,000 cells through here (issue 12 item 1)
    return ["'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in values]
