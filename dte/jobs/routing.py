"""Celery routing of the scheduled jobs (CELERY_TASK_ROUTES, settings/base.py).

Beat sends one task, `dte.jobs.start_scheduled(kind)`, for every scheduled job kind; which queue it goes to
depends on the kind (reminders → `notify`, the audit checkpoint → `maintenance`, the talent back-fill → `bulk`),
as each kind declares with `job_handler(..., queue=...)`. Task-name routes (the sweep → `maintenance`) are the
plain dictionary beside this router in the setting. A queue given to `apply_async` explicitly wins over both."""

from __future__ import annotations


def route_task(name, args, kwargs, options, task=None, **kw):
    if name != "dte.jobs.start_scheduled":
        return None
    kind = args[0] if args else (kwargs or {}).get("kind")
    if not kind:
        return None
    from .registry import queue_for

    return {"queue": queue_for(kind)}
