"""`dte backup PATH` / `dte restore PATH` (issue 12 item 7): every row of every table and every uploaded
file in one tar archive, and back.

Archive (plain tar, streamed; nothing held in memory whole):
  manifest.json            format, database vendor, applied migrations, per table its columns, row count
                           and SHA-256, per file its size and SHA-256
  db/<table>.gz            PostgreSQL: the table as `COPY … TO STDOUT` text (exact for every type, fast);
                           SQLite: one JSON array per row (bytes as {"b64": …})
  files/<name>             each stored file's bytes exactly as stored, i.e. still sealed by
                           dte.privacy.storage (AES-GCM): a backup holds no readable uploads

Rows are copied as the database stores them, so encrypted fields stay ciphertext and the audit chain's
HMACs (dte.audit) verify after a restore with the same DTE_AUDIT_KEY; files need the same DTE_DATA_KEY.
A backup therefore holds no personal data in the clear beyond what the database itself holds in the clear
(个人信息保护法 第五十一条: 加密等安全技术措施; the archive is written with mode 0600).
PostgreSQL dumps inside one REPEATABLE READ, READ ONLY transaction (one consistent snapshot while the
site keeps running); SQLite inside one transaction.

Restore replaces the content of every table (one transaction: all or nothing) into a database migrated to
exactly the same migrations (`dte migrate` first; a backup from another release is refused, restore it with
that release, then migrate), checks every checksum before committing, resets the id sequences, and writes
the files back. Files present in storage but not in the backup are left in place and counted.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from base64 import b64decode, b64encode
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction

FORMAT = "dte-backup/1"
CHUNK = 1 << 16
BATCH = 2000


class BackupError(Exception):
    pass


@dataclass
class BackupReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    file_bytes: int = 0
    extra_files: int = 0
    seconds: float = 0.0
    per_table: dict = field(default_factory=dict)


# ---------------------------------------------------------------- what is backed up

def backup_tables(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Every table of every installed model, many-to-many tables included, that exists in the database.
    django_migrations is not copied: it is compared (the target must be migrated identically)."""
    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in existing:
            continue
        tables.add(meta.db_table)
    return sorted(tables)


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    return sorted([app, name] for app, name in MigrationRecorder(connections[alias]).applied_migrations())


def _storage_backend():
    """The storage under the encryption wrapper, so files are copied sealed, byte for byte."""
    return getattr(default_storage, "inner", default_storage)


def storage_files(storage=None) -> list[str]:
    storage = storage or _storage_backend()
    found, pending = [], [""]
    while pending:
        folder = pending.pop()
        try:
            directories, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        for name in files:
            found.append(f"{folder}/{name}" if folder else name)
        for name in directories:
            pending.append(f"{folder}/{name}" if folder else name)
    return sorted(found)


# ---------------------------------------------------------------- row encoding

def _columns(cursor, table: str, quote) -> list[str]:
    cursor.execute(f"SELECT * FROM {quote(table)} WHERE 1 = 0")
    return [column[0] for column in cursor.description]


def _json_value(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"b64": b64encode(bytes(value)).decode()}
    return value


def _from_json(value):
    if isinstance(value, dict) and set(value) == {"b64"}:
        return b64decode(value["b64"])
    return value


def _dump_table(connection, table: str, columns: list[str], sink) -> int:
    """Write the table's rows to the binary `sink`; returns the row count."""
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        rows = 0
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {quote(table)} ({column_sql}) TO STDOUT") as copy:
                for data in copy:
                    data = bytes(data)
                    rows += data.count(b"\n")  # text format escapes newlines inside values
                    sink.write(data)
        return rows
    # SQLite: `+column` (a no-op operator) hides the declared type, so Django's converters leave the stored
    # value alone (text datetimes stay the exact text, etc.) and the restore writes back the same bytes.
    raw_sql = ", ".join(f"+{quote(column)}" for column in columns)
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {raw_sql} FROM {quote(table)}")
        while batch := cursor.fetchmany(BATCH):
            for row in batch:
                sink.write(json.dumps([_json_value(value) for value in row], ensure_ascii=False).encode() + b"\n")
            rows += len(batch)
    return rows


def _load_table(connection, table: str, columns: list[str], source) -> int:
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        rows = 0
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {quote(table)} ({column_sql}) FROM STDIN") as copy:
                while data := source.read(CHUNK):
                    rows += data.count(b"\n")
                    copy.write(data)
        return rows
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(table)} ({column_sql}) VALUES ({placeholders})"
    rows, batch = 0, []
    with connection.cursor() as cursor:
        for line in source:
            batch.append([_from_json(value) for value in json.loads(line)])
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                rows, batch = rows + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            rows += len(batch)
    return rows


def _add_spooled(archive: tarfile.TarFile, name: str, spool) -> None:
    info = tarfile.TarInfo(name)
    info.size = spool.tell()
    info.mtime = int(time.time())
    info.mode = 0o600
    spool.seek(0)
    archive.addfile(info, spool)


# ---------------------------------------------------------------- backup

