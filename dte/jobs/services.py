"""Starting jobs, running them, reporting progress, and sweeping jobs whose worker died.

Reliability (issue 8 finding 8): tasks are acknowledged late and rejected back to the broker when the
worker process is lost (settings CELERY_TASK_ACKS_LATE / CELERY_TASK_REJECT_ON_WORKER_LOST), a job is
claimed atomically (queued → running) so a redelivered task never runs it twice at once, every progress
report is a heartbeat, and `jobs_sweep` (Celery beat and `dte jobs sweep`) fails — or, for retry-safe
kinds, queues again — running jobs whose heartbeat stopped. Progress written from inside a long
transaction goes through a second database connection, so the job page shows it while the work runs.
Every job is sent to the Celery queue its kind declares (registry.QUEUES; deploy/SCALING.md), so a long bulk
job never holds up an import someone waits for.
"""

from __future__ import annotations

import logging
import time
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Job
from .registry import handler_for, kind_options, queue_for

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
PROGRESS_FIELDS = ("progress_done", "progress_total", "message", "heartbeat_at")


class Progress:
    """Writes progress (and the heartbeat) to the job row at most every `interval` seconds."""

    def __init__(self, job: Job, interval: float = 0.5):
        self.job, self.interval, self._last = job, interval, 0.0
        self._side = None

    def __call__(self, done: int, total: int | None = None, message: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        fields = {"progress_done": done, "message": message[:255], "heartbeat_at": timezone.now()}
        if total is not None:
            fields["progress_total"] = total
        self._write(fields)
        for key, value in fields.items():
            setattr(self.job, key, value)

    def _write(self, fields: dict) -> None:
        if not (connection.in_atomic_block and connection.vendor == "postgresql"):
            Job.objects.filter(pk=self.job.pk).update(**fields)
            return
        # inside the handler's transaction: an autocommit side connection makes progress visible now
        if self._side is None:
            self._side = connections.create_connection("default")
        quote = self._side.ops.quote_name
        columns = ", ".join(f"{quote(Job._meta.get_field(name).column)} = %s" for name in fields)
        with self._side.cursor() as cursor:
            cursor.execute(f"UPDATE {quote(Job._meta.db_table)} SET {columns} WHERE {quote('id')} = %s",
                           [*fields.values(), self.job.pk])
            visible = cursor.rowcount
        if not visible:  # the job row itself is not committed yet: only this transaction can see it
            Job.objects.filter(pk=self.job.pk).update(**fields)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def job_queue(job_id: int, kind: str) -> None:
    """Send the job to the Celery queue its kind declares (registry.job_handler(queue=...)); eagerly in-process
    without a broker."""
    from .tasks import run_job

    run_job.apply_async((job_id,), queue=queue_for(kind))


def job_start(kind: str, *, params: dict | None = None, user=None) -> Job:
    """Create a job and queue it, on its kind's queue, once the surrounding transaction commits."""
    handler_for(kind)  # fail now, not in the worker, if the kind is unknown
    organisation = getattr(user, "organisation", None) if user is not None else None
    job = Job.objects.create(
        kind=kind,
        params=params or {},
        created_by=user if user is not None and user.is_authenticated else None,
        organisation=organisation,
        division_code=organisation.division_id if organisation else "",
    )
    transaction.on_commit(lambda: job_queue(job.pk, kind))
    return job


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, DatabaseError):  # never show a raw database error (e.g. "duplicate key") to the user
        return "任务失败：数据库操作未完成，所有更改已撤销；请稍后重试或联系管理员。"
    return str(exc)[:255] or exc.__class__.__name__


def job_run(job_id: int) -> Job:
    """Run a queued job. The claim queued → running is atomic: a task delivered twice (late acknowledgement
    after a lost worker) finds the job running or finished and leaves it to its owner or the sweeper."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1)
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job
    progress = Progress(job)
    try:
        result = handler_for(job.kind)(job, progress)
    except Exception as exc:
        logger.warning("job %s (%s) failed: %s", job.pk, job.kind, exc)
        job.status, job.error = Job.Status.FAILED, f"{exc}\n\n{traceback.format_exc(limit=5)}"
        job.message = _failure_message(exc)
    else:
        job.status, job.result = Job.Status.SUCCEEDED, result
        if job.progress_total is not None:
            job.progress_done = job.progress_total
    finally:
        progress.close()
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "message", "result", "progress_done", "progress_total", "finished_at",
                            "result_file"])
    return job


def stale_after() -> timedelta:
    return timedelta(seconds=settings.DTE_JOB_STALE_SECONDS)


def jobs_sweep(*, now=None) -> dict:
    """Running jobs without a heartbeat for DTE_JOB_STALE_SECONDS lost their worker: retry-safe kinds are
    queued again (up to MAX_ATTEMPTS runs), the others fail with a message. Queued jobs older than that
    (their message was lost) are sent again; the atomic claim makes a duplicate delivery harmless."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    counts = {"failed": 0, "retried": 0, "requeued": 0}
    stale = Job.objects.filter(status=Job.Status.RUNNING).annotate(
        last=Coalesce("heartbeat_at", "started_at", "created_at")).filter(last__lt=cutoff)
    for pk in stale.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update(skip_locked=True).filter(pk=pk, status=Job.Status.RUNNING).first()
            if job is None:
                continue
            options = kind_options(job.kind)
            retrying = options.retry_safe and job.attempts < MAX_ATTEMPTS
            if options.on_abandon is not None:
                options.on_abandon(job, retrying)
            if retrying:
                job.status, job.message = Job.Status.QUEUED, f"工作进程中断，已重新排队（第 {job.attempts + 1} 次运行）"
                job.heartbeat_at = now  # sent now: not "lost" below, so not sent twice in one sweep
                job.save(update_fields=["status", "message", "heartbeat_at"])
                transaction.on_commit(lambda pk=job.pk, kind=job.kind: job_queue(pk, kind))
                counts["retried"] += 1
            else:
                job.status, job.finished_at = Job.Status.FAILED, now
                job.message = "任务中断：处理该任务的工作进程已停止，未完成的更改已撤销；请重新提交。"
                job.error = f"no heartbeat since {(job.heartbeat_at or job.started_at or job.created_at).isoformat()} (attempt {job.attempts}); marked failed by the sweeper"
                job.save(update_fields=["status", "finished_at", "message", "error"])
                counts["failed"] += 1
    lost = Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=cutoff).filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff))
    for pk, kind in lost.order_by("pk").values_list("pk", "kind"):
        Job.objects.filter(pk=pk).update(heartbeat_at=now)
        transaction.on_commit(lambda pk=pk, kind=kind: job_queue(pk, kind))
        counts["requeued"] += 1
    return counts
