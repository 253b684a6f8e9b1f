"""API contract test (issue 8, "Done when"): schemathesis reads /api/openapi.json from the Django WSGI app and
sends property-based requests to EVERY operation of the whole schema — reads and writes, of every router, including
routers added later — authenticated as an institution (training staff, by API token: no CSRF) and as a province
officer (browser session cookie plus CSRF token).

Checked for every response: no server error (5xx), the status code is one the operation documents (every operation
documents the shared error statuses, dte/api_errors.py), the content type and the body conform to the schema. Writes
run inside the test's transaction and are rolled back. Bounded: a few examples per operation and mode, so the whole
file runs in well under 3 minutes on 2 cores (measured in the report)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division
from dte.organisations.tokens import api_token_create

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 2}
ROLES = ["institution", "officer"]

# Found by this test: an unbounded `page` made (page - 1) * page_size overflow the database's OFFSET (500).
# Fixed by dte.web.pagination; test_page_overflow_is_not_a_server_error keeps it fixed.
PAGE_OVERFLOW = 9223372036854775807  # 2**63 - 1
PAGINATED_OPERATIONS = [
    "GET /api/registry/applications", "GET /api/registry/quotas", "GET /api/registry/filings",
    "GET /api/registry/people", "GET /api/registry/public/announcements", "GET /api/catalogue/listings",
]


def _caller(role: str) -> dict[str, dict[str, str]]:
    """Cookies and headers a client of this role sends."""
    if role == "institution":
        institution = OrganisationFactory(name="太原理工大学", kind=Organisation.Kind.TRAINING_INSTITUTION,
                                          division=division("140100", "太原市"))
        staff = UserFactory(username="contract_institution", role=Role.TRAINING_STAFF, organisation=institution)
        _, clear = api_token_create(staff, "contract test")
        return {"cookies": {}, "headers": {"Authorization": f"Bearer {clear}"}}
    bureau = OrganisationFactory(name="山西省人力资源和社会保障厅", kind=Organisation.Kind.BUREAU, division=division("140000", "山西省"))
    officer = UserFactory(username="contract_officer", role=Role.PROVINCE_OFFICER, organisation=bureau)
    client = Client()
    client.force_login(officer)
    csrf = get_random_string(32)  # a CSRF secret: the session auth checks cookie against header on writes
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}, "headers": {"X-CSRFToken": csrf}}


def _labels() -> list[str]:
    """Collected without a request or the database: the same NinjaAPI object that serves /api/openapi.json."""
    from dte.api import api

    paths = api.get_openapi_schema()["paths"]
    return sorted(f"{method.upper()} {path}" for path, methods in paths.items() for method in methods)


@pytest.fixture
def api_schema(db):
    # As Django's test Client does: a request through the real WSGI handler must not close the test's
    # connection at request end (on PostgreSQL that would drop the test transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_openapi_covers_the_whole_api(api_schema):
    labels = {operation.label for operation in (result.ok() for result in api_schema.get_all_operations())}
    assert labels == set(_labels())
    assert {"POST /api/policy/quote", "GET /api/policy/packs", "POST /api/training/sessions/{session_id}/online-time"} <= labels
    assert any(label.startswith(("POST ", "PATCH ", "PUT ", "DELETE ")) for label in labels)


def test_anonymous_calls_are_refused(api_schema):
    response = api_schema["/api/policy/packs"]["GET"].Case().call()
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", _labels())
def test_api_contract(api_schema, role, label):
    method, path = label.split(" ", 1)
    operation = api_schema[path][method]
    caller = _caller(role)

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        @settings(max_examples=MAX_EXAMPLES[mode], deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case):
            # the schema declares both credentials (session cookie, bearer token) as parameters: generated
            # values would replace the caller's own (a request with a bearer header is judged by its token alone)
            case.cookies = {**(case.cookies or {}), **caller["cookies"]}
            case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
            response = case.call_and_validate(headers=caller["headers"], checks=CHECKS)
            assert response.status_code != 401, "the session or token must authenticate every call"
            if response.status_code == 403:
                assert "CSRF" not in response.text, "the CSRF token must be accepted"

        try:
            call()
        except Unsatisfiable:
            # no parameter or body to make invalid (e.g. GET /api/credentials/keys): negative mode has nothing to send
            assert mode is GenerationMode.NEGATIVE, f"{label}: no valid request can be generated"


@pytest.mark.parametrize("label", PAGINATED_OPERATIONS)
def test_page_overflow_is_not_a_server_error(api_schema, label):
    caller = _caller("officer")
    method, path = label.split(" ", 1)
    case = api_schema[path][method].Case(query={"page": PAGE_OVERFLOW}, cookies=caller["cookies"])
    response = case.call()
    assert response.status_code in (400, 422), response.status_code
