from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection
from django.test import override_settings

from dte.audit.models import AuditEvent
from dte.demo.people import make_id_number
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory, division
from dte.privacy import crypto
from dte.privacy.services import personal_data_reveal, personal_data_rotate
from dte.registry.models import Person
from dte.registry.services import DuplicatePerson, person_find_by_id_number, person_register

pytestmark = pytest.mark.django_db

ID = make_id_number("140105", date(2000, 5, 17), 123)
NEW_KEY = "k2:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="


@pytest.fixture
def person():
    division("140105")
    return person_register(name="张三", id_number=ID, phone="13812345678", division_id="140105")


def raw_columns(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_index FROM registry_person WHERE id = %s", [pk])
        return cursor.fetchone()


def test_raw_columns_hold_no_plain_personal_data(person):
    id_column, phone_column, index = raw_columns(person.pk)
    assert ID not in id_column and ID[6:14] not in id_column
    assert "13812345678" not in phone_column and "12345678" not in phone_column
    assert id_column.startswith("v1$k1$") and ID not in index
    assert Person.objects.get(pk=person.pk).id_number == ID


def test_blind_index_finds_and_deduplicates(person):
    assert person_find_by_id_number(ID.lower()) == person
    with pytest.raises(DuplicatePerson) as error:
        person_register(name="张三", id_number=ID, division_id="140105")
    assert error.value.existing == person


def test_tampered_ciphertext_is_refused(person):
    id_column, _, _ = raw_columns(person.pk)
    flipped = id_column[:-2] + ("A" if id_column[-2] != "A" else "B") + id_column[-1]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(flipped, "id_number")
    # a phone ciphertext cannot be replayed as an ID number (purpose is authenticated)
    _, phone_column, _ = raw_columns(person.pk)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(phone_column, "id_number")


def test_key_rotation_re_encrypts_and_keeps_the_index(person):
    from django.conf import settings

    old = settings.DTE_DATA_KEY
    with override_settings(DTE_DATA_KEY=f"{NEW_KEY},{old}"):
        assert personal_data_rotate() == 2
        id_column, phone_column, index = raw_columns(person.pk)
        assert id_column.startswith("v1$k2$") and phone_column.startswith("v1$k2$")
        assert Person.objects.get(pk=person.pk).phone == "13812345678"
        assert person_find_by_id_number(ID) == person
        assert personal_data_rotate() == 0
    with override_settings(DTE_DATA_KEY=old):  # the old key alone can no longer read it
        with pytest.raises(crypto.DecryptionError):
            Person.objects.get(pk=person.pk)


@pytest.mark.parametrize("spec, message", [
    ("nokid", "kid:base64key"),
    ("k1:not-base64!!", "not valid base64"),
    ("k1:QUJD", "32 bytes"),
])
def test_malformed_key_names_the_variable_and_fix(spec, message):
    with override_settings(DTE_DATA_KEY=spec), pytest.raises(ImproperlyConfigured, match=message):
        crypto.encrypt("x", "id_number")


def test_masked_unless_entitled_and_every_reveal_is_logged(person):
    assert person.masked_id_number == ID[:4] + "*" * 10 + ID[-4:]
    assert person.masked_phone == "138****5678"
    officer = UserFactory(role=Role.LOCAL_OFFICER, organisation__division=division("140100"))
    auditor = UserFactory(role=Role.AUDITOR, organisation__division=division("140000"))
    outsider = UserFactory(role=Role.PROVINCE_OFFICER, organisation__division=division("120000"))
    before = AuditEvent.objects.filter(action="personal_data.reveal").count()
    assert personal_data_reveal(officer, person, "id_number") == ID
    assert AuditEvent.objects.filter(action="personal_data.reveal", actor=officer).count() == before + 1
    for user in (auditor, outsider):
        with pytest.raises(PermissionDenied):
            personal_data_reveal(user, person, "id_number")
    assert AuditEvent.objects.filter(action="personal_data.reveal").count() == before + 1


def test_encrypt_many_seals_each_value_like_encrypt():
    values = ["11010519900307001X", "13800138000", "", "张三"]
    tokens = crypto.encrypt_many(values, "phone")
    assert [crypto.decrypt(t, "phone") for t in tokens] == values
    assert all(t.startswith(f"{crypto.PREFIX}${crypto.active_kid()}$") for t in tokens)
    nonces = {t.split("$", 2)[2][:16] for t in tokens}
    assert len(nonces) == len(values)  # a fresh nonce per value
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tokens[0], "id_number")  # the purpose is bound as associated data
    assert crypto.encrypt_many([], "phone") == []


def test_encrypt_and_encrypt_many_make_the_same_token(monkeypatch):
    """One token format (crypto._sealer): with the same nonce the two make the same token, each round-trips,
    and the payload is plain urlsafe base64 of nonce + ciphertext (what decrypt reads)."""
    import base64

    values = ["11010519900307001X", "", "张三", "+/?~" * 20]  # long enough for base64's + and / to appear
    nonces = bytes(range(12 * len(values)))
    monkeypatch.setattr(crypto.os, "urandom", lambda n: nonces[:n])
    many = crypto.encrypt_many(values, "name")
    one_by_one = []
    for i, value in enumerate(values):
        monkeypatch.setattr(crypto.os, "urandom", lambda n, i=i: nonces[12 * i: 12 * i + n])
        one_by_one.append(crypto.encrypt(value, "name"))
    assert many == one_by_one
    assert [crypto.decrypt(t, "name") for t in many] == values
    payload = base64.urlsafe_b64decode(many[0].split("$", 2)[2])
    assert payload[:12] == nonces[:12] and base64.urlsafe_b64encode(payload).decode() == many[0].split("$", 2)[2]
