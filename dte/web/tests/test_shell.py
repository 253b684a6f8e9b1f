import pytest
from django.core.exceptions import ImproperlyConfigured

from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory
from dte.settings import env

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    assert "登录" in response.content.decode()


def test_english_is_switchable(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)
    body = response.content.decode()
    assert 'lang="en"' in body and "Log in" in body


def test_workbench_requires_login_and_shows_the_role(client):
    assert client.get("/").status_code == 302
    user = UserFactory(role=Role.PROVINCE_OFFICER, password="x")
    client.force_login(user)
    body = client.get("/").content.decode()
    assert "工作台" in body and "省级人社部门" in body


def test_login_with_password(client):
    UserFactory(username="officer1")
    response = client.post("/login/", {"username": "officer1", "password": "Test@12345"})
    assert response.status_code == 302 and response.url == "/"


def test_admin_is_for_system_administrators_only(client):
    client.force_login(UserFactory(role=Role.PROVINCE_OFFICER))
    assert client.get("/admin/").status_code == 302
    admin = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_old_health_address_is_the_liveness_probe():
    """/health/ (the web shell's old probe) is now an alias of /healthz (dte/ops): one liveness view."""
    from django.test import Client
    from django.urls import resolve

    from dte.ops.views import healthz

    assert resolve("/health/").func is healthz
    response = Client().get("/health/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("reader, name, value, message", [
    (lambda: env.env_bool("DEBUG", False), "DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
    (lambda: env.env_int("DTE_IMPORT_MAX_ROWS", 1), "DTE_IMPORT_MAX_ROWS", "lots", "is not an integer"),
    (lambda: env.env_database("DATABASE_URL", "x"), "DATABASE_URL", "localhost/db", "is not a database URL"),
    (lambda: env.env_str("SECRET_KEY", required=True), "SECRET_KEY", "", "SECRET_KEY is not set"),
])
def test_malformed_environment_names_the_variable(monkeypatch, reader, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        reader()


def test_production_refuses_to_start_without_keys(monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("SECRET_KEY", "s" * 60)
    monkeypatch.delenv("DTE_DATA_KEY", raising=False)
    sys.modules.pop("dte.settings.production", None)
    with pytest.raises(ImproperlyConfigured, match="DTE_DATA_KEY"):
        importlib.import_module("dte.settings.production")


@pytest.mark.parametrize("method, path, body, content_type", [
    ("get", "/api/catalogue/standards?province=14%000000", None, None),
    ("post", "/api/policy/quote", '{"province": "shan\\u0000xi"}', "application/json"),
    ("post", "/login/", {"username": "a\x00b", "password": "x"}, None),
])
def test_nul_characters_get_a_clear_400(client, method, path, body, content_type):
    client.force_login(UserFactory(role=Role.PROVINCE_OFFICER))
    kwargs = {"content_type": content_type} if content_type else {}
    response = getattr(client, method)(path, body, **kwargs) if body is not None else client.get(path)
    assert response.status_code == 400
    assert "空字符" in (response.json().get("message") or response.json()["detail"])  # API: the shared error shape


def test_plural_messages_are_translated_too():
    """scripts/i18n.py fills msgstr[0] of plural entries (Chinese has one form): a count on a Chinese page
    never falls back to the English plural."""
    from django.utils import translation

    with translation.override("zh-hans"):
        for n in (1, 3):
            assert translation.ngettext("%(counter)s listing", "%(counter)s listings", n) % {"counter": n} == f"共 {n} 个机构"
