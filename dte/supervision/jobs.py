"""Background jobs of supervision: the daily deadline reminders (Celery beat)."""

from __future__ import annotations

from datetime import date

from dte.jobs.registry import NOTIFY, job_handler

from .services.notifications import notifications_send


@job_handler("supervision.notify_deadlines", queue=NOTIFY)
def notify_deadlines(job, progress) -> dict:
    today = date.fromisoformat(job.params["today"]) if job.params.get("today") else None
    sent = notifications_send(today)
    progress(sent, sent, f"{sent} 条期限提醒", force=True)
    return {"sent": sent}
