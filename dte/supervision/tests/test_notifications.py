"""The deadline monitor and reminders: every clock in one place, never notified twice."""

from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from dte.organisations.tests.factories import UserFactory
from dte.supervision.clocks import clocks_for
from dte.supervision.models import Notification
from dte.supervision.services.complaints import complaint_submit
from dte.workdays.services import calendar_seed_from_package
from dte.supervision.services.notifications import notifications_send, notifications_unread

from .factories import world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    calendar_seed_from_package()


def test_complaint_clock_shows_up_and_reminders_go_once_per_stage():
    w = world()
    officer_user = w["province"]
    officer_user.email = "officer@example.gov.cn"
    officer_user.save()
    complaint = complaint_submit(category="fees", summary="收取了额外的资料费五百元。", channel="public",
                                 institution=w["taiyuan"], received_on=date(2025, 9, 26))
    clocks = clocks_for(officer_user, date(2025, 10, 20))
    mine = [c for c in clocks if c.key == f"supervision.complaint:{complaint.pk}"]
    assert mine and mine[0].due_on == date(2025, 10, 23) and mine[0].state(date(2025, 10, 20)) == "due_soon"
    assert notifications_send(date(2025, 10, 20), users=[officer_user]) == 1
    assert notifications_send(date(2025, 10, 21), users=[officer_user]) == 0  # same stage: not again
    assert notifications_send(date(2025, 10, 23), users=[officer_user]) == 1  # due today
    assert notifications_send(date(2025, 10, 24), users=[officer_user]) == 1  # overdue, once
    assert notifications_send(date(2025, 10, 30), users=[officer_user]) == 0
    assert Notification.objects.filter(user=officer_user).count() == 3
    assert len(mail.outbox) == 3 and complaint.tracking_code in mail.outbox[0].subject
    assert notifications_unread(officer_user) == 3
    # the count's SQL is written once (issue 12 item 4): the queryset's rows, read ones and other users' left out
    Notification.objects.filter(pk=Notification.objects.filter(user=officer_user).first().pk).update(
        read_at=timezone.now())
    Notification.objects.create(user=UserFactory(), event="other", stage="due", title="another user's")
    assert notifications_unread(officer_user) == 2


def test_the_monitor_page_and_the_bell(client):
    w = world()
    complaint_submit(category="fees", summary="收取了额外的资料费五百元。", channel="public", institution=w["taiyuan"],
                     received_on=date(2025, 1, 2))
    assert notifications_send(users=[w["province"]]) == 1  # long overdue
    client.force_login(w["province"])
    page = client.get("/supervision/monitor/").content.decode()
    assert "TS" in page
    bell = client.get("/supervision/notifications/")
    assert bell.status_code == 200
    n = Notification.objects.get(user=w["province"])
    response = client.post("/supervision/notifications/", {"id": n.pk})
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None
