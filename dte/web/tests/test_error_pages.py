"""Issue 13 item 17: a wrong address gets the platform's own page (in Chinese), never Django's debug page
listing every URL pattern; `dte setup --url` prints where `make run` serves."""

import io

import pytest
from django.core.management import call_command

from dte.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_unknown_address_gets_the_friendly_404(client):
    client.force_login(UserFactory())
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body and "返回工作台" in body
    assert "URLconf" not in body and "urlpatterns" not in body


def test_setup_prints_the_address_it_was_given(monkeypatch):
    out = io.StringIO()
    call_command("setup", demo_scale=0, url="http://127.0.0.1:8123/", verbosity=0, stdout=out)
    assert "http://127.0.0.1:8123/" in out.getvalue()
