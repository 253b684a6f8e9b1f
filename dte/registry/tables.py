"""List pages: one way to paginate, filter and export a scoped queryset to Excel."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from openpyxl import Workbook

from dte.privacy.spreadsheet import safe_row

@dataclass(frozen=True)
class Column:
    header: str
    value: Callable  # obj -> str
    link: Callable | None = None  # obj -> url


def export_xlsx(filename: str, columns: list[Column], rows) -> HttpResponse:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("export")
    ws.append(safe_row([str(c.header) for c in columns]))
    for obj in rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") else rows:
        ws.append(safe_row([_cell(c.value(obj)) for c in columns]))
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _cell(value):
    return "" if value is None else (value if isinstance(value, (int, float)) else str(value))


def list_page(request, *, title, queryset, columns: list[Column], filters=(), export_name="export", actions=(),
              extra=None, per_page=50):
    """filters: [(param, label, [(value, text), ...] or None for a text box)]."""
    if request.GET.get("export") == "xlsx":
        return export_xlsx(export_name, columns, queryset)
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    rows = [[(_cell(c.value(obj)), c.link(obj) if c.link else None) for c in columns] for obj in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "registry/list.html", {
        "title": title, "headers": [c.header for c in columns], "rows": rows, "page": page, "filters": [
            {"name": name, "label": label, "choices": choices, "value": request.GET.get(name, "")}
            for name, label, choices in filters
        ], "query": query.urlencode(), "actions": actions, **(extra or {}),
    })
