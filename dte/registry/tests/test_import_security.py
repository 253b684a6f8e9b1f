"""Issue 8 findings 1 and 7 on roster imports: encrypted files, masked result sheets, who may commit,
limits enforced while streaming, encodings, field validation, and every failure ending with a message."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from dte.audit.models import AuditEvent
from dte.jobs.models import Job
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory, division
from dte.registry.errors import RegistryError
from dte.registry.imports import HEADERS, roster_import_start, roster_upload
from dte.registry.models import Person, RosterImport

from .factories import TrainingClassFactory, id_number, officer, staff

pytestmark = pytest.mark.django_db


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def good_rows(n: int, start: int = 1) -> list[list]:
    return [[f"学员{i}", id_number(), f"139{i:08d}", "140105", "毕业生", "2024-06-30"] for i in range(start, start + n)]


def upload(klass, content: bytes, name: str, capture, user=None):
    division("140105")
    with capture(execute=True):
        roster, job = roster_upload(institution=klass.institution, training_class=klass,
                                    user=user or staff(klass.institution), upload=SimpleUploadedFile(name, content))
    roster.refresh_from_db()
    return roster, Job.objects.get(pk=job.pk)


@pytest.fixture
def validated(django_capture_on_commit_callbacks):
    klass = TrainingClassFactory()
    rows = good_rows(3)
    roster, _ = upload(klass, xlsx_bytes(rows), "roster.xlsx", django_capture_on_commit_callbacks)
    assert roster.status == RosterImport.Status.VALIDATED, roster.message
    return klass, roster, rows


# --- finding 1: files at rest and the result download -------------------------------------------------------


def test_uploaded_and_result_files_are_encrypted_at_rest(validated):
    _klass, roster, rows = validated
    for field in (roster.source, roster.result_file):
        with default_storage.raw_open(field.name) as raw:
            stored = raw.read()
        assert stored.startswith(b"DTEFILE1")
        assert rows[0][1].encode() not in stored and b"PK\x03\x04" not in stored  # not even a zip header in clear
    assert load_workbook(roster.result_file.open("rb")).active.max_row == 4  # decrypts transparently


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.FINANCE_OFFICER, Role.THIRD_PARTY_EVALUATOR])
def test_result_sheet_is_masked_for_roles_not_entitled(validated, client, role):
    klass, roster, rows = validated
    client.force_login(officer("140000", role=role))
    response = client.get(f"/registry/imports/{roster.pk}/result/")
    assert response.status_code == 200
    table = [[c.value for c in r] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    assert table[0][:2] == HEADERS[:2]
    for sent, got in zip(rows, table[1:]):
        assert got[1] != sent[1] and got[1] == sent[1][:4] + "*" * 10 + sent[1][-4:]
        assert got[2] == sent[2][:3] + "****" + sent[2][-4:]
    event = AuditEvent.objects.filter(object_id=str(roster.pk), action="file.download").get()
    assert event.after["masked"] is True


def test_entitled_full_download_is_audited_as_a_reveal(validated, client):
    klass, roster, rows = validated
    client.force_login(officer("140000", role=Role.PROVINCE_OFFICER))
    response = client.get(f"/registry/imports/{roster.pk}/result/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][1] == rows[0][1]
    assert AuditEvent.objects.filter(action="personal_data.reveal", object_id=str(roster.pk)).count() == 1


def test_another_province_cannot_download_the_result(validated, client):
    _klass, roster, _rows = validated
    client.force_login(officer("450000", role=Role.PROVINCE_OFFICER))
    assert client.get(f"/registry/imports/{roster.pk}/result/").status_code == 404


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.AUDITOR])
def test_only_the_institutions_own_staff_may_commit(validated, role):
    klass, roster, _rows = validated
    with pytest.raises(RegistryError) as refused:
        roster_import_start(roster, user=officer("140000", role=role))
    assert refused.value.code == "FORBIDDEN"
    with pytest.raises(RegistryError):
        roster_import_start(roster, user=staff(TrainingClassFactory().institution))  # another institution
    with pytest.raises(RegistryError):
        roster_import_start(roster, user=None)
    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.VALIDATED and not Job.objects.filter(kind="registry.import_commit").exists()


def test_finance_post_to_commit_changes_nothing(validated, client):
    _klass, roster, _rows = validated
    client.force_login(officer("140000", role=Role.FINANCE_OFFICER))
    client.post(f"/registry/imports/{roster.pk}/")
    assert not Job.objects.filter(kind="registry.import_commit").exists() and Person.objects.count() == 0


def test_second_commit_of_the_same_import_gets_a_message(validated, django_capture_on_commit_callbacks):
    klass, roster, _rows = validated
    user = staff(klass.institution)
    with django_capture_on_commit_callbacks(execute=True):
        roster_import_start(roster, user=user)
    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.IMPORTED and Person.objects.count() == 3
    with pytest.raises(RegistryError) as again:
        roster_import_start(roster, user=user)
    assert again.value.code == "ALREADY_IMPORTED" and "已导入" in str(again.value)


# --- finding 7: limits, encodings, validation, failures --------------------------------------------------------


def test_upload_over_the_limit_is_refused_while_streaming(client, settings):
    settings.DTE_UPLOAD_MAX_BYTES = 64 * 1024
    klass = TrainingClassFactory()
    client.force_login(staff(klass.institution))
    big = SimpleUploadedFile("big.csv", b",".join(HEADERS[i].encode() for i in range(6)) + b"\n" + b"x" * (1024 * 1024))
    response = client.post("/registry/imports/new/", {"file": big})
    assert response.status_code == 200 and "上传上限" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_service_refuses_an_oversized_upload(settings):
    settings.DTE_UPLOAD_MAX_BYTES = 2048
    klass = TrainingClassFactory()
    with pytest.raises(RegistryError, match="上传上限"):
        roster_upload(institution=klass.institution, user=staff(klass.institution),
                      upload=SimpleUploadedFile("r.csv", b"a" * 4096))


def zip_bomb(expanded_mb: int) -> bytes:
    """A real workbook whose first sheet is replaced by `expanded_mb` MB of repetitive row XML."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(good_rows(1))))
    out = io.BytesIO()
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"A" * 2000 + b"</t></is></c></row>"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, source.read(info.filename))
                continue
            with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                for _ in range(expanded_mb * 1024 * 1024 // len(row)):
                    sheet.write(row)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_xlsx_zip_bomb_is_refused_quickly_with_bounded_memory(django_capture_on_commit_callbacks):
    bomb = zip_bomb(120)
    assert len(bomb) < 2 * 1024 * 1024
    klass = TrainingClassFactory()
    tracemalloc.start()
    started = time.monotonic()
    roster, job = upload(klass, bomb, "bomb.xlsx", django_capture_on_commit_callbacks)
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert roster.status == RosterImport.Status.FAILED and "压缩炸弹" in roster.message
    assert job.status == Job.Status.FAILED and "压缩炸弹" in job.message
    assert elapsed < 10 and peak < 40 * 1024 * 1024, (elapsed, peak)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_row_limit_is_enforced(kind, settings, django_capture_on_commit_callbacks):
    settings.DTE_IMPORT_MAX_ROWS = 5
    rows = good_rows(8)
    if kind == "xlsx":
        content = xlsx_bytes(rows)
    else:
        content = "\n".join(",".join(r) for r in [HEADERS, *rows]).encode("utf-8")
    roster, job = upload(TrainingClassFactory(), content, f"r.{kind}", django_capture_on_commit_callbacks)
    assert roster.status == RosterImport.Status.FAILED and "超过上限 5 行" in roster.message
    assert job.status == Job.Status.FAILED


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8", "utf-8-sig"])
def test_csv_encodings_officials_use_are_read(encoding, django_capture_on_commit_callbacks):
    rows = good_rows(2)
    rows[0][0] = "欧阳娜娜"
    text = "\r\n".join(",".join(r) for r in [HEADERS, *rows]) + "\r\n"
    roster, job = upload(TrainingClassFactory(), text.encode(encoding), "r.csv", django_capture_on_commit_callbacks)
    assert roster.status == RosterImport.Status.VALIDATED and roster.rows_valid == 2, roster.message
    assert "欧阳娜娜" in roster.result_file.open("rb").read().decode("utf-8-sig")


@pytest.mark.parametrize("content", ["姓名,身份证号\n".encode("utf-16"), b"\xff\xfe\xfd\x80abc,\x81\n\xfe"])
def test_unknown_encoding_is_refused_with_a_message(content, django_capture_on_commit_callbacks):
    roster, job = upload(TrainingClassFactory(), content, "r.csv", django_capture_on_commit_callbacks)
    assert roster.status == RosterImport.Status.FAILED and "无法识别文件编码" in roster.message
    assert job.status == Job.Status.FAILED


@pytest.mark.parametrize("content", [b"PK\x03\x04broken", b"not a zip at all", xlsx_bytes([])[:300]])
def test_broken_xlsx_ends_the_job_with_a_message(content, django_capture_on_commit_callbacks):
    roster, job = upload(TrainingClassFactory(), content, "r.xlsx", django_capture_on_commit_callbacks)
    assert roster.status == RosterImport.Status.FAILED and ".xlsx" in roster.message
    assert job.status == Job.Status.FAILED and job.message


def test_nul_and_over_long_names_are_row_errors_not_database_errors(django_capture_on_commit_callbacks):
    klass = TrainingClassFactory()
    rows = good_rows(3)
    rows[0][0] = "张\x00三"
    rows[1][0] = "很" * 65
    content = "\n".join(",".join(r) for r in [HEADERS, *rows]).encode("utf-8")  # openpyxl refuses to write NUL
    roster, _ = upload(klass, content, "r.csv", django_capture_on_commit_callbacks)
    assert (roster.rows_valid, roster.rows_error) == (1, 2)
    result = roster.result_file.open("rb").read().decode("utf-8-sig").splitlines()
    assert "控制字符" in result[1] and "超过 64 个字符" in result[2]
    with django_capture_on_commit_callbacks(execute=True):
        job = roster_import_start(roster, user=staff(klass.institution))
    assert Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED and Person.objects.count() == 1


def test_formula_like_names_are_neutralised_in_the_result_sheet(django_capture_on_commit_callbacks):
    rows = good_rows(1)
    rows[0][0] = "=HYPERLINK(1)"
    rows[0][4] = "@毕业生"
    content = "\n".join(",".join(r) for r in [HEADERS, *rows]).encode("utf-8")
    roster, _ = upload(TrainingClassFactory(), content, "r.csv", django_capture_on_commit_callbacks)
    line = roster.result_file.open("rb").read().decode("utf-8-sig").splitlines()[1]
    assert line.startswith("'=HYPERLINK(1),") and ",'@毕业生," in line


def test_import_pages_answer_the_institution_staff(validated, client):
    klass, roster, _rows = validated
    client.force_login(staff(klass.institution))
    assert client.get(f"/registry/imports/{roster.pk}/").status_code == 200
    client.force_login(UserFactory(role=Role.FINANCE_OFFICER, organisation=klass.institution))
    assert client.get("/registry/imports/new/").status_code == 403
