"""Issue 8 finding 4: one lockout for every login view, per username and client, growing
cool-off; password validators; TOTP MFA with recovery codes; Content-Security-Policy."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dte.audit.models import AuditEvent
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory
from dte.web.login import cool_off
from dte.web.mfa import recovery_codes_issue

pytestmark = pytest.mark.django_db
GOOD = "Test@12345"


def _post(client, path, username, password, ip):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_lockout_is_per_username_and_client_and_audited(client):
    UserFactory(username="officer2")
    for _ in range(4):
        assert _post(client, "/login/", "officer2", "wrong", "203.0.113.1").status_code == 200
    assert _post(client, "/login/", "officer2", "wrong", "203.0.113.1").status_code == 429
    locked = _post(client, "/login/", "officer2", GOOD, "203.0.113.1")  # even the right password
    assert locked.status_code == 429 and "15" in locked.content.decode()
    assert AuditEvent.objects.filter(action="web.login.locked").exists()
    # the owner, from their own address, is not locked out by the stranger
    assert _post(client, "/login/", "officer2", GOOD, "198.51.100.2").status_code == 302


def test_admin_login_has_no_form_of_its_own(client):
    UserFactory(username="root1", role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    response = _post(client, "/admin/login/", "root1", GOOD, "203.0.113.3")
    assert response.status_code == 302 and response.url.startswith("/login/?next=")
    assert "_auth_user_id" not in client.session  # no password was checked there, so no unthrottled guessing
    for _ in range(5):
        _post(client, "/login/?next=/admin/", "root1", "wrong", "203.0.113.3")
    assert _post(client, "/login/?next=/admin/", "root1", GOOD, "203.0.113.3").status_code == 429


def test_cool_off_grows_with_every_lockout():
    assert [cool_off(SimpleNamespace(axes_failures_since_start=n)) for n in (5, 10, 15, 200)] == [
        timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1), timedelta(hours=24)]


def test_stored_attempts_hold_no_username_in_clear(client):
    from axes.models import AccessAttempt

    _post(client, "/login/", "13935100009", "wrong", "203.0.113.4")
    attempt = AccessAttempt.objects.get()
    assert "13935100009" not in attempt.username + attempt.post_data + attempt.get_data


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_passwords_all_count(live_server):
    import threading

    import requests
    from axes.models import AccessAttempt
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent PostgreSQL sessions")

    UserFactory(username="officer9")
    barrier = threading.Barrier(8)

    def guess():
        session = requests.Session()
        page = session.get(live_server.url + "/login/")
        barrier.wait()
        session.post(live_server.url + "/login/", data={"username": "officer9", "password": "wrong",
                                                      "csrfmiddlewaretoken": page.cookies.get("csrftoken")},
                     headers={"Referer": live_server.url + "/login/"})

    threads = [threading.Thread(target=guess) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sum(a.failures_since_start for a in AccessAttempt.objects.all()) == 8


def test_self_registration_refuses_weak_and_breached_passwords(client):
    from dte.organisations.tests.factories import division
    from dte.registry.tests.factories import id_number

    division("140105")
    for weak in ("12345678", "qwertyuiop", "password1"):
        page = client.post("/registry/public/register/", {
            "name": "陈同学", "id_number": id_number("140105"), "phone": "13935100019", "division": "140105",
            "employment_status": "graduate", "password": weak})
        assert page.status_code == 200 and "password" in page.context["form"].errors


def _enrol_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


@override_settings(DTE_MFA_REQUIRED=True)
def test_mfa_enrolment_with_qr_code_then_recovery_codes(client):
    UserFactory(username="finance1", role=Role.FINANCE_OFFICER)
    assert _post(client, "/login/", "finance1", GOOD, "203.0.113.5").status_code == 302
    gate = client.get("/")
    assert gate.status_code == 302 and gate.url.startswith("/mfa/setup/")
    page = client.get(gate.url)
    assert "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user__username="finance1", confirmed=False)
    assert client.post("/mfa/setup/", {"otp_token": "000000"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # django-otp delays the next try after a wrong code (1 s, doubling)
    codes = client.post("/mfa/setup/", {"otp_token": f"{totp(device.bin_key):06d}", "next": "/"}).context["codes"]
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    # next session: password, then a recovery code (once)
    client.logout()
    _post(client, "/login/", "finance1", GOOD, "203.0.113.5")
    assert client.get("/").url.startswith("/mfa/verify/")
    assert client.post("/mfa/verify/", {"otp_token": codes[0], "next": "/"}).status_code == 302
    assert client.get("/").status_code == 200
    client.logout()
    _post(client, "/login/", "finance1", GOOD, "203.0.113.5")
    assert client.post("/mfa/verify/", {"otp_token": codes[0]}).status_code == 200  # used up
    assert client.get("/").status_code == 302


@override_settings(DTE_MFA_REQUIRED=True)
@pytest.mark.parametrize("role", [r for r in Role if r != Role.TRAINEE])
def test_every_staff_role_needs_the_second_step(client, role):
    user = UserFactory(role=role)
    device = _enrol_device(user)
    client.force_login(user)
    assert client.get("/").status_code == 302
    client.post("/mfa/verify/", {"otp_token": f"{totp(device.bin_key):06d}"})
    assert client.get("/").status_code == 200


@override_settings(DTE_MFA_REQUIRED=True)
def test_trainees_and_admin_pages(client):
    client.force_login(UserFactory(role=Role.TRAINEE, organisation=None))
    assert client.get("/").status_code == 200
    admin = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/").url.startswith("/mfa/setup/")


def test_mfa_is_optional_locally_but_binding_once_enrolled(client):
    user = UserFactory(role=Role.PROVINCE_OFFICER)
    client.force_login(user)
    assert client.get("/").status_code == 200  # demo accounts keep working in `make run`
    _enrol_device(user)
    client.force_login(user)
    assert client.get("/").status_code == 302


def _otp_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT "otp_')]  # django-otp's own device reads


@pytest.mark.parametrize("user_cache", [False, True])
def test_whether_a_user_has_a_device_costs_no_query_yet_a_new_device_is_asked_for_at_once(client, user_cache):
    """The MFA check reads "has a confirmed device" with the user's row (usercache.user_from_database; issue 12
    item 4), never a remembered answer: a device confirmed anywhere — the admin, another session — is asked for
    on this session's very next request, and a removed one no longer is. A user from the shared cache carries
    no flag: django-otp is asked as before."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_otp.plugins.otp_static.models import StaticDevice

    from dte.organisations import usercache

    cache.clear()
    user = UserFactory(role=Role.PROVINCE_OFFICER)
    with override_settings(DTE_USER_CACHE=user_cache):
        client.force_login(user)
        cache.delete(usercache._key(user.pk))  # the sign-in's tombstone: the next request caches the row
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        assert len(_otp_queries(queries.captured_queries)) == (2 if user_cache else 0)
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)  # not yet confirmed: not asked
        assert client.get("/").status_code == 200
        device = TOTPDevice.objects.get(user=user)
        device.confirmed = True
        device.save()
        gate = client.get("/")
        assert gate.status_code == 302 and gate.url.startswith("/mfa/verify/")
        device.delete()
        assert client.get("/").status_code == 200
        StaticDevice.objects.create(user=user, name="recovery", confirmed=True)  # recovery codes alone count too
        assert client.get("/").url.startswith("/mfa/verify/")
    cache.clear()


