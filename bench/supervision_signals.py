"""Benchmark: every risk signal over a demo province, and the targets dashboard.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sup .venv/bin/python bench/supervision_signals.py [PEOPLE]
(default 1,000,000; the database is disposable: it is migrated and filled on the first run, reused after).

Fills one province (Shanxi) with PEOPLE trainees in classes of 50, each class with BENCH_SESSIONS
(default 4) offline sessions and one check-in per trainee and session (written with PostgreSQL COPY),
a training certificate for every trainee and a level certificate for every second one (the targets'
measures), 99 % of 30-day reports filed, plus the demo's planted anomaly of each kind. Then prints, for the province officer:
the time to compute all risk signals (goal ≤ 60 s) with the signals found, and the targets
dashboard (/reporting/targets/) cold and warm (goal ≤ 200 ms warm; warm = the five-minute cache of
the progress figures), with the reference of a bare
COUNT over the same tables in the same run, and peak memory.
"""

import os
import random
import resource
import sys
import time
from datetime import date, datetime, timedelta, timezone as dt_timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dte.settings.local")
os.environ["DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

CLASS_SIZE = 50
SESSIONS = int(os.environ.get("BENCH_SESSIONS", 4))


def _copy(table: str, columns: list[str], rows) -> None:
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def populate(people: int) -> None:
    from dte.demo.people import people_generate
    from dte.geography.models import Division
    from dte.organisations.models import Organisation
    from dte.registry.models import Person, TrainingClass
    from dte.training.models import Session, Venue
    from dte.catalogue.models import Occupation

    call_command("migrate", verbosity=0)
    if not Organisation.objects.exists():
        call_command("setup", demo_scale=1, verbosity=0)  # reference data, demo accounts and planted anomalies
    from dte.training.models import Attendance

    if Attendance.objects.filter(session__training_class__title__startswith="基准班").exists():
        return
    TrainingClass.objects.filter(title__startswith="基准班").exists() and sys.exit(
        "an earlier fill stopped half-way: drop and recreate the benchmark database")
    counties = list(Division.objects.filter(code__startswith="14", level=Division.Level.COUNTY).values_list("code", flat=True))
    institutions = list(Organisation.objects.filter(kind="training", division__code__startswith="14").order_by("pk"))
    started = time.perf_counter()
    people_generate(max(0, people - Person.objects.filter(division__code__startswith="14").count()), seed=11, counties=counties, registered_by_id=institutions[0].pk, batch_size=5000)
    print(f"fill: {people:,} people in {time.perf_counter() - started:.0f} s", flush=True)
    occupation = Occupation.objects.order_by("pk").first()
    person_ids = list(Person.objects.filter(division__code__startswith="14").order_by("pk").values_list("pk", flat=True))[:people]
    venues = {org.pk: Venue.objects.get_or_create(institution=org, name="基准测试场地", defaults=dict(
        division_id=org.division_id, lat=37.87, lon=112.55, radius_m=200))[0] for org in institutions}
    classes = [TrainingClass(institution=institutions[i % len(institutions)], occupation=occupation, level="junior",
                             title=f"基准班{i}", division_id=institutions[i % len(institutions)].division_id,
                             start_date=date(2025, 3, 3) + timedelta(days=i % 200), end_date=date(2025, 4, 3) + timedelta(days=i % 200),
                             capacity=CLASS_SIZE, status="completed") for i in range((len(person_ids) + CLASS_SIZE - 1) // CLASS_SIZE)]
    TrainingClass.objects.bulk_create(classes, batch_size=5000)
    classes = list(TrainingClass.objects.filter(title__startswith="基准班").order_by("pk"))
    sessions = [Session(training_class=c, title=f"第{s + 1}次课", starts_at=datetime(2025, 3, 3, 1, tzinfo=dt_timezone.utc)
                        + timedelta(days=(c.pk % 200) + s), ends_at=datetime(2025, 3, 3, 4, tzinfo=dt_timezone.utc)
                        + timedelta(days=(c.pk % 200) + s), hours=4, delivery="offline", kind="theory",
                        venue=venues[c.institution_id]) for c in classes for s in range(SESSIONS)]
    Session.objects.bulk_create(sessions, batch_size=5000)
    by_class = {}
    for session_id, class_id, starts in Session.objects.filter(training_class__title__startswith="基准班").values_list(
            "pk", "training_class_id", "starts_at"):
        by_class.setdefault(class_id, []).append((session_id, starts))
    from dte.registry.models import Enrolment

    batch = []
    for i, pid in enumerate(person_ids):
        batch.append(Enrolment(training_class_id=classes[i // CLASS_SIZE].pk, person_id=pid, status="completed"))
        if len(batch) == 10000:
            Enrolment.objects.bulk_create(batch)
            batch = []
    Enrolment.objects.bulk_create(batch)

    # read before COPY starts: the connection cannot run a query while a COPY is open on it
    enrolments = list(Enrolment.objects.filter(training_class__title__startswith="基准班").values_list("pk", "training_class_id"))
    rng = random.Random(5)
    now = datetime.now(dt_timezone.utc)

    def attendance():
        for enrolment_id, class_id in enrolments:
            for session_id, starts in by_class[class_id]:
                at = starts - timedelta(seconds=rng.randint(30, 1200))
                yield (session_id, enrolment_id, "present", "web", at, 0, 37.87, 112.55, 10.0, 15.0, f"dev-{enrolment_id}", None, "")
    started = time.perf_counter()
    _copy("training_attendance", ["session_id", "enrolment_id", "status", "source", "checked_in_at", "online_minutes", "lat",
                                  "lon", "accuracy_m", "distance_m", "device_id", "ip", "note"], attendance())
    print(f"fill: {len(person_ids) * SESSIONS:,} attendance rows in {time.perf_counter() - started:.0f} s", flush=True)
    # 99 % of classes filed their 30-day report; every hundredth did not (overdue_report signals)
    from dte.training.models import TrainingReport
    from dte.organisations.models import User

    staff = User.objects.filter(role="training_staff").order_by("pk").first()
    TrainingReport.objects.bulk_create([TrainingReport(training_class=c, submitted_at=now, submitted_by=staff, rows=[])
                                        for c in classes if c.pk % 100], batch_size=5000)
    # every trainee holds a training certificate, every second one a level certificate (the targets' measures)
    evaluator = Organisation.objects.filter(kind="evaluation", division__code__startswith="14").order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO training_trainingcertificate (number, snapshot, snapshot_sha256, pdf, pdf_sha256, issued_on, status,
                   revoked_reason, enrolment_id, issued_by_id, verify_token)
            SELECT 'B' || e.id, '{}'::jsonb, '', '', '', c.end_date + 3, 'valid', '', e.id, %s, md5('t' || e.id)
            FROM registry_enrolment e JOIN registry_trainingclass c ON c.id = e.training_class_id
            WHERE c.title LIKE '基准班%%'""", [staff.pk])
        cursor.execute("""
            INSERT INTO credentials_levelcertificate (number, token, level, direction, issuer_name, exam_date,
                   national_reference, source_label, issued_on, status, status_reason, snapshot, snapshot_sha256, key_id,
                   signature, pdf, pdf_sha256, pdf_signature, created_at, issued_by_id, issuer_id, occupation_id, person_id)
            SELECT 'L' || e.id, md5('l' || e.id), c.level, '', %s, c.end_date + 20, '', 'bench', c.end_date + 60, 'valid', '',
                   '{}'::jsonb, '', '', '', '', '', '', now(), %s, %s, c.occupation_id, e.person_id
            FROM registry_enrolment e JOIN registry_trainingclass c ON c.id = e.training_class_id
            WHERE c.title LIKE '基准班%%' AND e.id %% 2 = 0
              AND NOT EXISTS (SELECT 1 FROM credentials_levelcertificate x WHERE x.person_id = e.person_id)""", [evaluator.name, staff.pk, evaluator.pk])
        cursor.execute("ANALYZE")


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("run against PostgreSQL: DATABASE_URL=postgres://…")
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    populate(people)
    from dte.organisations.models import User
    from dte.supervision.services.risk import DETECTORS, risk_signals

    officer = User.objects.get(username="sx_province")
    print(f"database: postgresql, attendance rows: "
          f"{__import__('dte.training.models', fromlist=['Attendance']).Attendance.objects.count():,}")
    for detect in DETECTORS:
        started = time.perf_counter()
        found = detect(officer)
        print(f"  {detect.__name__:24s} {time.perf_counter() - started:6.2f} s  {len(found)} signals")
    started = time.perf_counter()
    signals = risk_signals(officer)
    print(f"all risk signals: {time.perf_counter() - started:.1f} s, {len(signals)} open (goal ≤ 60 s)")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT device_id) FROM training_attendance")
        cursor.fetchone()
    print(f"reference: one scan of the attendance table {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:  # the hand-written query of the Shanxi target and its year breakdown
        cursor.execute("""SELECT extract(year FROM issued_on), count(DISTINCT person_id) FROM credentials_levelcertificate
                          WHERE status = 'valid' AND issuer_id IN (SELECT id FROM organisations_organisation
                          WHERE division_id LIKE '14%%') GROUP BY 1""")
        cursor.fetchall()
    print(f"reference: hand-written GROUP BY of the targets' measure {(time.perf_counter() - started) * 1000:.0f} ms")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(officer)
    for run in ("cold", "warm", "warm"):
        started = time.perf_counter()
        response = client.get("/reporting/targets/")
        print(f"targets dashboard {run}: HTTP {response.status_code} in {(time.perf_counter() - started) * 1000:.0f} ms (goal ≤ 200 ms warm)")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
