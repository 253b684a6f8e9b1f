"""Readiness checks (issue 12 item 7): is this process able to serve? Database reachable, every migration
applied, Redis reachable, and how deep the work queues are. Reads only; no personal data leaves here —
counts and names of checks, never rows."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_MIGRATIONS_APPLIED: set[str] = set()  # aliases found fully migrated; migrations are not un-applied at run time


def _timed(check):
    started = time.perf_counter()
    try:
        result = check()
        result.setdefault("ok", True)
    except Exception as error:  # a probe reports the failure, it never raises
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def database_check(alias: str = DEFAULT_DB_ALIAS) -> dict:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connections[alias].vendor}


def migrations_check(alias: str = DEFAULT_DB_ALIAS) -> dict:
    """Unapplied migrations mean this code expects a schema the database does not have yet (deploy order:
    `dte migrate` before the new web processes take traffic). The graph is loaded once per process."""
    if alias in _MIGRATIONS_APPLIED:
        return {"pending": 0}
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return {"ok": False, "pending": len(plan)}
    _MIGRATIONS_APPLIED.add(alias)
    return {"pending": 0}


def _queue_names() -> list[str]:
    """Every queue a task can be sent to: the default one, the declared ones (CELERY_TASK_QUEUES: the four
    of deploy/SCALING.md), those named by dictionary routes (CELERY_TASK_ROUTES is one dictionary or a list
    of routers), and DTE_READY_QUEUES."""
    names = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None) or "celery"}
    names.update(getattr(queue, "name", queue) for queue in getattr(settings, "CELERY_TASK_QUEUES", None) or ())
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or ()
    for router in [routes] if isinstance(routes, dict) else routes:
        if not isinstance(router, dict):
            continue  # a router function: the queues it returns are among the declared ones
        for route in router.values():
            queue = route.get("queue") if isinstance(route, dict) else route
            if isinstance(queue, str) and queue:
                names.add(queue)
    names.update(getattr(settings, "DTE_READY_QUEUES", ()) or ())
    return sorted(names)


def redis_check() -> dict:
    """Redis is the broker and the shared cache. Without REDIS_URL (the embedded `make run`) tasks run
    in-process and there is nothing to reach. Queue depth = messages waiting in each Celery queue."""
    url = getattr(settings, "REDIS_URL", None)
    if not url:
        return {"configured": False}
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
        queues = {name: client.llen(name) for name in _queue_names()}
    finally:
        client.close()
    return {"configured": True, "queues": queues}


def jobs_check() -> dict:
    """Background jobs by state as the database sees them (dte.jobs): queued ones not yet picked up."""
    from django.db.models import Count

    from dte.jobs.models import Job

    waiting = (Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
               .values("status").annotate(n=Count("id")).order_by())
    counts = {row["status"]: row["n"] for row in waiting}
    return {"queued": counts.get(Job.Status.QUEUED, 0), "running": counts.get(Job.Status.RUNNING, 0)}


def readiness() -> dict:
    """All checks; `ready` only when every one passed. The database-dependent checks are skipped (reported
    as not run) when the database itself is unreachable."""
    checks = {"database": _timed(database_check)}
    if checks["database"]["ok"]:
        checks["migrations"] = _timed(migrations_check)
        checks["jobs"] = _timed(jobs_check)
    else:
        checks["migrations"] = {"ok": False, "error": "database unreachable"}
    checks["redis"] = _timed(redis_check)
    return {"status": "ready" if all(check["ok"] for check in checks.values()) else "unavailable", "checks": checks}