def test_content_security_policy_header(client):
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "onchange=" not in response.content.decode()


def test_no_template_has_inline_script_the_policy_would_block():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "csp_nonce" not in tag:
                offenders.append(f"{template.name}: {tag}")
        offenders += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
    assert not offenders


@override_settings(DTE_MFA_REQUIRED=True)
def test_a_password_alone_cannot_enrol_a_new_authenticator_over_the_owners(client):
    """Security review 2026-12-05: /mfa/setup/ is reachable before the second step; a session signed in with the
    password only must be sent to verify, and the owner's authenticator must survive (enrolling replaces it)."""
    user = UserFactory(role=Role.PROVINCE_OFFICER)
    owners = _enrol_device(user)
    client.force_login(user)
    page = client.get("/mfa/setup/?next=/reporting/")
    assert page.status_code == 302 and page.url.startswith("/mfa/verify/") and "reporting" in page.url
    assert client.post("/mfa/setup/", {"otp_token": "123456"}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=user)) == [owners]  # no attacker's device made, the owner's kept
    assert client.get("/").status_code == 302  # still not through the gate
    # verified with the owner's authenticator, the user may replace it
    client.post("/mfa/verify/", {"otp_token": f"{totp(owners.bin_key):06d}"})
    assert client.get("/mfa/setup/").status_code == 200
    assert TOTPDevice.objects.filter(user=user, confirmed=False).count() == 1


@override_settings(DTE_MFA_REQUIRED=True)
def test_recovery_codes_alone_also_keep_setup_behind_the_second_step(client):
    user = UserFactory(role=Role.FINANCE_OFFICER)
    recovery_codes_issue(user)
    client.force_login(user)
    assert client.get("/mfa/setup/").url.startswith("/mfa/verify/")
