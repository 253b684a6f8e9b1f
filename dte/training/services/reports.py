"""The report of trainee list and training situation to the province within 30 days of completion
(培训结业后30日内将学员名单和培训情况报省人社厅: 晋人社厅发〔2024〕27号 四(一); 藏人社发〔2025〕13号 四(二);
广西通知 三(二)). The deadline comes from the pack's `training_report` deadline."""

from __future__ import annotations

import io
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from dte.privacy.spreadsheet import excel_safe

from dte.audit.services import audit_record
from dte.registry.models import Enrolment

from ..models import CompletionAssessment, TrainingReport
from ..selectors import class_summaries, report_status
from .schedule import TrainingError

COLUMNS = ["序号", "姓名", "身份证号", "学时", "线上占比", "出勤率", "考核结果", "是否结业"]


def _pct(bp: int) -> str:
    return f"{Decimal(bp) / 100:.1f}%"


def report_rows(training_class) -> list[dict]:
    enrolments = list(training_class.enrolments.filter(status__in=[Enrolment.Status.COMPLETED, Enrolment.Status.FAILED])
                      .select_related("person").order_by("person__name", "pk"))
    assessments = {a.enrolment_id: a for a in CompletionAssessment.objects.filter(enrolment__in=enrolments)}
    rows = []
    for index, summary in enumerate(class_summaries(training_class, enrolments), start=1):
        e = summary.enrolment
        a = assessments.get(e.pk)
        rows.append({
            "seq": index, "name": e.person.name, "id_masked": e.person.masked_id_number, "hours": str(summary.hours["total"]),
            "online_share": _pct(summary.online_share_bp), "attendance_rate": _pct(summary.attendance_rate_bp),
            "assessment": (f"{a.score}（{'合格' if a.passed else '不合格'}）" if a else "未考核"),
            "completed": "是" if e.status == Enrolment.Status.COMPLETED else "否",
        })
    return rows


def report_xlsx(training_class, rows: list[dict] | None = None) -> bytes:
    rows = report_rows(training_class) if rows is None else rows
    wb = Workbook()
    ws = wb.active
    ws.title = "学员名单"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws.cell(1, 1, "数字技术工程师培育项目培训学员名单及培训情况").font = Font(size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    tc = training_class
    meta = [("培训机构", tc.institution.name), ("培训班", tc.title),
            ("职业/等级", f"{tc.occupation.name} {tc.direction} {tc.get_level_display()}"),
            ("培训时间", f"{tc.start_date:%Y-%m-%d} 至 {tc.end_date:%Y-%m-%d}")]
    for offset, (label, value) in enumerate(meta, start=2):
        ws.cell(offset, 1, label).font = Font(bold=True)
        ws.merge_cells(start_row=offset, start_column=2, end_row=offset, end_column=len(COLUMNS))
        ws.cell(offset, 2, excel_safe(value))
    header_row = 2 + len(meta)
    for col, title in enumerate(COLUMNS, start=1):
        cell = ws.cell(header_row, col, title)
        cell.font, cell.border = Font(bold=True), border
        cell.alignment = Alignment(horizontal="center")
    keys = ["seq", "name", "id_masked", "hours", "online_share", "attendance_rate", "assessment", "completed"]
    for r, row in enumerate(rows, start=header_row + 1):
        for col, key in enumerate(keys, start=1):
            ws.cell(r, col, excel_safe(row[key])).border = border
    for col, width in zip("ABCDEFGH", (6, 12, 22, 8, 10, 10, 16, 10)):
        ws.column_dimensions[col].width = width
    footer = header_row + len(rows) + 2
    ws.cell(footer, 1, f"填报日期：{timezone.localdate():%Y-%m-%d}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def report_submit(training_class, *, by) -> TrainingReport:
    from dte.organisations.permissions import require_permission

    require_permission(by, "training.report.submit", training_class)
    rows = report_rows(training_class)
    if not rows:
        raise TrainingError(_("Decide completion first."))
    status = report_status(training_class)
    now = timezone.now()
    on_time = status.deadline is None or timezone.localdate(now) <= status.deadline
    report = TrainingReport.objects.create(training_class=training_class, submitted_at=now, submitted_by=by,
                                           deadline=status.deadline, citation=status.citation, rows=rows, on_time=on_time)
    audit_record("training.report.submit", obj=report, after={"rows": len(rows), "deadline": status.deadline, "on_time": on_time},
                 division_code=training_class.division_id, organisation_id=training_class.institution_id)
    return report
