"""The job really travels through Celery and Redis to a worker (skipped without Redis)."""

import socket
import time
import uuid

import pytest

from dte.celery_app import app
from dte.jobs.models import Job
from dte.jobs.services import job_start

from .test_jobs import count_to  # noqa: F401  (registers the "tests.count" handler)

REDIS = ("127.0.0.1", 6379)


def forget_connections() -> None:
    """Celery caches its broker connection pools on first use; earlier (eager) tests may
    have created them for the in-memory broker."""
    app._pool = None
    app.amqp._producer_pool = None


def redis_available() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_job_runs_on_a_worker_through_redis():
    from celery.contrib.testing.worker import start_worker

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "result_backend", "task_default_queue")}
    # A queue of our own, so that test runs in parallel never take each other's tasks.
    app.conf.update(broker_url="redis://127.0.0.1:6379/15", task_always_eager=False, result_backend=None,
                    task_default_queue=f"dte-test-{uuid.uuid4().hex}")
    forget_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            job = job_start("tests.count", params={"n": 3})
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                job.refresh_from_db()
                if job.is_finished:
                    break
                time.sleep(0.1)
    finally:
        app.conf.update(saved)
        forget_connections()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result == {"counted": 3}
