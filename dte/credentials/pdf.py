"""Certificate PDFs (reportlab, CID font STSong-Light, QR from segno's module matrix) with a fixed layout:
the page is cut into regions that never overlap (title band, body column, QR column, footer band), text is
wrapped to its column and shrunk until it fits, and every drawn box is recorded so that tests can prove
that nothing is drawn over the QR code. Used by level certificates and by training certificates
(dte/training/pdf.py) alike."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import segno
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
PAGE = landscape(A4)
MARGIN = 30 * mm
QR_SIZE = 40 * mm
GUTTER = 10 * mm
FOOTER_TOP = 50 * mm  # the footer band (issuer, date, number) lies below this line
TITLE_BASELINE = PAGE[1] - 45 * mm


@dataclass
class Layout:
    """Boxes (x0, y0, x1, y1) in points of everything drawn, by role."""

    text: list[tuple[float, float, float, float]] = field(default_factory=list)
    qr: tuple[float, float, float, float] | None = None

    def overlaps_qr(self) -> bool:
        if self.qr is None:
            return False
        qx0, qy0, qx1, qy1 = self.qr
        return any(x0 < qx1 and qx0 < x1 and y0 < qy1 and qy0 < y1 for x0, y0, x1, y1 in self.text)


def cjk_font() -> str:
    """Register reportlab's built-in CJK font once; every PDF of the platform uses it."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def wrap(text: str, size: float, width: float) -> list[str]:
    """Wrap CJK text by measured width (no spaces to break on)."""
    lines, current = [], ""
    for char in text:
        if current and pdfmetrics.stringWidth(current + char, FONT, size) > width:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    return lines


def _draw(c: canvas.Canvas, layout: Layout, text: str, x: float, y: float, size: float, align: str = "left") -> None:
    c.setFont(FONT, size)
    width = pdfmetrics.stringWidth(text, FONT, size)
    x0 = {"left": x, "right": x - width, "centre": x - width / 2}[align]
    {"left": c.drawString, "right": c.drawRightString, "centre": c.drawCentredString}[align](x, y, text)
    layout.text.append((x0, y - 0.25 * size, x0 + width, y + 0.9 * size))


def _qr(c: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    code = segno.make(data, error="m")
    matrix = list(code.matrix)
    quiet = 2
    cell = size / (len(matrix) + 2 * quiet)
    c.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                c.rect(x + (col_index + quiet) * cell, y + size - (row_index + quiet + 1) * cell, cell, cell, stroke=0, fill=1)


def _body_lines(body: str, rows: list[tuple[str, str]], width: float, top: float) -> tuple[float, float, list, list]:
    """Font sizes (body, rows) and wrapped lines that fit between `top` and the footer band."""
    body_size, row_size = 15.0, 12.0
    while True:
        body_lines = wrap(body, body_size, width)
        row_lines = [line for label, value in rows for line in wrap(f"{label}：{value}", row_size, width)]
        needed = len(body_lines) * body_size * 1.7 + 4 * mm + len(row_lines) * row_size * 1.65
        if top - needed >= FOOTER_TOP + 4 * mm or body_size <= 8:
            return body_size, row_size, body_lines, row_lines
        body_size, row_size = body_size - 0.5, max(7.0, row_size - 0.5)


def render(*, title: str, body: str, rows: list[tuple[str, str]], footer_right: list[str], footer_left: str,
           verify_url: str, author: str) -> tuple[bytes, Layout]:
    font = cjk_font()
    buffer, layout = io.BytesIO(), Layout()
    width, height = PAGE
    c = canvas.Canvas(buffer, pagesize=PAGE, invariant=1)
    c.setTitle(title)
    c.setAuthor(author)
    c.setStrokeColorRGB(0.7, 0.15, 0.12)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setFillColorRGB(0.7, 0.15, 0.12)
    _draw(c, layout, title, width / 2, TITLE_BASELINE, 30, "centre")
    c.setFillColorRGB(0, 0, 0)
    # The QR column: right of the body column, below the title band, above the footer band.
    qr_x = width - MARGIN - QR_SIZE
    qr_y = FOOTER_TOP + 16 * mm
    _qr(c, verify_url, qr_x, qr_y, QR_SIZE)
    layout.qr = (qr_x, qr_y, qr_x + QR_SIZE, qr_y + QR_SIZE)
    _draw(c, layout, "扫码查验", qr_x + QR_SIZE / 2, qr_y - 6 * mm, 9, "centre")
    column = qr_x - GUTTER - MARGIN
    top = TITLE_BASELINE - 20 * mm
    body_size, row_size, body_lines, row_lines = _body_lines(body, rows, column, top)
    y = top
    for line in body_lines:
        _draw(c, layout, line, MARGIN, y, body_size)
        y -= body_size * 1.7
    y -= 4 * mm
    for line in row_lines:
        _draw(c, layout, line, MARGIN, y, row_size)
        y -= row_size * 1.65
    y = FOOTER_TOP - 10 * mm
    for line in footer_right:
        _draw(c, layout, line, width - MARGIN, y, 13, "right")
        y -= 8 * mm
    _draw(c, layout, footer_left, MARGIN, 22 * mm, 11)
    c.showPage()
    c.save()
    return buffer.getvalue(), layout


def level_certificate_layout(snapshot: dict) -> tuple[bytes, Layout]:
    rows = [("姓名", snapshot["holder"]["name"]), ("身份证号", snapshot["holder"]["id_masked"]),
            ("职业", f"{snapshot['occupation']['name']}（{snapshot['occupation']['code']}）"),
            ("方向", snapshot["direction"] or "—"), ("等级", snapshot["level_label"].split(" ")[0]),
            ("考核日期", snapshot["exam_date"])]
    return render(title=snapshot["title"], body=snapshot["text"], rows=rows,
                  footer_right=[snapshot["issuer"]["name"], f"发证日期：{snapshot['issued_on']}"],
                  footer_left=f"证书编号：{snapshot['number']}", verify_url=snapshot["verify_url"],
                  author=snapshot["issuer"]["name"])


def level_certificate_pdf(snapshot: dict) -> bytes:
    return level_certificate_layout(snapshot)[0]
