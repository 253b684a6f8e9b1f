"""UX regressions on the audit trail page: before/after shown as readable fields, not raw dicts."""

import pytest

from dte.audit.services import audit_record
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_audit_trail_shows_changes_as_fields_not_python_dicts(client):
    auditor = UserFactory(role=Role.AUDITOR)
    audit_record("tests.change", before={"status": "draft", "ok": False}, after={"status": "approved", "reasons": ["a", "b"]},
                 division_code=auditor.organisation.division_id, organisation_id=auditor.organisation_id)
    client.force_login(auditor)
    response = client.get("/audit/?action=tests.")
    body = response.content.decode()
    assert response.status_code == 200
    assert "tests.change" in body
    assert "{&#x27;status&#x27;" not in body and "{'status'" not in body
    assert "<dt>status</dt><dd>draft</dd>" in body and "<dd>approved</dd>" in body and "<dd>a, b</dd>" in body
    assert 'class="table-scroll"' in body and "<title>" in body and 'href="/"' in body
