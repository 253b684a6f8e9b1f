"""Web pages and API: scoping (one institution cannot see another's attendance), check-in over
HTTP, online-time push, stored certificate served unchanged, public verification."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division
from dte.registry.models import Enrolment
from dte.training.models import Attendance, CompletionDecision, Session
from dte.training.services import certificates_issue, check_in

from .factories import VENUE_LAT, VENUE_LON, SessionFactory, at, staff, trainee

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    a, b = SessionFactory(), SessionFactory()
    ea, eb = trainee(a.training_class), trainee(b.training_class)
    for s, e in ((a, ea), (b, eb)):
        check_in(session_id=s.pk, user=e.person.user, at=s.starts_at, lat=VENUE_LAT, lon=VENUE_LON, accuracy=10, device_id="d")
    return a, b, ea, eb


def login(client, user):
    client.force_login(user)
    return client


def test_institution_cannot_see_other_institutions_attendance(client, two):
    a, b, ea, eb = two
    login(client, staff(a.training_class.institution))
    assert client.get(reverse("training:session", args=[a.pk])).status_code == 200
    assert client.get(reverse("training:session", args=[b.pk])).status_code == 404
    assert client.get(reverse("training:sheet", args=[b.training_class.pk])).status_code == 404
    assert client.get(f"/api/training/sessions/{b.pk}/attendance").status_code == 404
    rows = client.get(f"/api/training/sessions/{a.pk}/attendance").json()
    assert [r["enrolment_id"] for r in rows] == [ea.pk]


def test_official_sees_own_province_only(client, two):
    a, b, ea, eb = two
    shanxi = UserFactory(role=Role.PROVINCE_OFFICER, organisation=OrganisationFactory(kind="bureau", division=division("140000")))
    tianjin = UserFactory(role=Role.PROVINCE_OFFICER, organisation=OrganisationFactory(kind="bureau", division=division("120000")))
    assert login(client, shanxi).get(f"/api/training/sessions/{a.pk}/attendance").status_code == 404
    assert len(login(client, tianjin).get(f"/api/training/sessions/{a.pk}/attendance").json()) == 1


def test_trainee_sees_only_own_record(client, two):
    a, b, ea, eb = two
    other = trainee(a.training_class)
    check_in(session_id=a.pk, user=other.person.user, at=a.starts_at, lat=VENUE_LAT, lon=VENUE_LON, accuracy=10, device_id="o")
    rows = login(client, ea.person.user).get(f"/api/training/sessions/{a.pk}/attendance").json()
    assert [r["enrolment_id"] for r in rows] == [ea.pk]


def test_check_in_through_api_records_ip(client):
    now = timezone.now()
    s = SessionFactory(starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=2))
    e = trainee(s.training_class)
    login(client, e.person.user)
    url = f"/api/training/sessions/{s.pk}/check-in"
    far = client.post(url, {"lat": VENUE_LAT + 0.05, "lon": VENUE_LON, "accuracy": 10, "device_id": "p"},
                      content_type="application/json", REMOTE_ADDR="10.2.3.4")
    assert far.status_code == 200 and far.json()["accepted"] is False
    ok = client.post(url, {"lat": VENUE_LAT, "lon": VENUE_LON, "accuracy": 10, "device_id": "p"},
                     content_type="application/json", REMOTE_ADDR="10.2.3.4")
    assert ok.json() == {"accepted": True, "reason": "", "status": "present", "flagged": False}
    record = Attendance.objects.get(session=s, enrolment=e)
    assert record.ip == "10.2.3.4" and record.source == "api"
    assert client.post("/api/training/sessions/999999/check-in", {}, content_type="application/json").status_code == 404


def test_online_push_api_staff_only_and_scoped(client):
    s = SessionFactory(delivery=Session.Delivery.ONLINE)
    e = trainee(s.training_class)
    url = f"/api/training/sessions/{s.pk}/online-time"
    body = json.dumps({"entries": [{"enrolment_id": e.pk, "minutes": 120}]})
    assert login(client, e.person.user).post(url, body, content_type="application/json").status_code == 403
    assert login(client, staff(SessionFactory().training_class.institution)).post(url, body, content_type="application/json").status_code == 404
    response = login(client, staff(s.training_class.institution)).post(url, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["accepted"] == 1
    assert Attendance.objects.get(session=s, enrolment=e).online_minutes == 120


def test_qr_display_for_staff_only(client):
    s = SessionFactory()
    e = trainee(s.training_class)
    assert login(client, e.person.user).get(reverse("training:qr", args=[s.pk])).status_code == 403
    login(client, staff(s.training_class.institution))
    page = client.get(reverse("training:qr", args=[s.pk]))
    assert page.status_code == 200 and b"<svg" in page.content
    data = client.get(reverse("training:qr_json", args=[s.pk])).json()
    assert len(data["code"]) == 6 and f"code={data['code']}" in data["url"]


def _certified():
    s = SessionFactory()
    e = trainee(s.training_class)
    Enrolment.objects.filter(pk=e.pk).update(status=Enrolment.Status.COMPLETED)
    CompletionDecision.objects.create(enrolment=e, completed=True, summary={"hours": {"total": "64"}}, decided_at=timezone.now())
    by = staff(s.training_class.institution)
    return certificates_issue(s.training_class, by=by)[0], by, e


def test_certificate_download_serves_stored_bytes(client):
    cert, by, e = _certified()
    login(client, by)
    first = client.get(reverse("training:certificate_pdf", args=[cert.pk]))
    second = client.get(reverse("training:certificate_pdf", args=[cert.pk]))
    assert first.content == second.content
    assert hashlib.sha256(first.content).hexdigest() == cert.pdf_sha256 == first["X-Content-SHA256"]
    assert login(client, staff(SessionFactory().training_class.institution)).get(
        reverse("training:certificate_pdf", args=[cert.pk])).status_code == 404


def test_public_verification_without_login(client):
    """The unified public verification (dte.credentials): the QR token answers; the old number URL only
    leads to the search, which needs the holder's name too (a bare number reveals nothing)."""
    cert, by, e = _certified()
    page = client.get(f"/credentials/v/{cert.verify_token}/")
    text = page.content.decode()
    assert page.status_code == 200 and cert.number in text and e.person.masked_id_number in text
    assert e.person.id_number not in text
    old = client.get(reverse("training:verify", args=[cert.number]), follow=True).content.decode()
    assert e.person.masked_id_number not in old and 'name="name"' in old
    login(client, by).post(reverse("training:certificate_revoke", args=[cert.pk]), {"reason": "信息有误"})
    client.logout()
    revoked = client.post("/credentials/verify/", {"number": cert.number, "name": e.person.name}).content.decode()
    assert "badge bad" in revoked and ("Revoked" in revoked or "已撤销" in revoked)
    assert "badge ok" not in revoked
    assert client.get("/credentials/v/" + "0" * 32 + "/").status_code == 404


