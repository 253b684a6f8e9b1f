"""培训合格证书: numbers unique with a valid check digit, frozen PDF/snapshot hashes, forbidden
words (广西通知 五(二)), catalogue name, revocation and public verification."""

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from dte.registry.models import Enrolment
from dte.training.models import CertificateSettings, CompletionDecision, TrainingCertificate
from dte.training.services import (
    IntegrityFailure, TrainingError, certificate_bytes, certificate_preview, certificate_public, certificate_revoke,
    certificates_issue, number_is_valid,
)
from dte.training.services.certificates import number_base

from .factories import TrainingClassFactory, institution, staff, trainee

pytestmark = pytest.mark.django_db


def completed_class(division_code="140105", n=3, listed=True, name=None):
    tc = TrainingClassFactory(institution=institution(division_code, listed=listed, name=name))
    for _ in range(n):
        e = trainee(tc)
        Enrolment.objects.filter(pk=e.pk).update(status=Enrolment.Status.COMPLETED)
        CompletionDecision.objects.create(enrolment=e, completed=True, summary={"hours": {"total": "64.0"}}, reasons=[],
                                          decided_at=e.enrolled_at)
    return tc, staff(tc.institution)


def test_numbers_unique_with_check_digit():
    tc, by = completed_class()
    certs = certificates_issue(tc, by=by)
    numbers = [c.number for c in certs]
    assert len(set(numbers)) == 3
    assert all(number_is_valid(n) for n in numbers)
    year = certs[0].issued_on.year
    assert numbers[0].startswith(f"{year}{tc.institution_id:04d}000001")
    tampered = numbers[0][:-1] + ("0" if numbers[0][-1] != "0" else "1")
    assert not number_is_valid(tampered)


def test_second_batch_continues_sequence_and_skips_certified():
    tc, by = completed_class(n=1)
    first = certificates_issue(tc, by=by)[0]
    with pytest.raises(TrainingError):
        certificates_issue(tc, by=by)  # nobody left
    e = trainee(tc)
    Enrolment.objects.filter(pk=e.pk).update(status=Enrolment.Status.COMPLETED)
    CompletionDecision.objects.create(enrolment=e, completed=True, summary={}, reasons=[], decided_at=e.enrolled_at)
    second = certificates_issue(tc, by=by)[0]
    assert int(second.number[:-1]) == int(first.number[:-1]) + 1


def test_luhn_scheme():
    tc, by = completed_class(n=1)
    CertificateSettings.objects.create(institution=tc.institution, check_scheme="luhn", number_pattern="{seq:08d}")
    cert = certificates_issue(tc, by=by)[0]
    assert number_is_valid(cert.number, "luhn") and len(cert.number) == 9


def test_pattern_must_yield_digits():
    with pytest.raises(TrainingError):
        number_base("ZJ{seq:06d}", year=2026, inst=1, seq=1)
    with pytest.raises(TrainingError):
        number_base("{year}{foo}", year=2026, inst=1, seq=1)


def test_stored_pdf_served_unchanged_and_tampering_detected():
    tc, by = completed_class(n=1)
    cert = certificates_issue(tc, by=by)[0]
    first = certificate_bytes(cert)
    assert first.startswith(b"%PDF") and hashlib.sha256(first).hexdigest() == cert.pdf_sha256
    cert.refresh_from_db()
    assert certificate_bytes(cert) == first
    storage = cert.pdf.storage
    storage.delete(cert.pdf.name)
    storage.save(cert.pdf.name, ContentFile(b"%PDF-forged"))
    with pytest.raises(IntegrityFailure):
        certificate_bytes(cert)


def test_snapshot_holds_catalogue_name_and_masked_id():
    tc, by = completed_class(n=1, name="天津数字技术学院")
    cert = certificates_issue(tc, by=by)[0]
    e = cert.enrolment
    assert cert.snapshot["institution"] == "天津数字技术学院"
    assert cert.snapshot["id_masked"] != e.person.id_number and cert.snapshot["id_masked"][-4:] == e.person.id_number[-4:]
    assert cert.verify_token and cert.snapshot["verify_url"].endswith(f"/credentials/v/{cert.verify_token}/")  # no bare number
    assert len(cert.snapshot_sha256) == 64


def test_unlisted_institution_refused():
    tc, by = completed_class(listed=False, n=1)
    with pytest.raises(TrainingError) as error:
        certificates_issue(tc, by=by)
    assert "目录" in str(error.value)
    assert not TrainingCertificate.objects.exists()


def test_forbidden_words_refused_in_guangxi_only():
    gx, by = completed_class("450102", n=1)
    CertificateSettings.objects.create(institution=gx.institution, body="{name}完成全国统一培训，特发此证。")
    preview = certificate_preview(gx)
    assert any("全国" in p and "五(二)" in p for p in preview["problems"])
    with pytest.raises(TrainingError):
        certificates_issue(gx, by=by)
    assert not TrainingCertificate.objects.exists()
    sx, by2 = completed_class("140105", n=1)
    CertificateSettings.objects.create(institution=sx.institution, body="{name}完成全国统一培训，特发此证。")
    assert certificates_issue(sx, by=by2)


def test_guangxi_default_text_passes():
    gx, by = completed_class("450102", n=1)
    assert certificates_issue(gx, by=by)


def test_revocation_keeps_record_and_public_view_says_revoked():
    tc, by = completed_class(n=1)
    cert = certificates_issue(tc, by=by)[0]
    assert certificate_public(cert.number)["valid"]
    with pytest.raises(TrainingError):
        certificate_revoke(cert, by=by, reason="")
    certificate_revoke(cert, by=by, reason="学时造假")
    cert.refresh_from_db()
    public = certificate_public(cert.number)
    assert cert.status == "revoked" and cert.revoked_by == by and public["valid"] is False and public["status"] == "revoked"
    assert certificate_public("nope") is None


def test_unique_number_enforced_by_database():
    tc, by = completed_class(n=1)
    cert = certificates_issue(tc, by=by)[0]
    from django.db import IntegrityError, transaction

    other = trainee(tc)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingCertificate.objects.create(number=cert.number, enrolment=other, snapshot={}, snapshot_sha256="", pdf="x.pdf",
                                           pdf_sha256="", issued_on=cert.issued_on, issued_by=by)


def test_decimal_hours_in_text():
    tc, by = completed_class(n=1)
    CompletionDecision.objects.filter(enrolment__training_class=tc).update(summary={"hours": {"total": str(Decimal("64.5"))}})
    cert = certificates_issue(tc, by=by, issued_on=tc.end_date + timedelta(days=1))[0]
    assert "64.5学时" in cert.snapshot["text"]
