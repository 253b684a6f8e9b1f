"""Workers per queue (issue 12 item 7, deploy/SCALING.md): each job kind declares its Celery queue; job_start,
the sweeper and beat's routing send it there. Broker-free: what goes where is read from Celery's router and
from the calls to `apply_async`; dte/jobs/tests/test_celery_redis.py proves it through Redis."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dte.celery_app import app
from dte.jobs import tasks
from dte.jobs.models import Job
from dte.jobs.registry import QUEUES, job_handler, queue_for
from dte.jobs.services import jobs_sweep, job_start

from .test_jobs import count_to  # noqa: F401  (registers the "tests.count" handler)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Every run_job message as (job id, queue) instead of running it."""
    messages = []
    monkeypatch.setattr(tasks.run_job, "apply_async",
                        lambda args, queue=None, **options: messages.append((args[0], queue)))
    return messages


def routed(task: str, *args) -> str:
    return app.amqp.router.route({}, task, args, {})["queue"].name


def test_kinds_declare_their_queue():
    assert QUEUES == ("interactive", "bulk", "notify", "maintenance")
    assert queue_for("registry.import_validate") == queue_for("registry.import_commit") == "interactive"
    assert queue_for("assessment.import_scores") == "interactive"
    assert queue_for("policy.simulate") == queue_for("talent.backfill") == "bulk"
    assert queue_for("audit.checkpoint") == "maintenance"
    assert queue_for("registry.remind_overdue") == queue_for("assessment.remind_chain") == "notify"
    assert queue_for("supervision.notify_deadlines") == queue_for("training.remind_reports") == "notify"
    assert queue_for("tests.count") == "interactive"  # a kind that does not say


def test_a_queue_outside_the_four_is_refused_at_registration():
    with pytest.raises(ValueError, match="queue must be one of"):
        job_handler("tests.nowhere", queue="celery")


def test_job_start_sends_each_job_to_its_kinds_queue(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        counting = job_start("tests.count", params={"n": 1})
        simulation = job_start("policy.simulate", params={"province": "shanxi", "population": "demo", "size": 10})
    assert sent == [(counting.pk, "interactive"), (simulation.pk, "bulk")]


def test_the_sweeper_queues_again_on_the_kinds_queue(sent, django_capture_on_commit_callbacks):
    long_ago = timezone.now() - timedelta(hours=2)
    lost = Job.objects.create(kind="policy.simulate")  # its message was lost: still queued
    stalled = Job.objects.create(kind="registry.import_validate", status=Job.Status.RUNNING, attempts=1,
                                 params={"import_id": 0})
    Job.objects.filter(pk__in=[lost.pk, stalled.pk]).update(created_at=long_ago, started_at=long_ago,
                                                             heartbeat_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        counts = jobs_sweep()
    assert counts == {"failed": 0, "retried": 1, "requeued": 1}
    assert sorted(sent) == sorted([(lost.pk, "bulk"), (stalled.pk, "interactive")])


def test_beat_tasks_go_where_celery_task_routes_say(settings):
    assert routed("dte.jobs.sweep") == "maintenance"
    scheduled = {e["args"][0] for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "dte.jobs.start_scheduled"}
    for kind in scheduled:
        assert routed("dte.jobs.start_scheduled", kind) == queue_for(kind), kind
    assert routed("dte.jobs.start_scheduled", "audit.checkpoint") == "maintenance"
    assert {routed("dte.jobs.start_scheduled", kind)
            for kind in ("registry.remind_overdue", "assessment.remind_chain", "supervision.notify_deadlines")} == {"notify"}
    assert routed("dte.jobs.run_job", 1) == "interactive"  # the default queue; job_start always names one
    assert app.amqp.router.route({"queue": "bulk"}, "dte.jobs.run_job", (1,), {})["queue"].name == "bulk"


def test_a_worker_without_q_takes_every_queue():
    assert sorted(app.amqp.queues) == sorted(QUEUES)


def test_the_settings_queues_are_the_registrys(settings):
    """One list of queue names (dte.jobs.registry.QUEUES): the settings declare exactly those, in order."""
    assert [queue.name for queue in settings.CELERY_TASK_QUEUES] == list(QUEUES)
    assert settings.CELERY_TASK_DEFAULT_QUEUE == QUEUES[0] == "interactive"
    assert settings.CELERY_TASK_ROUTES[0]["dte.jobs.sweep"]["queue"] in QUEUES
