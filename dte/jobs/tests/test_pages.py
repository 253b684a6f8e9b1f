"""UX regressions on the job pages: a page title, the workbench link, dates as YYYY-MM-DD."""

import re

import pytest

from dte.jobs.models import Job
from dte.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_job_list_has_title_navigation_and_iso_dates(client):
    owner = UserFactory()
    job = Job.objects.create(kind="tests.count", organisation=owner.organisation, division_code="140100", created_by=owner)
    client.force_login(owner)
    body = client.get("/jobs/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert re.search(r"<title>[^<]+ · [^<]+</title>", body)
    assert 'href="/"' in body and 'href="/jobs/"' in body  # back to the workbench, and the app's list
    assert job.created_at.astimezone().strftime("%Y-%m-%d") in body or re.search(r"<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</td>", body)
    assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日", body)
    detail = client.get(f"/jobs/{job.pk}/").content.decode()
    assert re.search(rf"<title>[^<]+#{job.pk} · ", detail)
