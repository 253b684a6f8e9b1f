"""Issue 8 finding 8: jobs survive a killed worker (late acknowledgement, atomic claim, sweeper with retry
where safe), progress is visible during a long transaction, and an import is committed once."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from dte.celery_app import app
from dte.jobs.models import Job
from dte.jobs.registry import job_handler
from dte.jobs.services import MAX_ATTEMPTS, Progress, job_run, jobs_sweep

pytestmark = pytest.mark.django_db
RUNS: list[int] = []


@job_handler("tests.once")
def once(job, progress):
    RUNS.append(job.pk)
    return {"ok": True}


@job_handler("tests.safe", retry_safe=True)
def safe(job, progress):
    RUNS.append(job.pk)
    return {"ok": True}


def stale_job(kind: str, attempts: int = 1) -> Job:
    long_ago = timezone.now() - timedelta(hours=2)
    return Job.objects.create(kind=kind, status=Job.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago,
                              attempts=attempts)


def test_celery_acknowledges_late_and_requeues_on_a_lost_worker():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_beat_runs_the_sweeper(settings):
    assert any(e["task"] == "dte.jobs.sweep" for e in settings.CELERY_BEAT_SCHEDULE.values())


def test_a_redelivered_task_does_not_run_a_running_job_again():
    RUNS.clear()
    job = Job.objects.create(kind="tests.once", status=Job.Status.RUNNING, started_at=timezone.now())
    job_run(job.pk)
    assert RUNS == [] and Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_sweeper_fails_a_stale_job_that_is_not_safe_to_retry():
    RUNS.clear()
    job, fresh = stale_job("tests.once"), Job.objects.create(kind="tests.once", status=Job.Status.RUNNING,
                                                             started_at=timezone.now(), heartbeat_at=timezone.now())
    assert jobs_sweep() == {"failed": 1, "retried": 0, "requeued": 0}
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "工作进程已停止" in job.message and job.finished_at
    assert Job.objects.get(pk=fresh.pk).status == Job.Status.RUNNING and RUNS == []


def test_sweeper_retries_a_retry_safe_job(django_capture_on_commit_callbacks):
    RUNS.clear()
    job = stale_job("tests.safe")
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_sweep()["retried"] == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and RUNS == [job.pk] and job.attempts == 2


def test_retries_are_bounded():
    job = stale_job("tests.safe", attempts=MAX_ATTEMPTS)
    assert jobs_sweep()["failed"] == 1
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED


def test_sweep_command_resends_lost_queued_jobs(django_capture_on_commit_callbacks):
    RUNS.clear()
    job = Job.objects.create(kind="tests.once")
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("jobs", "sweep", stdout=out)
    assert "1 re-sent" in out.getvalue()
    assert Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED and RUNS == [job.pk]


def test_progress_is_a_heartbeat():
    job = Job.objects.create(kind="tests.once", status=Job.Status.RUNNING)
    Progress(job)(3, 10, "三", force=True)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.message) == (3, 10, "三") and job.heartbeat_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_written_inside_a_transaction_is_visible_at_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs a second PostgreSQL session")
    job = Job.objects.create(kind="tests.once", status=Job.Status.RUNNING)
    seen = []
    with transaction.atomic():
        progress = Progress(job)
        progress(42, 100, "导入中", force=True)

        def read():
            seen.append(Job.objects.values_list("progress_done", flat=True).get(pk=job.pk))
            connections.close_all()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
        progress.close()
    assert seen == [42]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_commits_import_once_and_explain_the_second():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dte.organisations.tests.factories import division
    from dte.registry.errors import RegistryError
    from dte.registry.imports import HEADERS, roster_commit, roster_upload
    from dte.registry.models import Enrolment, Person, RosterImport
    from dte.registry.tests.factories import TrainingClassFactory, id_number, staff

    division("140105")
    klass = TrainingClassFactory()
    user = staff(klass.institution)
    rows = [[f"学员{i}", id_number(), f"1390000{i:04d}", "140105", "毕业生", "2024-06-30"] for i in range(40)]
    text = "\n".join(",".join(r) for r in [HEADERS, *rows])
    roster, _ = roster_upload(institution=klass.institution, training_class=klass, user=user,
                              upload=SimpleUploadedFile("r.csv", text.encode()))
    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.VALIDATED, roster.message
    barrier, outcomes = threading.Barrier(2), []

    def commit():
        try:
            mine = RosterImport.objects.select_related("institution", "training_class").get(pk=roster.pk)
            barrier.wait()
            roster_commit(mine, user=user)
            outcomes.append("ok")
        except RegistryError as error:
            outcomes.append(error.code)
        except Exception as error:  # noqa: BLE001 - a raw database error is the bug under test
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=commit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ALREADY_IMPORTED", "ok"], outcomes
    assert Person.objects.count() == 40 and Enrolment.objects.filter(training_class=klass).count() == 40


def test_abandoned_imports_are_put_back_in_order():
    from dte.registry.models import RosterImport
    from dte.registry.tests.factories import TrainingClassFactory

    klass = TrainingClassFactory()
    validating = RosterImport.objects.create(institution=klass.institution, source="x.csv", source_name="x.csv")
    importing = RosterImport.objects.create(institution=klass.institution, source="y.csv", source_name="y.csv",
                                            status=RosterImport.Status.IMPORTING)
    for kind, roster in (("registry.import_validate", validating), ("registry.import_commit", importing)):
        job = stale_job(kind, attempts=MAX_ATTEMPTS)
        job.params = {"import_id": roster.pk}
        job.save()
    assert jobs_sweep()["failed"] == 2
    validating.refresh_from_db()
    importing.refresh_from_db()
    assert validating.status == RosterImport.Status.FAILED and "校验中断" in validating.message
    assert importing.status == RosterImport.Status.VALIDATED and "可重新导入" in importing.message
