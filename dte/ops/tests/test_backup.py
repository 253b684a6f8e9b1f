"""`dte backup` / `dte restore` round-trip every row of every table and every stored file (issue 12 item 7),
on SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL; the audit chain still verifies afterwards."""

import hashlib
import io
import json
import tarfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dte.audit.models import AuditEvent
from dte.audit.services import audit_record, audit_verify
from dte.ops.backup import BackupError, backup_tables, storage_files
from dte.privacy.storage import MAGIC

pytestmark = pytest.mark.django_db(transaction=True)


def table_fingerprints() -> dict[str, tuple[int, str]]:
    """(row count, digest of every row in primary-key-independent order) for every backed-up table."""
    result = {}
    quote = connection.ops.quote_name
    for table in backup_tables():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {quote(table)}")
            rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
        result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


def stored_files() -> dict[str, bytes]:
    inner = default_storage.inner
    return {name: inner.open(name, "rb").read() for name in storage_files(inner)}


def wipe_storage():
    for name in storage_files(default_storage.inner):
        default_storage.inner.delete(name)


def audit_some(count: int = 5):
    from dte.geography.models import Division

    division = Division.objects.order_by("code").first()
    for number in range(count):
        audit_record("ops.test", obj=division, after={"n": number, "note": "备份测试"})


@pytest.fixture
def small_site():
    wipe_storage()
    call_command("migrate", verbosity=0)  # content types and permissions, as after `dte migrate`
    from dte.geography.services import divisions_load

    divisions_load()
    audit_some()
    default_storage.save("evidence/a.txt", ContentFile(b"x" * 1000))
    yield
    wipe_storage()


@pytest.fixture
def populated_site():
    wipe_storage()
    call_command("setup", demo_scale=0, verbosity=0, stdout=io.StringIO())
    audit_some()
    default_storage.save("evidence/2026/roster.csv", ContentFile("身份证号,姓名\n110101199003070017,张三\n".encode()))
    default_storage.save("certificates/2026/a b/证书.pdf", ContentFile(b"%PDF-1.7 " + bytes(range(256)) * 300))
    yield
    wipe_storage()


def test_every_row_of_every_model_and_every_file_comes_back(populated_site, tmp_path):
    before_rows, before_files = table_fingerprints(), stored_files()
    model_tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)
                    if m._meta.managed and not m._meta.proxy}
    assert model_tables == set(before_rows)  # every model's table (many-to-many included) is in the backup
    assert sum(count for count, _ in before_rows.values()) > 500
    assert AuditEvent.objects.exists()
    assert len(before_files) >= 2 and all(data.startswith(MAGIC) for data in before_files.values())

    archive = tmp_path / "site.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        stored = {name: tar.extractfile(f"files/{name}").read() for name in manifest["files"]}
    assert {table: entry["rows"] for table, entry in manifest["tables"].items()} == {t: c for t, (c, _) in before_rows.items()}
    assert stored == before_files  # the files in the archive are the sealed bytes: no plaintext in a backup
    assert b"110101199003070017" not in archive.read_bytes()

    # disaster: every table emptied (flush re-creates content types and permissions, as a fresh migrate does)
    call_command("flush", interactive=False, verbosity=0)
    wipe_storage()
    assert table_fingerprints() != before_rows and stored_files() == {}

    out = io.StringIO()
    call_command("restore", str(archive), interactive=False, stdout=out)
    assert "restored" in out.getvalue()
    assert table_fingerprints() == before_rows
    assert stored_files() == before_files
    assert default_storage.open("evidence/2026/roster.csv").read().decode().startswith("身份证号")
    assert audit_verify() == []
    # the id sequences were reset: new rows get fresh ids, no collision with restored ones
    from dte.jobs.models import Job

    job = Job.objects.create(kind="tests.after-restore")
    assert job.pk and Job.objects.filter(kind="tests.after-restore").count() == 1


def test_restore_refuses_a_damaged_archive_and_keeps_the_data(small_site, tmp_path):
    archive = tmp_path / "site.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    before = table_fingerprints()
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                table = "geography_division"
                manifest["tables"][table]["sha256"] = "0" * 64
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="archive damaged"):
        call_command("restore", str(damaged), interactive=False, stdout=io.StringIO())
    assert table_fingerprints() == before  # all or nothing: the transaction rolled back


def test_restore_refuses_a_database_migrated_differently(small_site, tmp_path):
    archive = tmp_path / "site.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('ops', '9999_future', CURRENT_TIMESTAMP)")
    try:
        with pytest.raises(CommandError, match="not migrated like the backup"):
            call_command("restore", str(archive), interactive=False, stdout=io.StringIO())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_migrations WHERE app = 'ops' AND name = '9999_future'")


def test_not_a_backup(tmp_path):
    from dte.ops.backup import backup_restore

    path = tmp_path / "other.tar"
    with tarfile.open(path, "w") as tar:
        tar.addfile(tarfile.TarInfo("readme.txt"), io.BytesIO(b""))
    with pytest.raises(BackupError, match="manifest.json missing"):
        backup_restore(str(path))
