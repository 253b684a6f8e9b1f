"""The dashboard's tables as one Excel workbook: a sheet per table, each with a title row
(what, where, which year) and a header row, numbers as numbers."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dte.privacy.spreadsheet import safe_row

from .selectors import Dashboard


def tables(data: Dashboard) -> list[tuple[str, list[str], list[tuple]]]:
    """(title, headers, rows) for every table the dashboard shows."""
    completion, certificates, attendance, apps = data.completion, data.certificates, data.attendance, data.applications
    rate = attendance["rate"]
    return [
        (_("People registered by prefecture"), [_("Prefecture / city"), _("People")], data.people_by_prefecture),
        (_("Enrolments by occupation and level"), [_("Occupation"), _("Level"), _("Enrolments")], data.enrolments_by_occupation),
        (_("Classes by status"), [_("Status"), _("Classes")], data.classes_by_status),
        (_("Plan quotas by institution"), [_("Institution"), _("Places"), _("Enrolled")], data.quotas_by_institution),
        (_("Class-opening applications"), [_("Figure"), _("Count")], [
            (_("Pending review"), apps["pending"]), (_("Overdue review"), apps["overdue"]),
            (_("Approved"), apps["approved"]), (_("Returned for changes"), apps["returned"]), (_("Rejected"), apps["rejected"])]),
        (_("Completion and certificates"), [_("Figure"), _("Count")], [
            (_("Completion decided"), completion["decided"]), (_("Completed"), completion["completed"]),
            (_("Not completed"), completion["not_completed"]), (_("Certificates issued"), certificates["valid"]),
            (_("Certificates revoked"), certificates["revoked"])]),
        (_("Certificates issued by month"), [_("Month"), _("Certificates")], data.certificates_by_month),
        (_("Attendance"), [_("Figure"), _("Value")], [
            (_("Trainee-sessions held"), attendance["expected"]), (_("Attended (present or late)"), attendance["attended"]),
            (_("Attendance rate (%)"), round(rate * 100, 1) if rate is not None else None)]),
    ]


def dashboard_xlsx(data: Dashboard, scope_label: str) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    year = str(data.year) if data.year else _("All years")
    for index, (title, headers, rows) in enumerate(tables(data), start=1):
        ws = wb.create_sheet(f"{index}")
        ws.append(safe_row([f"{title} · {scope_label} · {year}"]))
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(safe_row([str(h) for h in headers]))
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(safe_row([value if isinstance(value, (int, float)) or value is None else str(value) for value in row]))
        for column in range(1, len(headers) + 1):
            ws.column_dimensions[get_column_letter(column)].width = 36 if column == 1 else 16
        ws.freeze_panes = "A3"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
