"""Render a training certificate PDF from its frozen snapshot (reportlab, CID font STSong-Light,
QR code to the public verification URL drawn from segno's module matrix — no image libraries)."""

from __future__ import annotations

import io

import segno
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Wrap CJK text by measured width (no spaces to break on)."""
    lines, current = [], ""
    for char in text:
        if pdfmetrics.stringWidth(current + char, FONT, size) > width:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    return lines


def _qr(c: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    code = segno.make(data, error="m")
    matrix = list(code.matrix)
    quiet = 2
    cells = len(matrix) + 2 * quiet
    cell = size / cells
    c.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                c.rect(x + (col_index + quiet) * cell, y + size - (row_index + quiet + 1) * cell, cell, cell, stroke=0, fill=1)


def certificate_pdf(snapshot: dict) -> bytes:
    font = _font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    c.setTitle(f"{snapshot['title']} {snapshot['number']}")
    c.setAuthor(snapshot["institution"])
    c.setStrokeColorRGB(0.7, 0.15, 0.12)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setFillColorRGB(0.7, 0.15, 0.12)
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 45 * mm, snapshot["title"])
    c.setFillColorRGB(0, 0, 0)
    c.setFont(font, 15)
    y = height - 70 * mm
    for line in _wrap(snapshot["text"], 15, width - 90 * mm):
        c.drawString(35 * mm, y, line)
        y -= 9 * mm
    y -= 4 * mm
    rows = [("姓名", snapshot["name"]), ("身份证号", snapshot["id_masked"]), ("职业", snapshot["occupation"]),
            ("方向", snapshot["direction"] or "—"), ("等级", snapshot["level_label"]),
            ("培训时间", f"{snapshot['start']} 至 {snapshot['end']}"), ("学时", str(snapshot["hours"]))]
    c.setFont(font, 12)
    for label, value in rows:
        c.drawString(35 * mm, y, f"{label}：{value}")
        y -= 7 * mm
    c.setFont(font, 13)
    c.drawRightString(width - 35 * mm, 42 * mm, snapshot["institution"])
    c.drawRightString(width - 35 * mm, 34 * mm, f"发证日期：{snapshot['issued_on']}")
    c.setFont(font, 11)
    c.drawString(35 * mm, 24 * mm, f"证书编号：{snapshot['number']}")
    _qr(c, snapshot["verify_url"], width - 75 * mm, height - 75 * mm, 40 * mm)
    c.setFont(font, 8)
    c.drawCentredString(width - 55 * mm, height - 79 * mm, "扫码查验")
    c.showPage()
    c.save()
    return buffer.getvalue()
