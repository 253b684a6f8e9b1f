"""The holder's "my certificates" page and downloads, the officials' list and status changes in the UI,
the training certificate's fixed PDF layout and its VC."""

import json

import pytest

from dte.audit.models import AuditEvent
from dte.credentials.models import LevelCertificate
from dte.training.pdf import certificate_layout
from dte.training.services import certificates_issue
from dte.training.tests.test_certificates import completed_class

from .factories import evaluation_staff, holder, issue_one, province_officer

pytestmark = pytest.mark.django_db


def test_my_certificates_lists_and_downloads(client):
    cert = issue_one()
    client.force_login(cert.person.user)
    page = client.get("/credentials/my/").content.decode()
    assert cert.number in page and f"/credentials/level/{cert.pk}/pdf/" in page and f"/credentials/level/{cert.pk}/vc.json" in page
    pdf = client.get(f"/credentials/level/{cert.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["X-Content-SHA256"] == cert.pdf_sha256 and pdf.content.startswith(b"%PDF")
    client.force_login(holder("王五").user)
    assert cert.number not in client.get("/credentials/my/").content.decode()
    assert client.get(f"/credentials/level/{cert.pk}/pdf/").status_code == 404


def test_evaluation_staff_revokes_in_the_ui_audited(client):
    cert = issue_one()
    staff = evaluation_staff(cert.issuer)
    client.force_login(staff)
    assert cert.number in client.get("/credentials/level/").content.decode()
    detail = client.get(f"/credentials/level/{cert.pk}/").content.decode()
    assert 'name="reason"' in detail
    response = client.post(f"/credentials/level/{cert.pk}/", {"status": "revoked", "reason": "虚假承诺"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.status == "revoked" and cert.status_reason == "虚假承诺"
    event = AuditEvent.objects.get(action="credentials.level_certificate.set_status")
    assert event.after == {"status": "revoked", "reason": "虚假承诺"}


def test_province_officer_outside_the_province_sees_nothing(client):
    cert = issue_one()
    client.force_login(province_officer("450000"))
    assert client.get(f"/credentials/level/{cert.pk}/").status_code == 404
    client.force_login(province_officer("140000"))
    detail = client.get(f"/credentials/level/{cert.pk}/").content.decode()
    assert 'name="reason"' in detail  # the province may suspend or revoke
    client.force_login(cert.person.user)
    assert 'name="reason"' not in client.get(f"/credentials/level/{cert.pk}/").content.decode()
    assert client.post(f"/credentials/level/{cert.pk}/", {"status": "revoked", "reason": "x"}).status_code == 200
    assert LevelCertificate.objects.get(pk=cert.pk).status == "valid"


def test_api_status_change_and_scoping(client):
    cert = issue_one()
    client.force_login(province_officer("450000"))
    url = f"/api/credentials/level/{cert.pk}/status"
    assert client.post(url, {"status": "revoked", "reason": "x"}, content_type="application/json").status_code == 404
    client.force_login(evaluation_staff(cert.issuer))
    bad = client.post(url, {"status": "deleted", "reason": "x"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    ok = client.post(url, {"status": "suspended", "reason": "核查"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "suspended"
    listed = client.get("/api/credentials/level").json()
    assert [c["number"] for c in listed] == [cert.number]


def test_training_certificate_pdf_keeps_qr_clear_and_exports_vc(client):
    tc, by = completed_class(n=1)
    cert = certificates_issue(tc, by=by)[0]
    _, layout = certificate_layout(cert.snapshot)
    assert layout.qr and not layout.overlaps_qr()
    client.force_login(cert.enrolment.person.user)
    credential = json.loads(client.get(f"/credentials/training/{cert.pk}/vc.json").content)
    assert credential["type"] == ["VerifiableCredential", "TrainingCertificate"]
    assert credential["id"].endswith(f"/credentials/v/{cert.verify_token}/")
    assert cert.number in client.get("/credentials/my/").content.decode()