def test_staff_pages_render(client):
    s = SessionFactory(starts_at=at(timezone.localdate() - timedelta(days=3), 9))
    trainee(s.training_class)
    tc = s.training_class
    login(client, staff(tc.institution))
    for name in ("class", "sheet", "completion", "certificates", "report"):
        response = client.get(reverse(f"training:{name}", args=[tc.pk]))
        assert response.status_code == 200, name
    for name in ("classes", "venues", "reports"):
        assert client.get(reverse(f"training:{name}")).status_code == 200
    assert client.get(reverse("training:report_xlsx", args=[tc.pk]))["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(reverse("web:workbench")).status_code == 200


def test_add_session_refused_over_cap_via_page(client):
    s = SessionFactory(hours=30, delivery=Session.Delivery.ONLINE)  # 30 of 64 required hours online already
    tc = s.training_class
    login(client, staff(tc.institution))
    start = at(tc.start_date, 9)
    response = client.post(reverse("training:class", args=[tc.pk]), {
        "title": "线上课", "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
        "hours": "8", "delivery": "online", "kind": "theory", "platform": "平台", "early_open_minutes": 15, "late_after_minutes": 10})
    assert response.status_code == 200 and "超过50%" in response.content.decode()
    assert tc.sessions.count() == 1


def test_trainee_pages(client):
    now = timezone.now()
    s = SessionFactory(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=3))
    e = trainee(s.training_class)
    login(client, e.person.user)
    my = client.get(reverse("training:my"))
    assert my.status_code == 200 and s.title in my.content.decode()
    page = client.get(reverse("training:checkin", args=[s.pk]))
    assert page.status_code == 200 and b"navigator.geolocation" in page.content
    assert client.get(reverse("training:checkin", args=[SessionFactory().pk])).status_code == 404


def test_certificate_settings_form_rejects_non_numeric_pattern():
    from dte.training.forms import CertificateSettingsForm

    form = CertificateSettingsForm({"number_pattern": "ZS{seq:06d}", "check_scheme": "mod11_2", "title": "培训合格证书",
                                    "body": "{name}"})
    assert not form.is_valid() and "number_pattern" in form.errors
    good = CertificateSettingsForm({"number_pattern": "{year}{seq:05d}", "check_scheme": "luhn", "title": "培训合格证书",
                                    "body": "{name}"})
    assert good.is_valid()
