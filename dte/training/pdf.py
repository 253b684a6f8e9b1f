"""Render a training certificate PDF from its frozen snapshot. The layout (regions that never overlap:
the QR code has its own column, never over the body text) is dte.credentials.pdf's, shared with the
level certificate."""

from __future__ import annotations

from dte.credentials.pdf import Layout, render


def certificate_layout(snapshot: dict) -> tuple[bytes, Layout]:
    rows = [("姓名", snapshot["name"]), ("身份证号", snapshot["id_masked"]), ("职业", snapshot["occupation"]),
            ("方向", snapshot["direction"] or "—"), ("等级", snapshot["level_label"]),
            ("培训时间", f"{snapshot['start']} 至 {snapshot['end']}"), ("学时", str(snapshot["hours"]))]
    return render(title=snapshot["title"], body=snapshot["text"], rows=rows,
                  footer_right=[snapshot["institution"], f"发证日期：{snapshot['issued_on']}"],
                  footer_left=f"证书编号：{snapshot['number']}", verify_url=snapshot["verify_url"],
                  author=snapshot["institution"])


def certificate_pdf(snapshot: dict) -> bytes:
    return certificate_layout(snapshot)[0]
