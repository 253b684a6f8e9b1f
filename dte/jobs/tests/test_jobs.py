import pytest

from dte.jobs.models import Job
from dte.jobs.registry import job_handler
from dte.jobs.services import job_run, job_start
from dte.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@job_handler("tests.count")
def count_to(job, progress):
    total = job.params["n"]
    for i in range(1, total + 1):
        progress(i, total, f"step {i}", force=True)
    return {"counted": total}


@job_handler("tests.fail")
def fail(job, progress):
    progress(1, 2, "half", force=True)
    raise ValueError("第2行：身份证号码校验位错误")


def test_job_runs_after_commit_with_progress(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start("tests.count", params={"n": 7}, user=user)
        assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED  # nothing runs before commit
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (7, 7, 100)
    assert job.result == {"counted": 7}
    assert job.organisation == user.organisation and job.division_code == user.organisation.division_id


def test_failed_job_keeps_its_progress_and_a_clear_message():
    job = Job.objects.create(kind="tests.fail")
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.progress_done == 1 and "校验位" in job.message


def test_unknown_kind_fails_at_start_not_in_the_worker():
    with pytest.raises(LookupError, match="no job handler"):
        job_start("tests.nope")


def test_status_endpoint_is_scoped(client):
    owner, stranger = UserFactory(), UserFactory()
    job = Job.objects.create(kind="tests.count", organisation=owner.organisation, division_code="140100", created_by=owner)
    client.force_login(owner)
    assert client.get(f"/jobs/{job.pk}/status").json()["status"] == "queued"
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    client.force_login(stranger)
    assert client.get(f"/jobs/{job.pk}/status").status_code == 404


def test_every_scheduled_reminder_runs_as_a_job(settings):
    from dte.jobs.tasks import start_scheduled

    scheduled = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "dte.jobs.start_scheduled"]
    for entry in scheduled:
        assert start_scheduled.apply(args=entry["args"]).get() == Job.Status.SUCCEEDED
    assert Job.objects.filter(status=Job.Status.SUCCEEDED).count() == len(scheduled)
