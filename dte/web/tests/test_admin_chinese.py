"""Issue 13 item 12 ("English headers in the admin"): the Django admin, read by the system administrator
with the Chinese UI, shows no English source string and no raw code — the index (every app and model
name) and each model's changelist (GET only), checked with the same `ui_text.findings` as the browser
test. Run with the Django test client rather than the browser: about a hundred changelists would not fit
the browser test's time budget, and the admin pages need no JavaScript to show their text."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from dte.organisations.models import User
from dte.web.tests.ui_text import findings, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_zh(client):
    call_command("setup", demo_scale=0, verbosity=0, stdout=open("/dev/null", "w"))
    call_command("demo", scale=1, stdout=open("/dev/null", "w"))
    user = User.objects.get(username="admin")
    assert user.is_superuser
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def _problems(client, url: str, usernames) -> list[str]:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200, (url, response.status_code)
    return sorted(set(findings(visible_text(response.content.decode()), usernames=usernames)))


def test_admin_index_and_every_changelist_show_only_chinese(admin_client_zh):
    usernames = frozenset(User.objects.values_list("username", flat=True))
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    problems = {url: found for url in urls if (found := _problems(admin_client_zh, url, usernames))}
    report = "\n".join(f"{url}: {'; '.join(items[:8])}" for url, items in sorted(problems.items()))
    assert not problems, f"{len(problems)} of {len(urls)} admin pages show English or raw codes:\n{report}"


def test_every_dte_model_and_app_has_a_chinese_name():
    from django.apps import apps

    with translation.override("zh-hans"):
        for config in apps.get_app_configs():
            if config.name.startswith("dte.") or config.label in ("axes", "otp_totp", "otp_static"):
                assert not config.verbose_name.isascii(), config.label
                for model in config.get_models():
                    assert not str(model._meta.verbose_name).isascii(), model._meta.label
                    assert not str(model._meta.verbose_name_plural).isascii(), model._meta.label


def test_device_columns_show_each_device_under_chinese_titles(client):
    """dte/web/admin.py: the device columns (one helper for the five) show the device's own values."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dte.organisations.tests.factories import UserFactory

    owner = UserFactory(username="device_owner")
    TOTPDevice.objects.create(user=owner, name="办公手机", confirmed=True)
    StaticDevice.objects.create(user=owner, name="纸质备用码", confirmed=False)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))  # no device: no MFA step here
    client.cookies["django_language"] = "zh-hans"
    for model, name in ((TOTPDevice, "办公手机"), (StaticDevice, "纸质备用码")):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url + "?o=2", HTTP_ACCEPT_LANGUAGE="zh-CN")
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
        text = visible_text(response.content.decode())
        assert name in text and "device_owner" in text, text
        assert findings(text, usernames=frozenset({"device_owner", "root"})) == []
    with translation.override("zh-hans"):
        assert not str(TOTPDevice._meta.verbose_name).isascii()
        assert not str(StaticDevice._meta.verbose_name_plural).isascii()


def test_the_admin_never_shows_a_devices_secret(client):
    """OTP_ADMIN_HIDE_SENSITIVE_DATA (settings/base.py): whoever holds a TOTP secret can make the codes, so not even
    a system administrator sees one after enrolment (the admin's change page and its QR code view)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dte.organisations.tests.factories import UserFactory

    device = TOTPDevice.objects.create(user=UserFactory(username="device_owner"), name="办公手机", confirmed=True)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert "办公手机" in page
    assert device.key not in page and device.key.upper() not in page
    assert client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk])).status_code in (403, 404)
