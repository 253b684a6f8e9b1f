"""The signed-in user's row from the shared cache (dte/organisations/usercache.py; issue 12 item 2): served
without a database query, and every change of the user — deactivation, password, role, deletion — takes
effect on the very next request."""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from dte.organisations import usercache
from dte.organisations.models import User
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/credentials/level"  # any signed-in API read: 401 for an anonymous caller


@pytest.fixture(autouse=True)
def user_cache():
    cache.clear()
    with override_settings(DTE_USER_CACHE=True):
        yield
    cache.clear()


def user_queries(queries) -> list[str]:
    table = User._meta.db_table
    return [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)  # saves last_login: a tombstone, so the row is cached only once it has expired …
    cache.delete(usercache._key(user.pk))  # … which is now
    return client


def request_of(client):
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(client.session.session_key)
    return request


def test_the_row_is_not_cached_while_the_sign_in_tombstone_lives():
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    client = Client()
    client.force_login(user)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    assert len(user_queries(queries.captured_queries)) == 1


def test_second_request_reads_the_user_from_the_cache():
    client = signed_in(UserFactory(role=Role.TRAINEE, organisation=None))
    assert client.get(URL).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    assert user_queries(queries.captured_queries) == []


def test_deactivation_signs_the_user_out_at_once(django_capture_on_commit_callbacks):
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    client = signed_in(user)
    assert client.get(URL).status_code == 200
    user.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        user.save()
    assert client.get(URL).status_code == 401


def test_password_change_signs_other_sessions_out_at_once():
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    client = signed_in(user)
    assert client.get(URL).status_code == 200
    user.set_password("Another@2026")
    user.save()
    assert client.get(URL).status_code == 401
    assert usercache.get_user(request_of(client)).is_authenticated is False


def test_role_change_is_seen_on_the_next_request():
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    client = signed_in(user)
    assert usercache.get_user(request_of(client)).role == Role.TRAINEE
    user.role = Role.AUDITOR
    user.save(update_fields=["role"])
    assert usercache.get_user(request_of(client)).role == Role.AUDITOR


def test_deleted_user_is_signed_out():
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    client = signed_in(user)
    assert client.get(URL).status_code == 200
    User.objects.filter(pk=user.pk).delete()
    assert client.get(URL).status_code == 401


def test_writes_that_bypass_save_need_user_cache_clear():
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    client = signed_in(user)
    assert client.get(URL).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    usercache.user_cache_clear()
    assert client.get(URL).status_code == 401


def test_a_row_read_before_an_invalidation_is_not_cached_after_it():
    """A request that loaded the old row cannot store it after the change: the tombstone blocks `add`."""
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    usercache.user_cache_invalidate(user.pk)  # the change (its tombstone), racing a request still holding the old row
    stale = usercache._row_of(user)
    assert cache.add(usercache._key(user.pk), (0, stale), usercache.ENTRY_SECONDS) is False
    with CaptureQueriesContext(connection) as queries:
        assert usercache.cached_user(ModelBackend(), user.pk).pk == user.pk
    assert len(user_queries(queries.captured_queries)) == 1  # from the database while the tombstone lives
    assert cache.get(usercache._key(user.pk)) == usercache.TOMBSTONE


def test_an_entry_of_an_older_generation_is_not_used():
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    assert usercache.cached_user(ModelBackend(), user.pk).is_active
    User.objects.filter(pk=user.pk).update(is_active=False)
    usercache.user_cache_clear()
    assert usercache.cached_user(ModelBackend(), user.pk) is None


def test_tampered_session_hash_is_still_refused():
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    client = signed_in(user)
    assert client.get(URL).status_code == 200  # cached now
    session = client.session
    session["_auth_user_hash"] = "0" * 64
    session.save()
    assert client.get(URL).status_code == 401


def test_switched_off_reads_the_database_every_time():
    client = signed_in(UserFactory(role=Role.TRAINEE, organisation=None))
    with override_settings(DTE_USER_CACHE=False):
        client.get(URL)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
    assert len(user_queries(queries.captured_queries)) == 1


def test_the_cache_never_holds_the_password_hash_and_a_cached_user_can_still_change_it():
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    user.set_password("Old-Pass-2026!x")
    user.save()
    client = signed_in(user)
    client.get(URL)  # stores the row
    entry = cache.get(usercache._key(user.pk))
    assert isinstance(entry, tuple)
    assert user.password not in repr(entry)
    assert entry[2] == user.get_session_auth_hash()
    cached = usercache.cached_user(ModelBackend(), user.pk)
    assert "password" in cached.get_deferred_fields()
    assert cached.check_password("Old-Pass-2026!x")  # the deferred column is read from the database on demand


def test_another_secret_key_never_reads_rows_cached_under_the_old_one():
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    key = usercache._key(user.pk)
    usercache._layout.cache_clear()
    try:
        with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
            assert usercache._key(user.pk) != key
    finally:
        usercache._layout.cache_clear()
