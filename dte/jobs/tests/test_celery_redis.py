"""Jobs really travel through Celery and Redis to a worker, each on its kind's queue (skipped without Redis).

Every test gets Redis keys of its own (kombu's `global_keyprefix`), so parallel runs on the same Redis never
take each other's tasks, while the queues keep their real names (interactive, bulk, notify, maintenance)."""

import ast
import json
import logging
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dte.celery_app import app
from dte.jobs.models import Job
from dte.jobs.services import job_start

from .test_jobs import count_to  # noqa: F401  (registers the "tests.count" handler)

REDIS = ("127.0.0.1", 6379)
BROKER = "redis://127.0.0.1:6379/15"


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


pytestmark = [pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379"),
              pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker():
    """Celery on Redis db 15 under a key prefix of this test's own; yields a function: queue → the task
    names and argument tuples waiting in it, oldest first. Removes its keys afterwards."""
    import redis

    prefix = f"dte-test-{uuid.uuid4().hex}:"
    keys = ("broker_url", "task_always_eager", "result_backend", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=BROKER, task_always_eager=False, result_backend=None,
                    broker_transport_options={"global_keyprefix": prefix})
    forget_connections()
    client = redis.Redis.from_url(BROKER)

    def waiting(queue: str) -> list[tuple[str, str]]:
        messages = [json.loads(raw) for raw in reversed(client.lrange(prefix + queue, 0, -1))]  # LPUSH: newest first
        return [(m["headers"]["task"], tuple(ast.literal_eval(m["headers"]["argsrepr"]))) for m in messages]

    try:
        yield waiting
    finally:
        app.conf.update(saved)
        app.amqp.queues._consume_from = None  # a worker's -Q selection outlives it in this process
        forget_connections()
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)
        client.close()


@contextmanager
def worker(queues: list[str] | None = None):
    """A worker thread taking `queues` (all four without -Q). Celery sets the root logger's level for its
    worker; it is put back afterwards so later tests' INFO logs still reach their handlers."""
    from celery.contrib.testing.worker import start_worker

    root = logging.getLogger()
    level = root.level
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=queues) as started:
            yield started
    finally:
        root.setLevel(level)


class Finished:
    """The jobs a worker has run (Celery's task_postrun signal). Waiting on it, instead of polling the
    database, keeps the test thread off SQLite's in-memory test database while the worker thread writes
    to it ("table is locked")."""

    def __init__(self):
        self.ids: set[int] = set()
        self.condition = threading.Condition()

    def ran(self, sender=None, args=None, **kwargs) -> None:
        if sender is not None and sender.name == "dte.jobs.run_job" and args:
            with self.condition:
                self.ids.add(args[0])
                self.condition.notify_all()

    def wait(self, job: Job, seconds: float = 30) -> Job:
        with self.condition:
            self.condition.wait_for(lambda: job.pk in self.ids, seconds)
        job.refresh_from_db()
        return job


@pytest.fixture
def finished():
    from celery.signals import task_postrun

    watcher = Finished()
    task_postrun.connect(watcher.ran, weak=False)  # before any worker starts: no run is missed
    yield watcher
    task_postrun.disconnect(watcher.ran)


def roster_upload_of_one(django_capture_on_commit_callbacks):
    """A real roster import (registry.import_validate, an interactive kind): one valid row."""
    from dte.organisations.tests.factories import division
    from dte.registry.imports import HEADERS, roster_upload
    from dte.registry.tests.factories import TrainingClassFactory, id_number, staff

    division("140105")  # the trainee's county (no reference data in a transactional test)
    klass = TrainingClassFactory(start_date=date(2024, 9, 2))
    text = ",".join(HEADERS) + "\n" + ",".join(["王一", id_number("140105"), "13900000001", "140105", "毕业生",
                                                 "2024-06-30"]) + "\n"
    with django_capture_on_commit_callbacks(execute=True):
        roster, job = roster_upload(institution=klass.institution, training_class=klass,
                                    upload=SimpleUploadedFile("roster.csv", text.encode("utf-8")),
                                    user=staff(klass.institution))
    return roster, job


def test_job_runs_on_a_worker_through_redis(broker, finished):
    with worker():  # no -Q: every declared queue, like `make worker`
        job = finished.wait(job_start("tests.count", params={"n": 3}))
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result == {"counted": 3}


def test_each_kind_lands_on_its_queue_and_an_interactive_worker_leaves_bulk_waiting(
        broker, finished, django_capture_on_commit_callbacks):
    from dte.registry.models import RosterImport

    with django_capture_on_commit_callbacks(execute=True):
        bulk = job_start("talent.backfill", params={})
    roster, imported = roster_upload_of_one(django_capture_on_commit_callbacks)
    assert broker("bulk") == [("dte.jobs.run_job", (bulk.pk,))]
    assert broker("interactive") == [("dte.jobs.run_job", (imported.pk,))]
    assert broker("notify") == broker("maintenance") == []

    with worker(["interactive"]):
        imported = finished.wait(imported)
        time.sleep(0.5)  # give a wrongly subscribed worker the time to take the bulk job too
    assert imported.status == Job.Status.SUCCEEDED, imported.error
    roster.refresh_from_db()
    assert (roster.status, roster.rows_total, roster.rows_valid) == (RosterImport.Status.VALIDATED, 1, 1), roster.message
    bulk.refresh_from_db()
    assert bulk.status == Job.Status.QUEUED and bulk.started_at is None
    assert broker("bulk") == [("dte.jobs.run_job", (bulk.pk,))] and broker("interactive") == []

    with worker(["bulk"]):
        bulk = finished.wait(bulk)
    assert bulk.status == Job.Status.SUCCEEDED, bulk.error
    assert broker("bulk") == []


def test_beat_tasks_are_routed_by_celery_task_routes(broker):
    """What beat sends (CELERY_BEAT_SCHEDULE) goes where CELERY_TASK_ROUTES says: the sweep and the audit
    checkpoint to maintenance, reminders to notify, the talent back-fill to bulk."""
    from dte.jobs.tasks import start_scheduled, sweep

    sweep.apply_async()
    for kind in ("audit.checkpoint", "registry.remind_overdue", "supervision.notify_deadlines", "talent.backfill"):
        start_scheduled.apply_async(args=[kind])
    assert broker("maintenance") == [("dte.jobs.sweep", ()), ("dte.jobs.start_scheduled", ("audit.checkpoint",))]
    assert broker("notify") == [("dte.jobs.start_scheduled", ("registry.remind_overdue",)),
                                ("dte.jobs.start_scheduled", ("supervision.notify_deadlines",))]
    assert broker("bulk") == [("dte.jobs.start_scheduled", ("talent.backfill",))]
    assert broker("interactive") == []
