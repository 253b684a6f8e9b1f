"""Starting jobs, running them, and reporting progress."""

from __future__ import annotations

import time
import traceback

from django.db import transaction
from django.utils import timezone

from .models import Job
from .registry import handler_for


class Progress:
    """Writes progress to the job row at most every `interval` seconds."""

    def __init__(self, job: Job, interval: float = 0.5):
        self.job, self.interval, self._last = job, interval, 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        fields = {"progress_done": done, "message": message[:255]}
        if total is not None:
            fields["progress_total"] = total
        Job.objects.filter(pk=self.job.pk).update(**fields)
        for key, value in fields.items():
            setattr(self.job, key, value)


def job_start(kind: str, *, params: dict | None = None, user=None) -> Job:
    """Create a job and queue it once the surrounding transaction commits."""
    from .tasks import run_job

    handler_for(kind)  # fail now, not in the worker, if the kind is unknown
    organisation = getattr(user, "organisation", None) if user is not None else None
    job = Job.objects.create(
        kind=kind,
        params=params or {},
        created_by=user if user is not None and user.is_authenticated else None,
        organisation=organisation,
        division_code=organisation.division_id if organisation else "",
    )
    transaction.on_commit(lambda: run_job.delay(job.pk))
    return job


def job_run(job_id: int) -> Job:
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return job
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    progress = Progress(job)
    try:
        result = handler_for(job.kind)(job, progress)
    except Exception as exc:
        job.status, job.error = Job.Status.FAILED, f"{exc}\n\n{traceback.format_exc(limit=5)}"
        job.message = str(exc)[:255]
    else:
        job.status, job.result = Job.Status.SUCCEEDED, result
        if job.progress_total is not None:
            job.progress_done = job.progress_total
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "message", "result", "progress_done", "finished_at", "result_file"])
    return job
