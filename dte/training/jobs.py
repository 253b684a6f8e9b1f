"""Daily reminder: 30-day training reports that are due soon or overdue (run by Celery beat)."""

from datetime import date

from django.utils import timezone

from dte.audit.services import audit_record
from dte.jobs.registry import NOTIFY, job_handler
from dte.registry.models import TrainingClass

from .selectors import flagged, reports_pending_among


@job_handler("training.remind_reports", queue=NOTIFY)
def remind_reports(job, progress) -> dict:
    today = date.fromisoformat(job.params["today"]) if job.params.get("today") else timezone.localdate()
    due = flagged(reports_pending_among(TrainingClass.objects.all(), today))
    items = [{"class": r.training_class.pk, "title": r.training_class.title, "institution": r.training_class.institution.name,
              "deadline": r.deadline.isoformat(), "state": r.state, "citation": r.citation} for r in due]
    for report in due:
        if report.state == "overdue":
            audit_record("training.report.overdue", obj=report.training_class, division_code=report.training_class.division_id,
                         organisation_id=report.training_class.institution_id, after={"deadline": report.deadline})
    progress(len(items), len(items), f"{len(items)} 个培训班的培训情况报告临近或超过期限", force=True)
    return {"today": today.isoformat(), "flagged": items}
