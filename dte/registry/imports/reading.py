"""Reading a roster: its rows (dte.registry.import_files enforces the size, row and encoding limits), the
header checked against the template, a cell's value as the text or date the validation reads, and the
RowResult each row becomes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from .. import import_files
from ..errors import RegistryError
from .columns import HEADERS


@dataclass(slots=True)
class RowResult:
    line: int
    values: list
    cells: list = field(default_factory=list)  # the values as the result sheet shows them (_cell), once
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    existing_id: int | None = None
    decision: dict | None = None
    parsed_ok: bool = False  # the row's own checks passed (before the registry is consulted)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(handle, filename: str) -> tuple[int | None, Iterator[list]]:
    """(row count if known, iterator over data rows as lists of cell values); see import_files for the limits."""
    return import_files.read_rows(handle, filename, _check_header)


def _check_header(header) -> None:
    got = [str(h or "").strip() for h in (header or [])][: len(HEADERS)]
    if got != HEADERS:
        raise RegistryError(f"表头应为：{'，'.join(HEADERS)}（请使用下载的模板）。", code="BAD_HEADER")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell(value):
    """A value as the validation reads it and the result sheet shows it: text stripped, dates as they are."""
    return value if isinstance(value, (date, datetime)) else _text(value)


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return _date_text(_text(value))


@lru_cache(maxsize=4096)
def _date_text(text: str) -> date:
    """A date written as text (a roster repeats a few graduation dates: each is read once per process)."""
    parts = text.replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3:
        raise ValueError(text)
    return date(int(parts[0]), int(parts[1]), int(parts[2]))