def backup_write(path: str, alias: str = DEFAULT_DB_ALIAS, progress=None) -> BackupReport:
    """Write the archive to `path` (written beside it and renamed into place when complete; mode 0600)."""
    started = time.perf_counter()
    connection = connections[alias]
    report = BackupReport()
    manifest = {"format": FORMAT, "vendor": connection.vendor, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "tables": {}, "files": {}}
    directory = os.path.dirname(os.path.abspath(path))
    handle, partial = tempfile.mkstemp(prefix=".dte-backup-", dir=directory)
    os.close(handle)
    try:
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            with transaction.atomic(using=alias):
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                manifest["migrations"] = applied_migrations(alias)
                for table in backup_tables(alias):
                    with connection.cursor() as cursor:
                        columns = _columns(cursor, table, connection.ops.quote_name)
                    digest = hashlib.sha256()  # of the uncompressed rows
                    with tempfile.TemporaryFile(dir=directory) as spool:
                        with gzip.GzipFile(fileobj=spool, mode="wb", compresslevel=3, mtime=0) as zipped:
                            rows = _dump_table(connection, table, columns, _Tee(zipped, digest))
                        _add_spooled(archive, f"db/{table}.gz", spool)
                    manifest["tables"][table] = {"columns": columns, "rows": rows, "sha256": digest.hexdigest()}
                    report.tables += 1
                    report.rows += rows
                    report.per_table[table] = rows
                    if progress:
                        progress(f"{table}: {rows} rows")
            storage = _storage_backend()
            for name in storage_files(storage):
                digest, size = hashlib.sha256(), 0
                with storage.open(name, "rb") as source, tempfile.TemporaryFile(dir=directory) as spool:
                    while data := source.read(CHUNK):
                        digest.update(data)
                        size += len(data)
                        spool.write(data)
                    _add_spooled(archive, f"files/{name}", spool)
                manifest["files"][name] = {"size": size, "sha256": digest.hexdigest()}
                report.files += 1
                report.file_bytes += size
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
            archive.addfile(info, io.BytesIO(body))
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    report.seconds = time.perf_counter() - started
    return report


class _Tee:
    """Write to the gzip stream and feed the digest of the uncompressed bytes."""

    def __init__(self, target, digest):
        self.target, self.digest = target, digest

    def write(self, data):
        self.digest.update(data)
        return self.target.write(data)


# ---------------------------------------------------------------- restore

def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile("manifest.json"))
    except KeyError:
        raise BackupError("not a dte backup: manifest.json missing") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r} (expected {FORMAT})")
    return manifest


class _DigestReader(io.RawIOBase):
    def __init__(self, source):
        self.source, self.digest = source, hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.source.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def backup_restore(path: str, alias: str = DEFAULT_DB_ALIAS, progress=None) -> BackupReport:
    started = time.perf_counter()
    connection = connections[alias]
    report = BackupReport()
    with tarfile.open(path, "r:") as archive:
        manifest = _read_manifest(archive)
        if manifest["vendor"] != connection.vendor:
            raise BackupError(f"backup is from {manifest['vendor']}, this database is {connection.vendor}: "
                              "restore into the same kind of database")
        here = applied_migrations(alias)
        if here != manifest["migrations"]:
            missing = {tuple(m) for m in manifest["migrations"]} - {tuple(m) for m in here}
            extra = {tuple(m) for m in here} - {tuple(m) for m in manifest["migrations"]}
            raise BackupError(
                "the database is not migrated like the backup "
                f"({len(missing)} of its migrations not applied here, {len(extra)} applied here that it lacks"
                + (f", e.g. {'.'.join(sorted(missing or extra)[0])}" if (missing or extra) else "")
                + "): run `dte migrate` with the release that wrote the backup, restore, then migrate")
        tables = backup_tables(alias)
        unknown = sorted(set(manifest["tables"]) - set(tables))
        if unknown:
            raise BackupError(f"backup has tables this database lacks: {', '.join(unknown[:5])}")
        files_expected = manifest["files"]
        for member in archive.getmembers():  # every file entry must be one the manifest lists (no path tricks)
            if member.name.startswith("files/") and member.name[len("files/"):] not in files_expected:
                raise BackupError(f"unexpected archive member {member.name}")
        with transaction.atomic(using=alias):
            with connection.cursor() as cursor:
                for statement in connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=False):
                    cursor.execute(statement)
            for table, entry in manifest["tables"].items():
                with connection.cursor() as cursor:
                    columns = _columns(cursor, table, connection.ops.quote_name)
                if columns != entry["columns"]:
                    raise BackupError(f"table {table} has columns {columns}, the backup {entry['columns']}")
                reader = _DigestReader(gzip.GzipFile(fileobj=archive.extractfile(f"db/{table}.gz")))
                rows = _load_table(connection, table, columns, io.BufferedReader(reader, CHUNK))
                if rows != entry["rows"] or reader.digest.hexdigest() != entry["sha256"]:
                    raise BackupError(f"table {table}: archive damaged (rows {rows} of {entry['rows']}, checksum mismatch)")
                report.tables += 1
                report.rows += rows
                report.per_table[table] = rows
                if progress:
                    progress(f"{table}: {rows} rows")
            models = [model for model in apps.get_models(include_auto_created=True)
                      if model._meta.db_table in manifest["tables"] and not model._meta.proxy]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:  # deferred foreign keys: name any broken one before commit
                    cursor.execute("PRAGMA foreign_key_check")
                    broken = cursor.fetchall()
                if broken:
                    raise BackupError(f"foreign keys broken after restore, e.g. {broken[0]}")
        storage = _storage_backend()
        for name, entry in files_expected.items():
            source = archive.extractfile(f"files/{name}")
            with tempfile.TemporaryFile() as spool:
                digest = hashlib.sha256()
                while data := source.read(CHUNK):
                    digest.update(data)
                    spool.write(data)
                if digest.hexdigest() != entry["sha256"]:
                    raise BackupError(f"file {name}: archive damaged (checksum mismatch)")
                spool.seek(0)
                if storage.exists(name):
                    storage.delete(name)
                saved = storage.save(name, File(spool, name=os.path.basename(name)))
            if saved != name:
                raise BackupError(f"file {name} was stored as {saved}")
            report.files += 1
            report.file_bytes += entry["size"]
        report.extra_files = len(set(storage_files(storage)) - set(files_expected))
    report.seconds = time.perf_counter() - started
    return report
