"""Issue 8 finding 6: opaque trainee usernames, no phone/ID in clear, no registration oracle."""

from importlib import import_module

import pytest
from django.apps import apps as django_apps

from dte.organisations.models import User
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory, division
from dte.registry.models import Person

from .factories import PersonFactory, id_number

pytestmark = pytest.mark.django_db
PASSWORD = "Kx9#tablet-violet"


def _register(client, number, phone, name="陈同学"):
    return client.post("/registry/public/register/", {
        "name": name, "id_number": number, "phone": phone, "division": "140105", "employment_status": "graduate",
        "password": PASSWORD})


def test_username_is_opaque_and_the_mobile_number_signs_in(client):
    division("140105")
    response = _register(client, id_number("140105"), "13935100009")
    assert response.status_code == 302 and response.url == "/registry/public/registered/"
    person = Person.objects.get(name="陈同学")
    assert person.user.username.startswith("t") and "13935100009" not in person.user.username
    assert "_auth_user_id" not in client.session  # no automatic sign-in (it would tell new from known)
    assert client.post("/login/", {"username": "13935100009", "password": PASSWORD}).status_code == 302
    assert int(client.session["_auth_user_id"]) == person.user_id


def test_registration_answers_the_same_for_known_id_or_phone(client):
    division("140105")
    taken_id = id_number("140105")
    PersonFactory(id_number=taken_id, registered_by=None)
    owner = UserFactory(role=Role.TRAINEE, organisation=None)
    PersonFactory(phone="13935100077", phone_index=__import__("dte.privacy.crypto", fromlist=["x"]).blind_index(
        "13935100077", "phone"), user=owner)
    answers = [_register(client, id_number("140105"), "13935100011", name="新人"),  # new
               _register(client, taken_id, "13935100012"),  # ID already registered
               _register(client, id_number("140105"), "13935100077")]  # phone already has an account
    assert {(r.status_code, r.url) for r in answers} == {(302, "/registry/public/registered/")}
    page = client.get("/registry/public/registered/").content.decode()
    assert "已注册" in page or "registered" in page.lower()
    assert User.objects.filter(role=Role.TRAINEE).count() == 2  # the owner and the one new person


def test_existing_mobile_usernames_are_migrated():
    migration = import_module("dte.web.migrations.0001_opaque_trainee_usernames")
    legacy = UserFactory(username="13935100099", role=Role.TRAINEE, organisation=None)
    staff = UserFactory(username="sx_province", role=Role.PROVINCE_OFFICER)
    migration.opaque_usernames(django_apps, None)
    legacy.refresh_from_db()
    staff.refresh_from_db()
    assert legacy.username.startswith("t") and "13935100099" not in legacy.username
    assert staff.username == "sx_province"


def test_audit_page_masks_mobile_numbers_of_older_records(client):
    from dte.audit.services import audit_record

    audit_record("web.login.locked", after={"username": "13935100088"})
    auditor = UserFactory(role=Role.SYSADMIN, is_superuser=True, is_staff=True)
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    assert "13935100088" not in page and "139****0088" in page
