"""Daily signed checkpoint of the audit chain (scheduled in CELERY_BEAT_SCHEDULE, settings/base.py)."""

from dte.jobs.registry import MAINTENANCE, job_handler

from .checkpoints import checkpoint_create


@job_handler("audit.checkpoint", queue=MAINTENANCE)
def checkpoint(job, progress) -> dict:
    created = checkpoint_create()
    progress(1, 1, f"seq={created.seq}", force=True)
    return {"seq": created.seq, "hash": created.hash, "file": created.path.name}
