"""Score sheets (Excel, openpyxl): a template with the session's candidates, and the import that
checks every row on its own (unknown ticket, name mismatch, bad score, locked result) and records
the valid rows, reporting the others with their row number."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from dte.privacy.spreadsheet import safe_row

from .errors import AssessmentError
from .models import Candidate, ExamSession, ScoreImport

HEADERS = ["准考证号", "姓名", "理论知识成绩", "专业能力成绩"]


def score_template(session: ExamSession) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "成绩"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for c in session.candidates.filter(status__in=[Candidate.Status.ADMITTED, Candidate.Status.SCORED]).select_related(
            "declaration__person").order_by("ticket_number"):
        ws.append(safe_row([c.ticket_number, c.declaration.person.name,
                            None if c.theory_score is None else float(c.theory_score),
                            None if c.practical_score is None else float(c.practical_score)]))
    for col, width in zip("ABCD", (26, 12, 14, 14)):
        ws.column_dimensions[col].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _rows(data: bytes):
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise AssessmentError("无法读取Excel文件，请使用下载的模板（.xlsx）。", code="BAD_FILE") from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(v).strip() if v is not None else "" for v in next(rows, ())]
    if header[:4] != HEADERS:
        raise AssessmentError(f"表头应为：{'、'.join(HEADERS)}", code="BAD_HEADER")
    for index, row in enumerate(rows, start=2):
        values = list(row[:4]) + [None] * (4 - len(row[:4]))
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        yield index, values


def scores_import(score_import: ScoreImport, *, by, progress=None) -> ScoreImport:
    from .services import result_record

    with score_import.source.open("rb") as handle:
        data = handle.read()
    session = score_import.session
    candidates = {c.ticket_number: c for c in session.candidates.select_related("declaration__person", "session__occupation",
                                                                                  "session__centre")}
    rows = list(_rows(data))
    errors, ok = [], 0
    for done, (index, (ticket, name, theory, practical)) in enumerate(rows, start=1):
        ticket = str(ticket or "").strip()
        candidate = candidates.get(ticket)
        try:
            if candidate is None:
                raise AssessmentError("本场次没有该准考证号", code="UNKNOWN_TICKET")
            if str(name or "").strip() != candidate.declaration.person.name:
                raise AssessmentError("姓名与准考证号不符", code="NAME_MISMATCH")
            if theory is None or practical is None:
                raise AssessmentError("两项成绩都要填写", code="MISSING_SCORE")
            result_record(candidate, theory=theory, practical=practical, by=by, source=Candidate.Source.IMPORT)
            ok += 1
        except AssessmentError as error:
            errors.append({"row": index, "ticket": ticket, "message": error.message})
        if progress:
            progress(done, len(rows), f"第{index}行")
    score_import.rows_total, score_import.rows_ok, score_import.errors = len(rows), ok, errors
    score_import.status = ScoreImport.Status.DONE
    score_import.save(update_fields=["rows_total", "rows_ok", "errors", "status"])
    return score_import
