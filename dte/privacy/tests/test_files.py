"""Issue 8 finding 1: files encrypted at rest, never served from /media/, downloads scope-checked and audited;
finding 10: formula-like text is neutralised in every spreadsheet export."""

from __future__ import annotations

import importlib
import io
import os
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from openpyxl import load_workbook

from dte.audit.models import AuditEvent
from dte.jobs.models import Job
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory
from dte.privacy.spreadsheet import excel_safe, safe_row
from dte.privacy.storage import SEGMENT, EncryptedStorage, FileIntegrityError

pytestmark = pytest.mark.django_db
SECRET = "身份证 140105200105040020 手机 13900000001".encode()


def test_default_storage_seals_every_file_and_reads_it_back():
    name = default_storage.save("tests/secret.txt", ContentFile(SECRET))
    with default_storage.raw_open(name) as raw:
        stored = raw.read()
    assert stored.startswith(b"DTEFILE1") and b"140105200105040020" not in stored
    assert default_storage.open(name).read() == SECRET


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 17])
def test_segmented_encryption_round_trips_any_size(size):
    payload = os.urandom(size)
    name = default_storage.save(f"tests/blob-{size}.bin", ContentFile(payload))
    assert default_storage.open(name).read() == payload


def test_tampering_and_truncation_are_detected():
    storage = EncryptedStorage("django.core.files.storage.InMemoryStorage")
    name = storage.save("t.bin", ContentFile(os.urandom(3 * SEGMENT)))
    sealed = storage.raw_open(name).read()
    for broken in (sealed[:-SEGMENT - 16], sealed[:40] + bytes([sealed[40] ^ 1]) + sealed[41:]):
        storage.inner.delete(name)
        storage.inner.save(name, ContentFile(broken))
        with pytest.raises(FileIntegrityError):
            storage.open(name)


def test_files_written_before_encryption_still_open_and_can_be_sealed():
    storage = EncryptedStorage("django.core.files.storage.InMemoryStorage")
    storage.inner.save("old.pdf", ContentFile(b"%PDF-1.4 legacy"))
    assert storage.open("old.pdf").read() == b"%PDF-1.4 legacy"
    assert storage.seal_in_place("old.pdf") is True and storage.seal_in_place("old.pdf") is False
    assert storage.raw_open("old.pdf").read().startswith(b"DTEFILE1")
    assert storage.open("old.pdf").read() == b"%PDF-1.4 legacy"


def test_stored_files_have_no_public_url():
    with pytest.raises(ValueError):
        default_storage.url("registry/imports/x.xlsx")


def test_media_is_not_served_even_under_debug():
    import dte.urls

    with override_settings(DEBUG=True):
        module = importlib.reload(dte.urls)
        patterns = [str(p.pattern) for p in module.urlpatterns]
    importlib.reload(dte.urls)
    assert not any("media" in p for p in patterns), patterns


def test_media_path_answers_404_without_login(client):
    name = default_storage.save("training/certificates/T2026000001.pdf", ContentFile(b"%PDF secret"))
    assert client.get(f"/media/{name}").status_code == 404


def test_job_result_file_is_scoped_and_audited(client):
    owner, stranger = UserFactory(), UserFactory()
    job = Job.objects.create(kind="tests.count", organisation=owner.organisation, division_code="140100", created_by=owner)
    job.result_file.save("result.csv", ContentFile(b"a,b\n1,2\n"))
    client.force_login(stranger)
    assert client.get(f"/jobs/{job.pk}/file").status_code == 404
    client.force_login(owner)
    response = client.get(f"/jobs/{job.pk}/file")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"a,b\n1,2\n"
    assert AuditEvent.objects.filter(action="file.download", object_id=str(job.pk), actor_id=owner.pk).exists()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/file" in page and "/media/" not in page


def test_evidence_download_checks_scope_and_is_audited(client):
    from dte.training.models import Session, SessionEvidence
    from dte.training.tests.factories import SessionFactory

    session: Session = SessionFactory()
    institution = session.training_class.institution
    uploader = UserFactory(organisation=institution, role=Role.TRAINING_STAFF)
    evidence = SessionEvidence(session=session, kind="photo", original_name="现场照片.jpg", size=4, sha256="0" * 64,
                               uploaded_by=uploader)
    evidence.file.save("photo.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=False)
    evidence.save()
    client.force_login(UserFactory())  # staff of another institution
    assert client.get(f"/privacy/files/evidence/{evidence.pk}/").status_code == 404
    client.force_login(uploader)
    response = client.get(f"/privacy/files/evidence/{evidence.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"\xff\xd8\xff\xe0"
    assert AuditEvent.objects.filter(action="file.download", object_id=str(evidence.pk)).exists()


# --- finding 10 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_neutralised(text):
    assert excel_safe(text) == "'" + text


def test_other_values_pass_unchanged():
    assert safe_row(["张三", 12, 1.5, None, date(2024, 1, 1), ""]) == ["张三", 12, 1.5, None, date(2024, 1, 1), ""]


def test_list_exports_never_contain_live_formulas(client):
    from dte.registry.tests.factories import PersonFactory, TrainingClassFactory

    klass = TrainingClassFactory(title='=HYPERLINK("http://evil.example","x")')
    PersonFactory(name="@SUM(1)")
    client.force_login(UserFactory(organisation=klass.institution, role=Role.TRAINING_STAFF))
    response = client.get("/registry/classes/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert any(c.value == "'" + klass.title for c in cells)


def test_encrypt_files_command_seals_existing_plain_files():
    from io import StringIO

    from django.core.management import call_command

    owner = UserFactory()
    job = Job.objects.create(kind="tests.count", organisation=owner.organisation, created_by=owner)
    default_storage.inner.save("jobs/legacy.csv", ContentFile(b"140105200105040020"))
    Job.objects.filter(pk=job.pk).update(result_file="jobs/legacy.csv")
    out = StringIO()
    call_command("privacy", "encrypt-files", stdout=out)
    assert "sealed 1 of 1" in out.getvalue()
    assert b"140105200105040020" not in default_storage.raw_open("jobs/legacy.csv").read()
    assert default_storage.open("jobs/legacy.csv").read() == b"140105200105040020"
