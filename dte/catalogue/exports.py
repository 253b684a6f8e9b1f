"""The institution catalogue as an Excel workbook with an official layout."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from dte.privacy.spreadsheet import excel_safe

from .selectors import coverage_summary

HEADERS = ["序号", "省份", "机构名称", "所在地区", "目录类型", "状态", "状态日期", "纳入批次", "纳入文件", "纳入日期", "职业及等级"]
WIDTHS = [6, 14, 30, 16, 12, 10, 12, 26, 26, 12, 60]


def listings_workbook(listings, *, title: str = "数字技术工程师培育项目机构目录", today: date | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "机构目录"
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last = get_column_letter(len(HEADERS))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = title
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = f"导出日期：{(today or date.today()).isoformat()}"
    ws["A2"].alignment = Alignment(horizontal="right")
    for col, (header, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = ws.cell(row=3, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F0F4F8")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = width
    for number, listing in enumerate(listings, start=1):
        values = [
            number, listing.province.name, listing.organisation.name, listing.organisation.division.name,
            listing.get_kind_display(), listing.get_status_display(), listing.status_changed_on, listing.batch,
            listing.document, listing.listed_on, coverage_summary(listing),
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=3 + number, column=col, value=excel_safe(str(value)) if value is not None and col not in (1,) else value)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
