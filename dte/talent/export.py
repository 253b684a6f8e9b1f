"""Excel export of the talent pool (openpyxl): one row per person, ID numbers masked, every text
cell that a spreadsheet would read as a formula (= + - @, tab, CR) neutralised with a leading quote."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from dte.policy.occupations import LEVEL_NAMES
from dte.privacy.spreadsheet import excel_safe

from .selectors import ce_totals_for, entry_counts_for

HEADERS = ["姓名", "身份证号", "所在地", "专业技术等级证书", "职称贯通", "继续教育学时（本年）", "继续教育学时（累计）", "竞赛奖励等记录"]
STATUS_WORDS = {"recognised": "认定", "may_apply": "可申报评审", "reference": "重要参考", "excluded": "不适用"}


safe = excel_safe  # the one shared neutraliser of formula-like text (dte/privacy/spreadsheet.py)


def pool_rows(people: list) -> list[list]:
    year = timezone.localdate().year
    totals, entries = ce_totals_for(people), entry_counts_for(people)
    rows = []
    for p in people:
        certs = "；".join(f"{c.occupation.name}·{LEVEL_NAMES.get(c.level, c.level)}（{c.number}，{c.issued_on:%Y-%m-%d}）"
                         for c in p.level_certificates.all())
        titles = "；".join(f"{r.title}（{STATUS_WORDS.get(r.status, r.status)}）" for r in p.title_recognitions.all())
        by_year = totals.get(p.pk, {})
        rows.append([p.name, p.masked_id_number, p.division.name, certs, titles, float(by_year.get(year, 0)),
                     float(sum(by_year.values())), entries.get(p.pk, 0)])
    return rows


def pool_xlsx(people: list, *, description: str = "") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "人才库"
    ws.cell(1, 1, "数字技术工程师人才库（一人一档）").font = Font(size=14, bold=True)
    ws.cell(2, 1, safe(f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}  {description}"))
    for col, title in enumerate(HEADERS, start=1):
        cell = ws.cell(4, col, title)
        cell.font, cell.alignment = Font(bold=True), Alignment(horizontal="center")
    for r, row in enumerate(pool_rows(people), start=5):
        for col, value in enumerate(row, start=1):
            ws.cell(r, col, safe(value))
    for col, w in zip("ABCDEFGH", (12, 22, 16, 60, 30, 14, 14, 12)):
        ws.column_dimensions[col].width = w
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
