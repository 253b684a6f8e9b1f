"""Issue 8, finding 9: an organisation's staff create, scope and revoke API tokens in the web UI."""

import re

import pytest
from django.test import Client

from dte.audit.models import AuditEvent
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory
from dte.organisations.tokens import ApiToken, api_token_create

pytestmark = pytest.mark.django_db


def test_staff_create_a_scoped_token_shown_once(client):
    user = UserFactory(role=Role.TRAINING_STAFF)
    client.force_login(user)
    page = client.post("/organisations/tokens/", {"name": "学习平台", "access": "read", "groups": ["training"]})
    assert page.status_code == 200
    clear = re.search(r'id="new-token">(dte_[^<]+)<', page.content.decode()).group(1)
    token = ApiToken.objects.get(user=user)
    assert (token.access, token.groups, token.created_by) == ("read", ["training"], user)
    assert clear not in client.get("/organisations/tokens/").content.decode()  # never shown again
    assert Client().get("/api/training/classes/1/sessions", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code != 401
    assert Client().get("/api/policy/packs", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code == 403
    event = AuditEvent.objects.get(action="organisations.api_token.create")
    assert event.actor_id == user.pk and event.after["groups"] == ["training"] and clear not in str(event.after)


def test_a_colleague_revokes_and_other_organisations_cannot(client):
    organisation = OrganisationFactory()
    creator = UserFactory(role=Role.TRAINING_STAFF, organisation=organisation)
    colleague = UserFactory(role=Role.TRAINING_STAFF, organisation=organisation)
    outsider = UserFactory(role=Role.TRAINING_STAFF)
    token, clear = api_token_create(creator, "对接系统甲", groups=["training"], created_by=creator)
    client.force_login(outsider)
    assert "对接系统甲" not in client.get("/organisations/tokens/").content.decode()
    assert client.post(f"/organisations/tokens/{token.pk}/revoke").status_code == 404
    client.force_login(colleague)
    assert "对接系统甲" in client.get("/organisations/tokens/").content.decode()
    assert client.post(f"/organisations/tokens/{token.pk}/revoke").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/policy/packs", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code == 401
    assert AuditEvent.objects.filter(action="organisations.api_token.revoke", actor=colleague).exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.THIRD_PARTY_EVALUATOR, Role.TRAINEE])
def test_read_only_roles_and_trainees_cannot_manage_tokens(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get("/organisations/tokens/").status_code == 403
    assert client.post("/organisations/tokens/", {"name": "x", "access": "write", "groups": ["training"]}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_token_needs_a_group_and_the_page_is_in_chinese(client):
    client.force_login(UserFactory(role=Role.EVALUATION_STAFF))
    page = client.post("/organisations/tokens/", {"name": "x", "access": "write"})
    assert page.status_code == 200 and not ApiToken.objects.exists()
    body = client.get("/organisations/tokens/").content.decode()
    assert "API 令牌" in body or "API tokens" in body
