"""A learning platform pushes online study time with a bearer token, scoped as its user."""

import json

import pytest
from django.core.management import call_command
from django.test import Client

from dte.organisations.tokens import ApiToken, api_token_create, api_token_revoke
from dte.training.models import Attendance, Session
from dte.training.tests.factories import SessionFactory, staff, trainee

pytestmark = pytest.mark.django_db


def push(token: str, session, enrolment, minutes=90):
    return Client().post(
        f"/api/training/sessions/{session.pk}/online-time",
        json.dumps({"entries": [{"enrolment_id": enrolment.pk, "minutes": minutes}]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_token_acts_as_its_user_without_a_session_or_csrf():
    session = SessionFactory(delivery=Session.Delivery.ONLINE)
    enrolment = trainee(session.training_class)
    record, clear = api_token_create(staff(session.training_class.institution), "学习平台")
    assert clear.startswith("dte_") and clear not in record.digest
    assert push(clear, session, enrolment).status_code == 200
    assert Attendance.objects.get(session=session, enrolment=enrolment).online_minutes == 90
    record.refresh_from_db()
    assert record.last_used_at is not None


def test_other_institutions_token_and_bad_or_revoked_tokens_are_refused():
    session = SessionFactory(delivery=Session.Delivery.ONLINE)
    enrolment = trainee(session.training_class)
    _, foreign = api_token_create(staff(SessionFactory().training_class.institution), "别家平台")
    assert push(foreign, session, enrolment).status_code == 404  # not even visible
    assert push("dte_not-a-token", session, enrolment).status_code == 401
    record, clear = api_token_create(staff(session.training_class.institution), "学习平台")
    api_token_revoke(record)
    assert push(clear, session, enrolment).status_code == 401


def test_command_prints_the_token_once(capsys):
    from dte.organisations.tests.factories import UserFactory

    user = UserFactory(username="platform-bot")
    call_command("token", "create", "platform-bot", "平台对接")
    out = capsys.readouterr().out
    clear = out.split(": ", 1)[1].split()[0]
    assert ApiToken.objects.get(user=user).digest not in out and clear.startswith("dte_")


def test_command_creates_a_read_only_token_for_chosen_groups(capsys):
    from dte.organisations.tests.factories import UserFactory

    user = UserFactory(username="reader-bot")
    call_command("token", "create", "reader-bot", "只读", "--read-only", "--groups", "training,registry")
    token = ApiToken.objects.get(user=user)
    assert (token.access, token.groups) == ("read", ["registry", "training"])
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("token", "create", "reader-bot", "x", "--groups", "nonsense")
