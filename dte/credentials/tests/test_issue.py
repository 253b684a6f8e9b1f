"""Issuing level certificates: numbers with a check digit, random tokens, signed snapshot and PDF, the
catalogue name on the issue date, forbidden words (广西通知 五(二)), batch refusal and status transitions."""

import base64
import hashlib
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from dte.audit.models import AuditEvent
from dte.catalogue.models import InstitutionListing, ListingAdjustment
from dte.credentials import signing
from dte.credentials.models import LevelCertificate, SigningKey
from dte.credentials.pdf import level_certificate_layout
from dte.credentials.services import (
    CredentialError, level_certificate_bytes, level_certificate_set_status, level_certificates_issue, number_is_valid,
    snapshot_signature_valid,
)

from .factories import ISSUED, evaluation_institution, evaluation_staff, holder, issue_one, province_officer, request_for

pytestmark = pytest.mark.django_db


def test_issue_signs_snapshot_and_pdf():
    cert = issue_one()
    assert number_is_valid(cert.number) and not number_is_valid(cert.number[:-1] + ("0" if cert.number[-1] != "0" else "1"))
    assert len(cert.token) >= 32 and cert.token not in cert.number
    s = cert.snapshot
    assert s["key_id"] == cert.key_id and s["holder"]["name"] == "张三" and "*" in s["holder"]["id_masked"]
    assert s["verify_url"].endswith(f"/credentials/v/{cert.token}/")
    key = SigningKey.objects.get(kid=cert.key_id)
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
    public.verify(base64.b64decode(cert.signature), signing.canonical(s))  # raises if wrong
    data = level_certificate_bytes(cert)
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == cert.pdf_sha256
    public.verify(base64.b64decode(cert.pdf_signature), hashlib.sha256(data).digest())
    assert snapshot_signature_valid(cert)
    event = AuditEvent.objects.filter(action="credentials.level_certificate.issue").get()
    assert cert.number in event.after["numbers"]


def test_sequence_continues_per_issuer_and_year():
    issuer = evaluation_institution()
    by = evaluation_staff(issuer)
    certs = level_certificates_issue([request_for(holder(f"人{i}"), issuer) for i in range(3)], by=by, issued_on=ISSUED)
    seqs = [int(c.number[-7:-1]) for c in certs]
    assert seqs == [1, 2, 3] and len({c.token for c in certs}) == 3
    assert all(c.number.startswith(f"2026{str(issuer.division_id)[:2]}{issuer.pk:05d}") for c in certs)


def test_edited_snapshot_fails_signature():
    cert = issue_one()
    cert.snapshot["holder"]["name"] = "李四"
    assert not snapshot_signature_valid(cert)


def test_issuer_name_is_the_catalogue_name_on_the_issue_date():
    issuer = evaluation_institution(name="山西省数字技术人才评价中心")
    listing = InstitutionListing.objects.get(organisation=issuer)
    ListingAdjustment.objects.create(listing=listing, action="rename", effective_on=date(2026, 6, 1),
                                     detail={"name": "山西省数字技术人才评价院"})
    before = issue_one(issuer=issuer, issued_on=date(2026, 5, 31))
    after = issue_one(issuer=issuer, person=holder("王五"), issued_on=date(2026, 6, 2))
    assert before.issuer_name == "山西省数字技术人才评价中心" == before.snapshot["issuer"]["name"]
    assert after.issuer_name == "山西省数字技术人才评价院"


def test_unlisted_or_suspended_issuer_refused():
    issuer = evaluation_institution()
    listing = InstitutionListing.objects.get(organisation=issuer)
    ListingAdjustment.objects.create(listing=listing, action="status", from_status="listed", to_status="suspended",
                                     effective_on=date(2026, 5, 1))
    with pytest.raises(CredentialError, match="目录"):
        issue_one(issuer=issuer)
    assert not LevelCertificate.objects.exists()


def test_forbidden_words_refuse_the_whole_batch_in_guangxi():
    issuer = evaluation_institution("450100")
    by = evaluation_staff(issuer)
    good, bad = request_for(holder("甲"), issuer), request_for(holder("乙"), issuer, direction="全国通用")
    with pytest.raises(CredentialError, match="五\\(二\\)") as error:
        level_certificates_issue([good, bad], by=by, issued_on=ISSUED)
    assert "全国" in str(error.value)
    assert not LevelCertificate.objects.exists()
    assert len(level_certificates_issue([good], by=by, issued_on=ISSUED)) == 1


def test_only_the_issuing_institution_may_issue_and_no_duplicates():
    issuer, other = evaluation_institution(), evaluation_institution()
    person = holder()
    with pytest.raises(CredentialError, match="只有发证评价机构"):
        level_certificates_issue([request_for(person, issuer)], by=evaluation_staff(other), issued_on=ISSUED)
    issue_one(issuer=issuer, person=person)
    with pytest.raises(CredentialError, match="已持有"):
        issue_one(issuer=issuer, person=person)


def test_status_transitions_audited_and_revocation_final():
    cert = issue_one()
    by = evaluation_staff(cert.issuer)
    with pytest.raises(CredentialError, match="理由"):
        level_certificate_set_status(cert, "revoked", by=by, reason=" ")
    cert = level_certificate_set_status(cert, "suspended", by=by, reason="核查中")
    cert = level_certificate_set_status(cert, "valid", by=by, reason="核查无误")
    officer = province_officer("140000")
    cert = level_certificate_set_status(cert, "revoked", by=officer, reason="虚假承诺")
    assert cert.status == "revoked" and cert.status_changed_at and cert.status_changed_by == officer
    with pytest.raises(CredentialError, match="不能从"):
        level_certificate_set_status(cert, "valid", by=officer, reason="恢复")
    actions = AuditEvent.objects.filter(action="credentials.level_certificate.set_status").count()
    assert actions == 3 and LevelCertificate.objects.filter(pk=cert.pk).exists()


def test_other_province_and_trainee_may_not_change_status():
    cert = issue_one()
    with pytest.raises(CredentialError, match="无权"):
        level_certificate_set_status(cert, "revoked", by=province_officer("450000"), reason="x")
    with pytest.raises(CredentialError, match="无权"):
        level_certificate_set_status(cert, "revoked", by=cert.person.user, reason="x")


def test_level_pdf_layout_keeps_qr_clear_of_text():
    cert = issue_one()
    data, layout = level_certificate_layout(cert.snapshot)
    assert layout.qr is not None and layout.text and not layout.overlaps_qr()
    long = cert.snapshot | {"text": "很长的证书正文。" * 60}
    _, crowded = level_certificate_layout(long)
    assert not crowded.overlaps_qr()
    assert min(y0 for _, y0, _, _ in crowded.text if y0 > 60) > 40  # the body stays above the footer band
