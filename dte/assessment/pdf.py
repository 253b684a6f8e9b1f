"""The admission ticket (准考证) PDF: reportlab with STSong-Light and a segno QR code, laid out by
dte.credentials.pdf.render (regions that never overlap; the QR has its own column)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from dte.credentials.pdf import Layout, render

NOTICE = ("请考生携带本准考证和本人有效身份证件，于考核开始前30分钟到达考核点，接受身份核验。"
          "考核分理论知识考试和专业能力考核两部分，两部分成绩均达到合格线方为合格。")


def ticket_url(candidate) -> str:
    """The QR opens the candidate's check-in page for the exam centre's staff (login required)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("assessment:ticket_scan", args=[candidate.ticket_token])


def ticket_layout(candidate) -> tuple[bytes, Layout]:
    s, d = candidate.session, candidate.declaration
    rows = [("准考证号", candidate.ticket_number), ("姓名", d.person.name), ("身份证号", d.person.masked_id_number),
            ("职业", f"{s.occupation.name}（{s.occupation.code}）"), ("方向", d.direction or "—"),
            ("等级", s.get_level_display()),
            ("考核时间", f"{s.date:%Y-%m-%d} {s.start_time:%H:%M}—{s.end_time:%H:%M}"),
            ("考核点", f"{s.centre.name} {s.centre.address}".strip())]
    return render(title="专业技术等级考核准考证", body=NOTICE, rows=rows,
                  footer_right=[s.evaluation_institution.name], footer_left=f"准考证号：{candidate.ticket_number}",
                  verify_url=ticket_url(candidate), author=s.evaluation_institution.name)


def ticket_pdf(candidate) -> bytes:
    return ticket_layout(candidate)[0]
