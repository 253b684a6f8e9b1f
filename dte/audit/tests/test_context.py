"""Issue 8, finding 5: reveal events reach the person's auditors; the client IP is not spoofable."""

import pytest
from django.test import RequestFactory

from dte.audit.middleware import client_ip
from dte.audit.models import AuditEvent
from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division
from dte.privacy.services import personal_data_reveal
from dte.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_reveal_is_visible_to_the_auditors_of_the_persons_jurisdiction(client):
    """A Tianjin institution reveals the phone of a Shanxi person it registered: Shanxi's auditor sees it."""
    tianjin_institution = OrganisationFactory(division=division("120100"))
    person = PersonFactory(division=division("140105"), registered_by=tianjin_institution)
    staff = UserFactory(role=Role.TRAINING_STAFF, organisation=tianjin_institution)
    personal_data_reveal(staff, person, "phone")
    event = AuditEvent.objects.get(action="personal_data.reveal")
    assert event.division_code == "140105" and event.organisation_id == tianjin_institution.pk
    shanxi_bureau = OrganisationFactory(kind=Organisation.Kind.BUREAU, division=division("140000"))
    client.force_login(UserFactory(role=Role.AUDITOR, organisation=shanxi_bureau))
    assert "personal_data.reveal" in client.get("/audit/?action=personal_data").content.decode()
    yunnan_bureau = OrganisationFactory(kind=Organisation.Kind.BUREAU, division=division("530000"))
    client.force_login(UserFactory(role=Role.AUDITOR, organisation=yunnan_bureau))
    assert "personal_data.reveal" not in client.get("/audit/?action=personal_data").content.decode()


def test_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.DTE_TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert client_ip(request) == "198.51.100.7"


def test_forwarded_for_is_read_behind_a_trusted_proxy(settings):
    settings.DTE_TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.10"]
    spoofed_then_real = "203.0.113.1, 198.51.100.99, 10.1.2.3"  # client-supplied, real client, inner proxy
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=spoofed_then_real)
    assert client_ip(request) == "198.51.100.99"
    direct = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert client_ip(direct) == "198.51.100.7"  # not from a proxy: header ignored
    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(garbage) == "10.0.0.1"


def test_a_spoofed_header_does_not_reach_the_audit_trail(client, settings):
    settings.DTE_TRUSTED_PROXIES = []
    user = UserFactory(role=Role.TRAINING_STAFF)
    client.force_login(user)
    client.post("/organisations/tokens/", {"name": "x", "access": "read", "groups": ["policy"]},
                REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert AuditEvent.objects.get(action="organisations.api_token.create").ip == "198.51.100.7"
