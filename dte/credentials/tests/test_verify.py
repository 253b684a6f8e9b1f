"""Public verification of both kinds: number + name, QR token, PDF upload; a wrong name reveals nothing;
revoked shows revoked with its date; throttling answers 429 with Retry-After; every lookup is logged."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dte.credentials.models import VerificationLog
from dte.credentials.services import level_certificate_bytes, level_certificate_set_status
from dte.training.services import certificate_revoke, certificates_issue
from dte.training.tests.test_certificates import completed_class

from .factories import evaluation_staff, issue_one

pytestmark = pytest.mark.django_db
API = "/api/credentials"


def api_number(client, number, name):
    return client.post(f"{API}/verify/number", {"number": number, "name": name}, content_type="application/json")


def test_by_number_and_name_web_and_api(client):
    cert = issue_one()
    page = client.post(reverse("credentials:verify"), {"number": cert.number, "name": " 张 三 "})
    html = page.content.decode()
    assert page.status_code == 200 and cert.number in html and "张三" in html and cert.issuer_name in html
    assert cert.person.id_number not in html and cert.snapshot["holder"]["id_masked"] in html
    body = api_number(client, cert.number.lower(), "张三").json()
    assert body["found"] and body["certificate"]["valid"] and body["certificate"]["signature_valid"]
    assert body["certificate"]["level_label"] == "初级" and body["certificate"]["verify_url"].endswith(f"/{cert.token}/")
    assert VerificationLog.objects.filter(method="number", outcome="found", certificate_number=cert.number).count() == 2


def test_wrong_name_reveals_nothing(client):
    cert = issue_one()
    wrong = api_number(client, cert.number, "李四")
    unknown = api_number(client, "202614000010000019", "李四")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.content == unknown.content == b'{"found": false, "certificate": null}'
    page = client.post(reverse("credentials:verify"), {"number": cert.number, "name": "李四"}).content.decode()
    assert 'data-testid="verify-none"' in page and 'data-testid="verify-result"' not in page
    assert cert.issuer_name not in page and cert.snapshot["holder"]["id_masked"] not in page
    assert VerificationLog.objects.filter(outcome="not_found").count() == 3


def test_by_token_page_and_api(client):
    cert = issue_one()
    page = client.get(f"/credentials/v/{cert.token}/")
    assert page.status_code == 200 and "张三" in page.content.decode() and page["X-Frame-Options"] == "DENY"
    assert client.get(f"{API}/verify/token/{cert.token}").json()["certificate"]["number"] == cert.number
    missing = client.get("/credentials/v/" + "x" * 32 + "/")
    assert missing.status_code == 404 and "Traceback" not in missing.content.decode()
    assert reverse("credentials:verify") in missing.content.decode()  # the friendly page offers the search
    assert client.get(f"{API}/verify/token/{'y' * 32}").json() == {"found": False, "certificate": None}


def test_revoked_shows_revoked_with_date(client):
    cert = issue_one()
    assert client.get(f"{API}/verify/token/{cert.token}").json()["certificate"]["status"] == "valid"  # now cached
    level_certificate_set_status(cert, "revoked", by=evaluation_staff(cert.issuer), reason="考试舞弊")
    cert.refresh_from_db()
    answer = client.get(f"{API}/verify/token/{cert.token}").json()["certificate"]
    assert answer["status"] == "revoked" and not answer["valid"]
    assert answer["status_date"] == timezone.localtime(cert.status_changed_at).date().isoformat()
    page = client.get(f"/credentials/v/{cert.token}/").content.decode()
    assert answer["status_date"] in page and "考试舞弊" not in page  # the date, never the reason


def test_pdf_upload_exact_or_edited(client):
    cert = issue_one()
    data = level_certificate_bytes(cert)
    ok = client.post(f"{API}/verify/pdf", {"file": _upload(data)})
    assert ok.json()["found"] and ok.json()["certificate"]["number"] == cert.number
    edited = data.replace(b"/Title", b"/Titl2", 1)
    assert edited != data
    assert client.post(f"{API}/verify/pdf", {"file": _upload(edited)}).json() == {"found": False, "certificate": None}
    page = client.post(reverse("credentials:verify_pdf"), {"file": _upload(edited)}).content.decode()
    assert 'data-testid="pdf-mismatch"' in page
    page = client.post(reverse("credentials:verify_pdf"), {"file": _upload(data)}).content.decode()
    assert 'data-testid="pdf-match"' in page and cert.number in page
    assert set(VerificationLog.objects.filter(method="pdf").values_list("outcome", flat=True)) == {"match", "mismatch"}


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("c.pdf", data, content_type="application/pdf")


def test_rate_limit_429_with_retry_after(client, settings):
    settings.DTE_VERIFY_RATE = "3/60"
    cert = issue_one()
    for _ in range(3):
        assert client.get(f"{API}/verify/token/{cert.token}").status_code == 200
    blocked = client.get(f"{API}/verify/token/{cert.token}")
    assert blocked.status_code == 429 and 1 <= int(blocked["Retry-After"]) <= 60
    assert blocked.json()["retry_after"] == int(blocked["Retry-After"])
    assert api_number(client, cert.number, "张三").status_code == 429
    page = client.get(f"/credentials/v/{cert.token}/")
    assert page.status_code == 429 and page["Retry-After"]
    other = client.get(f"{API}/verify/token/{cert.token}", REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200  # per client
    assert sorted(VerificationLog.objects.filter(outcome="throttled").values_list("method", "channel")) == [
        ("number", "api"), ("token", "api"), ("token", "web")]


def test_training_certificate_by_token_number_and_pdf(client):
    tc, by = completed_class(n=1)
    cert = certificates_issue(tc, by=by)[0]
    name = cert.snapshot["name"]
    assert cert.verify_token and cert.snapshot["verify_url"].endswith(f"/credentials/v/{cert.verify_token}/")
    by_token = client.get(f"{API}/verify/token/{cert.verify_token}").json()["certificate"]
    assert by_token["kind"] == "training" and by_token["name"] == name and by_token["training"]["hours"] == "64.0"
    assert api_number(client, cert.number, name).json()["found"]
    assert not api_number(client, cert.number, name + "x").json()["found"]
    old = client.get(reverse("training:verify", args=[cert.number]))
    assert old.status_code == 302 and old["Location"].endswith(f"/credentials/verify/?number={cert.number}")
    assert name not in client.get(old["Location"]).content.decode()  # a bare number answers nothing
    certificate_revoke(cert, by=by, reason="重复发证")
    revoked = client.get(f"{API}/verify/token/{cert.verify_token}").json()["certificate"]
    assert revoked["status"] == "revoked" and revoked["status_date"]
