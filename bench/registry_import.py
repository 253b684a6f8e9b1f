"""Benchmark: roster validation + import as background jobs (registry, issues 4 and 12).

Generates a 100,000-row roster (.xlsx, or .csv with --format csv) with ~5 % bad rows mixed in
(bad ID checksum, impossible graduation date, duplicate ID inside the file, bad phone), then
runs the `registry.import_validate` and `registry.import_commit` jobs (enrolling the valid rows
into one class against a plan quota) and prints elapsed time, rows/second and peak memory.

Reference in the same run (bench/README.md): the same rows (the in-file duplicates left out) written
with PostgreSQL COPY into a temporary table with a unique index on the ID number (on SQLite: one
executemany INSERT into such a table), from memory, nothing checked — the floor of "writing the rows".
Goal (issue 12 item 1): ≥ 10,000 rows/s end to end on PostgreSQL, peak RSS ≤ 300 MB.

  .venv/bin/python bench/registry_import.py [--rows 100000] [--format xlsx|csv]
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h1 .venv/bin/python bench/registry_import.py --format csv

Without DATABASE_URL a fresh SQLite file in a temporary directory is used. A PostgreSQL database
is dropped and created afresh, then migrated (the roster's people must be new to it; it is kept
after the run for inspection): use a disposable one.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from database import backend_cpu, ensure_database  # noqa: E402  (bench/, on the path above)
TMP = Path(tempfile.mkdtemp(prefix="dte-import-bench-"))
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dte.settings.local")
os.environ.setdefault("DTE_MEDIA_ROOT", str(TMP / "media"))
os.environ["DEBUG"] = "0"

HEADERS = ["姓名", "身份证号", "手机号", "居住地区划代码", "人员类别", "毕业日期"]
COUNTIES = ["140105", "140106", "140107", "140108", "140109", "140110"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def server_cpu() -> float:
    return backend_cpu() or 0.0  # 0 where the database is not a local PostgreSQL


def rows(count: int, seed: int = 4):
    """(row, kind) with ~5 % bad rows of four kinds, valid IDs unique (sequence per area+birthday)."""
    from stdnum.cn import ric

    rng = random.Random(seed)
    base, used = date(1998, 1, 1), set()
    previous_id = None
    for i in range(count):
        while True:
            area, birth, seq = rng.choice(COUNTIES), base + timedelta(days=rng.randrange(0, 6 * 365)), rng.randrange(1000)
            body = f"{area}{birth:%Y%m%d}{seq:03d}"
            if body not in used:
                used.add(body)
                break
        number = body + ric.calc_check_digit(body + "0")
        row = [f"学员{i}", number, f"13{rng.randrange(0, 10**9):09d}", area, "毕业生", "2024-06-30"]
        kind = "ok"
        roll = rng.random()
        if roll < 0.0125:
            row[1], kind = body + ("0" if number[-1] != "0" else "1"), "checksum"
        elif roll < 0.025:
            row[5], kind = "2024-13-45", "date"
        elif roll < 0.0375 and previous_id:
            row[1], kind = previous_id, "duplicate"
        elif roll < 0.05:
            row[2], kind = "1380013", "phone"
        previous_id = number
        yield row, kind


def write_roster(path: Path, count: int, fmt: str) -> dict:
    kinds: dict[str, int] = {}
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            for row, kind in rows(count):
                writer.writerow(row)
                kinds[kind] = kinds.get(kind, 0) + 1
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("学员名单")
        ws.append(HEADERS)
        for row, kind in rows(count):
            ws.append(row)
            kinds[kind] = kinds.get(kind, 0) + 1
        wb.save(path)
    return kinds


def seed_reference(places: int):
    from dte.catalogue.models import InstitutionListing, ListingCoverage, Occupation
    from dte.geography.models import Division
    from dte.organisations.models import Organisation
    from dte.registry.models import AnnualPlan, PlanQuota, TrainingClass

    def division(code, level, parent=None):
        return Division.objects.get_or_create(code=code, defaults={"name": code, "level": level, "parent": parent})[0]

    china = division("000000", "national")
    shanxi = division("140000", "province", china)
    taiyuan = division("140100", "prefecture", shanxi)
    for code in COUNTIES:
        division(code, "county", taiyuan)
    occupation, _ = Occupation.objects.get_or_create(code="2-02-10-09", defaults={"name": "人工智能工程技术人员"})
    school, _ = Organisation.objects.get_or_create(name="基准测试大学", division=taiyuan, defaults={"kind": "training"})
    listing, _ = InstitutionListing.objects.get_or_create(organisation=school, kind="training", province=shanxi,
                                                          defaults={"listed_on": date(2024, 1, 1)})
    ListingCoverage.objects.get_or_create(listing=listing, occupation=occupation, level="junior")
    plan, _ = AnnualPlan.objects.get_or_create(province=shanxi, year=2024, title="基准测试年度计划")
    quota, _ = PlanQuota.objects.get_or_create(plan=plan, institution=school, occupation=occupation,
                                               defaults={"places": places})
    klass = TrainingClass.objects.create(institution=school, occupation=occupation, level="junior", title="基准测试班",
                                         division=taiyuan, start_date=date(2024, 9, 2), end_date=date(2024, 10, 31),
                                         capacity=places, quota=quota)
    from dte.organisations.models import User
    from dte.organisations.roles import Role

    user, _ = User.objects.get_or_create(username="bench_import_staff",
                                         defaults={"role": Role.TRAINING_STAFF, "organisation": school})
    return school, klass, user


def reference_copy(count: int) -> tuple[float, int]:
    """(seconds, rows) to write the roster's rows, in-file duplicates left out, into a temporary table
    with a unique index: COPY on PostgreSQL, executemany INSERT on SQLite."""
    from django.db import connection, transaction

    seen, data = set(), []
    for row, _kind in rows(count):
        if row[1] not in seen:
            seen.add(row[1])
            data.append(tuple(row))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_ref (name text, id_number text, phone text, division text, "
                       "status text, graduation text)")
        cursor.execute("CREATE UNIQUE INDEX bench_ref_id ON bench_ref (id_number)")
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY bench_ref FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        else:
            cursor.executemany("INSERT INTO bench_ref VALUES (%s, %s, %s, %s, %s, %s)", data)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_ref")
    return elapsed, len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    args = parser.parse_args()
    if os.environ["DATABASE_URL"].startswith("postgres"):
        ensure_database(os.environ["DATABASE_URL"], fresh=True)

    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    from dte.jobs.models import Job
    from dte.registry.imports import roster_import_start, roster_upload
    from dte.registry.models import Enrolment, Person, RosterImport

    call_command("migrate", verbosity=0)
    school, klass, user = seed_reference(places=args.rows * 2)
    path = TMP / f"roster.{args.format}"
    started = time.perf_counter()
    kinds = write_roster(path, args.rows, args.format)
    print(f"database: {connection.vendor} · roster {path.name}: {args.rows:,} rows, bad rows {sum(v for k, v in kinds.items() if k != 'ok'):,} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()) if k != 'ok')}) · written in {time.perf_counter() - started:.1f}s "
          f"· {path.stat().st_size / 1e6:.1f} MB")
    before = peak_mb()
    people_before = Person.objects.count()
    from django.urls import reverse

    reverse("registry:import", args=[1])  # a worker's one-time start-up (URLconf import), not per-job work
    ref_before = reference_copy(args.rows)  # the reference before and after the jobs: a busy machine moves both

    started, cpu, db_cpu = time.perf_counter(), time.process_time(), server_cpu()
    with open(path, "rb") as handle:
        roster, job = roster_upload(institution=school, upload=File(handle, name=path.name), training_class=klass,
                                   user=user)
    job.refresh_from_db()
    roster.refresh_from_db()
    validate_s, validate_cpu = time.perf_counter() - started, time.process_time() - cpu
    validate_db = server_cpu() - db_cpu
    assert job.status == Job.Status.SUCCEEDED, job.error
    print(f"validate job #{job.pk}: {validate_s:.1f}s · {roster.rows_total / validate_s:,.0f} rows/s · valid {roster.rows_valid:,}"
          f" · errors {roster.rows_error:,} · CPU {validate_cpu:.1f}s ({validate_cpu / roster.rows_total * 1e6:.0f} µs/row)"
          f" + database server {validate_db:.1f}s"
          f" · peak RSS {peak_mb():.0f} MB")

    started, cpu, db_cpu = time.perf_counter(), time.process_time(), server_cpu()
    job = roster_import_start(roster, user=user)
    job.refresh_from_db()
    roster.refresh_from_db()
    commit_s, commit_cpu = time.perf_counter() - started, time.process_time() - cpu
    commit_db = server_cpu() - db_cpu
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert roster.status == RosterImport.Status.IMPORTED
    created = Person.objects.count() - people_before
    print(f"import job #{job.pk}: {commit_s:.1f}s · {roster.rows_total / commit_s:,.0f} rows/s (the kept result re-checked against the registry, then written) · "
          f"{created:,} people created · {Enrolment.objects.filter(training_class=klass).count():,} enrolled · "
          f"CPU {commit_cpu:.1f}s ({commit_cpu / roster.rows_total * 1e6:.0f} µs/row) + database server {commit_db:.1f}s"
          f" · peak RSS {peak_mb():.0f} MB")
    total = validate_s + commit_s
    print(f"TOTAL {args.rows:,} rows: {total:.1f}s · {args.rows / total:,.0f} rows/s end to end · "
          f"CPU {validate_cpu + commit_cpu:.1f}s here + {validate_db + commit_db:.1f}s database server · peak RSS {peak_mb():.0f} MB (after writing the roster: {before:.0f} MB)")
    ref_after = reference_copy(args.rows)
    ref_s, ref_rows = min(ref_before[0], ref_after[0]), ref_after[1]
    kind = "COPY" if connection.vendor == "postgresql" else "executemany INSERT"
    print(f"REFERENCE {kind} of {ref_rows:,} rows into a temp table with a unique index: {ref_s:.2f}s "
          f"(before the jobs {ref_before[0]:.2f}s, after {ref_after[0]:.2f}s) · {ref_rows / ref_s:,.0f} rows/s · "
          f"the import end to end takes {total / ref_s:.0f}× the reference's time · load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
