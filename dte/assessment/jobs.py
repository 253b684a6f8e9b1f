"""Background jobs of level exams: score-sheet import, and the daily reminder of chain deadlines
(report within 30 days, province decision, issue within 30 days) run by Celery beat."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from dte.audit.services import audit_record
from dte.jobs.registry import NOTIFY, job_handler

from .errors import AssessmentError
from .imports import scores_import
from .models import Candidate, CertificateReport, ExamSession, ScoreImport
from .selectors import DUE_SOON_DAYS, report_due


@job_handler("assessment.import_scores")
def import_scores(job, progress) -> dict:
    score_import = ScoreImport.objects.select_related("session").get(pk=job.params["import_id"])
    try:
        score_import = scores_import(score_import, by=job.created_by, progress=progress)
    except AssessmentError as error:
        ScoreImport.objects.filter(pk=score_import.pk).update(status=ScoreImport.Status.FAILED,
                                                              errors=[{"row": 1, "ticket": "", "message": error.message}])
        raise
    progress(score_import.rows_total, score_import.rows_total,
             f"导入{score_import.rows_ok}行，{len(score_import.errors)}行有误", force=True)
    return {"import_id": score_import.pk, "rows": score_import.rows_total, "ok": score_import.rows_ok,
            "errors": score_import.errors}


def chain_items(today: date) -> list[dict]:
    """Every open chain deadline due within DUE_SOON_DAYS or past, over all provinces."""
    items = []
    sessions = (ExamSession.objects.filter(status=ExamSession.Status.CONFIRMED, reports__isnull=True,
                                           candidates__passed=True, candidates__status=Candidate.Status.CONFIRMED)
                .distinct().select_related("evaluation_institution"))
    for s in sessions:
        due = report_due(s)
        if due:
            items.append({"step": "report", "session": s.pk, "organisation": s.evaluation_institution_id,
                          "division": s.evaluation_institution.division_id, "due": due.date, "citation": due.citation})
    for r in CertificateReport.objects.filter(status__in=["reported", "approved"]).select_related("evaluation_institution"):
        due, cite, step = ((r.confirm_due_on, r.confirm_citation, "confirm") if r.status == "reported"
                           else (r.issue_due_on, r.issue_citation, "issue"))
        if due:
            items.append({"step": step, "report": r.pk, "organisation": r.evaluation_institution_id,
                          "division": r.province_id, "due": due, "citation": cite})
    return [i | {"overdue": i["due"] < today} for i in items if (i["due"] - today).days <= DUE_SOON_DAYS]


@job_handler("assessment.remind_chain", queue=NOTIFY)
def remind_chain(job, progress) -> dict:
    today = date.fromisoformat(job.params["today"]) if job.params.get("today") else timezone.localdate()
    items = chain_items(today)
    for item in items:
        if item["overdue"]:
            audit_record(f"assessment.{item['step']}.overdue", division_code=item["division"], organisation_id=item["organisation"],
                         after={k: str(v) for k, v in item.items()})
    progress(len(items), len(items), f"{len(items)} 项证书数据上报期限临近或逾期", force=True)
    return {"today": today.isoformat(), "flagged": [{k: str(v) if isinstance(v, date) else v for k, v in i.items()} for i in items]}
