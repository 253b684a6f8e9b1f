"""The title-recognition letter (职称贯通告知函), A4 portrait, reportlab with the CID font STSong-Light.
Rendered on request from the recorded recognitions (deterministic bytes for the same facts)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from dte.credentials.pdf import FONT, cjk_font, wrap
from dte.policy.occupations import LEVEL_NAMES

STATUS_WORDS = {"recognised": "认定", "may_apply": "可直接申报评审", "reference": "申报评审的重要参考", "excluded": "不适用直接认定",
                "withdrawn": "已撤回"}




def letter_facts(certificate, recognitions, pack_name: str) -> dict:
    person = certificate.person
    level = LEVEL_NAMES.get(certificate.level, certificate.level)
    direction = f"（{certificate.direction}）" if certificate.direction else ""
    return {
        "province": pack_name,
        "name": person.name,
        "id_masked": person.masked_id_number,
        "number": certificate.number,
        "intro": (f"{person.name}：你于{certificate.issued_on:%Y年%m月%d日}取得{certificate.issuer_name}颁发的"
                  f"{certificate.occupation.name}{direction}{level}专业技术等级证书（证书编号{certificate.number}）。"
                  "依据本省（区、市）数字技术工程师培育项目实施方案，该证书贯通专业技术职称的情况告知如下："),
        "rows": [(r.title, STATUS_WORDS.get(r.status, r.status), r.message.replace(f"（{r.citation}）", ""), r.citation)
                 for r in recognitions],
        "date": max(r.recognised_on for r in recognitions).strftime("%Y年%m月%d日"),
        "verify_url": (certificate.snapshot or {}).get("verify_url", ""),
    }


def letter_pdf(facts: dict) -> bytes:
    font = cjk_font()
    buffer = io.BytesIO()
    width, height = A4
    left, right = 25 * mm, width - 25 * mm
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    c.setTitle(f"职称贯通告知函 {facts['number']}")
    c.setAuthor("数字技术工程师培育平台")
    c.setFont(font, 11)
    c.setFillColorRGB(0.4, 0.4, 0.4)
    c.drawString(left, height - 20 * mm, f"{facts['province']} · 数字技术工程师培育项目")
    c.drawRightString(right, height - 20 * mm, f"证书编号 {facts['number']}")
    c.setStrokeColorRGB(0.7, 0.15, 0.12)
    c.setLineWidth(1.5)
    c.line(left, height - 24 * mm, right, height - 24 * mm)
    c.setFillColorRGB(0.7, 0.15, 0.12)
    c.setFont(font, 22)
    c.drawCentredString(width / 2, height - 42 * mm, "职称贯通告知函")
    c.setFillColorRGB(0, 0, 0)
    y = height - 58 * mm
    c.setFont(font, 12.5)
    for line in wrap(facts["intro"], 12.5, right - left):
        c.drawString(left, y, line)
        y -= 7.5 * mm
    y -= 4 * mm
    for index, (title, status, message, citation) in enumerate(facts["rows"], start=1):
        c.setFont(font, 13)
        c.drawString(left, y, f"{index}. {title}（{status}）")
        y -= 7 * mm
        c.setFont(font, 11.5)
        for line in wrap(message, 11.5, right - left - 8 * mm):
            c.drawString(left + 8 * mm, y, line)
            y -= 6.5 * mm
        c.setFillColorRGB(0.35, 0.35, 0.35)
        for line in wrap(f"依据：{citation}", 10.5, right - left - 8 * mm):
            c.setFont(font, 10.5)
            c.drawString(left + 8 * mm, y, line)
            y -= 6 * mm
        c.setFillColorRGB(0, 0, 0)
        y -= 4 * mm
    c.setFont(font, 11)
    c.setFillColorRGB(0.3, 0.3, 0.3)
    notes = [f"持证人：{facts['name']}（身份证号 {facts['id_masked']}）",
             "本函由数字技术工程师培育平台依据专业技术等级证书数据生成；证书状态以平台公开核验结果为准"
             + (f"（{facts['verify_url']}）。" if facts.get("verify_url") else "。"),
             "证书被撤销或暂停的，本函所述认定同时撤回。"]
    y = max(y - 6 * mm, 60 * mm)
    for note in notes:
        for line in wrap(note, 11, right - left):
            c.drawString(left, y, line)
            y -= 6.5 * mm
    c.setFillColorRGB(0, 0, 0)
    c.setFont(font, 12.5)
    c.drawRightString(right, 40 * mm, "数字技术工程师培育平台")
    c.drawRightString(right, 32 * mm, facts["date"])
    c.showPage()
    c.save()
    return buffer.getvalue()
