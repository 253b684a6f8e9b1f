"""Subsidy claims benchmark (issue 10): build and evaluate claims for N trainees with history.

Setup (not timed): N persons in classes of 50 across the five provinces (completed, 8 attended
offline sessions of 8 hours each, completion decisions; Shanxi classes with employment records;
Tibet and Yunnan with a standard entered in the catalogue), and for every person an earlier paid
claim line in the same province (10 % of them for the same occupation and level, which the packs
refuse). Exam results and level certificates are supplied in memory through the two provider
functions of dte.subsidy.facts (the assessment and credentials apps' own creation paths — signing,
PDFs — are not what this measures). Setup ends with ANALYZE, the statistics autovacuum would gather
after such a bulk load (the PostgreSQL of the benchmark machine runs with autovacuum off).

Timed: the claims of every class — by default the set-based path
(dte.subsidy.services.claims_bulk.claims_create_for_classes: per chunk of 5,000 trainees one query
per family of facts — attended days and hours summed in the database —, the per-person locks, the
province's claim-line history, the pack on the training's dates once per distinct case, lines
written with COPY from plain rows — their parameters and trace once per distinct decision,
ClaimExplanation — and one audit event per claim, appended in one statement per chunk);
`--path per-class` times `claim_create` class by class (the web UI's path). Reports seconds,
trainees/second, the CPU time of this process and peak RSS, beside two same-run references: one raw SQL pass over the same rows
(attended days and hours, completions, history) and the bare policy engine on the same cases.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h6 .venv/bin/python bench/subsidy_claims.py --trainees 100000
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import date, datetime, timedelta, timezone as dt_timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from database import backend_cpu, ensure_database  # noqa: E402  (bench/, on the path above)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dte.settings.local")

PROVINCES = [("140100", "graduate"), ("120101", "employee"), ("450100", "employee"), ("540100", "employee"), ("530100", "employee")]
CODE, OTHER, START, END = "2-02-10-09", "2-02-10-11", date(2025, 3, 3), date(2025, 3, 20)
CLASS_SIZE = 50


def setup(trainees: int):
    """Create the PostgreSQL database named in DATABASE_URL if needed, set Django up, migrate."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        ensure_database(url)
    else:
        print("warning: DATABASE_URL is not PostgreSQL; figures will not be representative", file=sys.stderr)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(trainees: int):
    from django.contrib.auth.hashers import make_password  # noqa: F401  (settings import side effects)
    from django.db import transaction

    from dte.catalogue.models import SubsidyStandard
    from dte.demo.people import make_id_number
    from dte.organisations.models import Organisation, User
    from dte.organisations.tests.factories import division
    from dte.registry.models import Enrolment, Person, TrainingClass
    from dte.registry.services import id_index_of
    from dte.registry.tests.factories import occupation
    from dte.subsidy.models import Claim, ClaimLine, EmploymentRecord
    from dte.training.models import Attendance, CompletionDecision, Session

    tag = datetime.now().strftime("%H%M%S")
    occ, other = occupation(CODE), occupation(OTHER)
    classes, by = [], None
    with transaction.atomic():
        for county, _ in PROVINCES:
            division(county)
        bureau = Organisation.objects.create(name=f"bench bureau {tag}", kind="bureau", division_id="140000")
        by = User.objects.create(username=f"bench-{tag}", role="province_officer", organisation=bureau)
        for code in ("540000", "530000"):
            SubsidyStandard.objects.get_or_create(province_id=code, occupation=occ, level="junior", effective_from=date(2025, 1, 1),
                                                  defaults={"amount_fen": 300000, "citation": "bench standard"})
        n_classes = trainees // CLASS_SIZE
        insts = Organisation.objects.bulk_create([Organisation(name=f"bench inst {tag}-{i}", kind="training",
                                                               division_id=PROVINCES[i % 5][0]) for i in range(n_classes)])
        mk = lambda i, inst, start, end, status, oc: TrainingClass(  # noqa: E731
            institution=inst, occupation=oc, level="junior", title=f"bench {tag} {i}", mode="subsidised", division_id=inst.division_id,
            start_date=start, end_date=end, status=status)
        classes = TrainingClass.objects.bulk_create([mk(i, inst, START, END, "completed", occ) for i, inst in enumerate(insts)])
        earlier = TrainingClass.objects.bulk_create([mk(i, inst, date(2024, 3, 4), date(2024, 3, 22), "completed", other)
                                                     for i, inst in enumerate(insts)])
        old_claims = Claim.objects.bulk_create([Claim(kind="class", training_class=k, institution_id=k.institution_id,
                                                      province_id=k.division_id[:2] + "0000", budget_year=2024, status="released",
                                                      submitted_by=by) for k in earlier])
    print(f"setup: {len(classes)} classes", flush=True)
    seq = 0
    for ci, k in enumerate(classes):
        status = PROVINCES[ci % 5][1]
        people = []
        for j in range(CLASS_SIZE):
            seq += 1
            number = make_id_number(k.division_id, date(1990, 1, 1) + timedelta(days=seq % 9000), seq % 1000)
            people.append(Person(name=f"学员{seq}", id_number=number, id_index=id_index_of(number + tag + str(seq)), birth_date=date(1995, 1, 1),
                                 gender="M", division_id=k.division_id, employment_status=status, graduation_date=date(2024, 6, 30)))
        with transaction.atomic():
            people = Person.objects.bulk_create(people)
            enrols = Enrolment.objects.bulk_create([Enrolment(training_class=k, person=p, status="completed") for p in people])
            sessions = Session.objects.bulk_create([Session(
                training_class=k, title=f"第{d + 1}讲", starts_at=datetime(2025, 3, 3 + d, 1, tzinfo=dt_timezone.utc),
                ends_at=datetime(2025, 3, 3 + d, 9, tzinfo=dt_timezone.utc), hours=8, delivery="offline", kind="theory") for d in range(8)])
            Attendance.objects.bulk_create([Attendance(session=s, enrolment=e, status="present", source="teacher")
                                            for s in sessions for e in enrols])
            now = datetime.now(dt_timezone.utc)
            CompletionDecision.objects.bulk_create([CompletionDecision(enrolment=e, completed=True, decided_at=now) for e in enrols])
            if k.division_id.startswith("14"):
                EmploymentRecord.objects.bulk_create([EmploymentRecord(enrolment=e, status="employed", employer="bench", recorded_by=by)
                                                      for e in enrols])
            old = old_claims[ci]
            ClaimLine.objects.bulk_create([ClaimLine(
                claim=old, person=p, item="training_subsidy", occupation_code=CODE if n % 10 == 0 else OTHER, level="junior",
                amount_fen=80000, payee="institution", status="paid", pack="bench", pack_version="bench", reference_date=date(2024, 3, 4))
                for n, p in enumerate(people)])
        if ci % 200 == 0:
            print(f"  {ci * CLASS_SIZE} trainees", flush=True)
    # Statistics for the rows just loaded, as autovacuum gathers them after a bulk load on a production
    # server (this machine's PostgreSQL runs with autovacuum off). Without them the planner takes the
    # 800,000 attendance rows and the claim-line history for a few hundred and scans them whole for
    # every chunk (measured: two thirds of the database time), which is not what a claim run meets.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return classes, by


def provide_exams(classes):
    from dte.assessment.selectors import ExamOutcome
    from dte.registry.models import Enrolment
    from dte.subsidy import facts

    ids = set(Enrolment.objects.filter(training_class__in=classes).values_list("person_id", flat=True))
    facts.exam_outcomes_for_people = lambda people: {
        p: [ExamOutcome(p, 0, CODE, "junior", "", date(2025, 4, 10), True, True, True, 0, p)] for p in people if p in ids}
    province = {}
    for k in classes:
        province[k.pk] = k.division_id[:2]
    by_person = dict(Enrolment.objects.filter(training_class__in=classes).values_list("person_id", "training_class_id"))
    facts.level_certificates_for_people = lambda people: {
        p: [{"occupation_code": CODE, "level": "junior", "issued_on": date(2025, 5, 1), "province": province[by_person[p]]}]
        for p in people if p in ids}


def reference_sql(classes) -> float:
    """Same-run reference 1: one raw SQL pass over the same rows the facts come from — attended
    days and hours per trainee (sessions × attendance), completions and the province history."""
    from django.db import connection

    ids = [k.pk for k in classes]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT e.id, count(DISTINCT (s.starts_at AT TIME ZONE 'Asia/Shanghai')::date), sum(s.hours),
                   bool_or(d.completed), count(DISTINCT l.id)
            FROM registry_enrolment e
            JOIN training_session s ON s.training_class_id = e.training_class_id
            JOIN training_attendance a ON a.session_id = s.id AND a.enrolment_id = e.id AND a.status IN ('present', 'late')
            LEFT JOIN training_completiondecision d ON d.enrolment_id = e.id
            LEFT JOIN subsidy_claimline l ON l.person_id = e.person_id AND l.status = 'paid'
            WHERE e.training_class_id = ANY(%s) GROUP BY e.id""", [ids])
        rows = cursor.fetchall()
    assert rows
    return time.perf_counter() - started


def reference_engine(classes, limit: int) -> tuple[float, int]:
    """Same-run reference 2: the bare policy engine on the stored cases of the lines just made,
    in plain Python (parse the case, quote it with the pack on the training's start date)."""
    from dte.catalogue.selectors import overrides_with_official_standards
    from dte.policy.cases import parse_case
    from dte.policy.services import pack_for, parameters_with
    from dte.subsidy.models import ClaimLine

    drop = ("exam_date", "computed_on")
    cases, packs = [], {}
    rows = (ClaimLine.objects.filter(claim__training_class__in=classes).order_by("pk")
            .values_list("claim__province_id", "reference_date", "facts"))[:limit]
    for province, on, case in rows.iterator(chunk_size=5000):
        if (province, on) not in packs:
            pack = pack_for(province)
            packs[(province, on)] = (pack, parameters_with(pack, overrides_with_official_standards(province, on)))
        cases.append((packs[(province, on)], on, {k: v for k, v in case.items() if k not in drop}))
    started = time.perf_counter()
    for (pack, params), on, case in cases:
        pack.quote(parse_case(case), on=on, params=params).to_dict()
    return time.perf_counter() - started, len(cases)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=100_000)
    parser.add_argument("--path", choices=("set", "per-class"), default="set",
                        help="set: claims_create_for_classes (set-based, chunked); per-class: claim_create class by class")
    parser.add_argument("--chunk", type=int, default=5000, help="trainees per chunk of the set-based path")
    args = parser.parse_args()
    setup(args.trainees)
    t0 = time.perf_counter()
    classes, by = build(args.trainees)
    print(f"setup took {time.perf_counter() - t0:.1f}s", flush=True)
    provide_exams(classes)
    import gc

    from django.db.models import Count

    from dte.subsidy.models import ClaimLine
    from dte.subsidy.services.claims import ClaimRefused, claim_create
    from dte.subsidy.services.claims_bulk import claims_create_for_classes

    gc.collect()
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db_cpu_started = backend_cpu()
    started, cpu_started, refused = time.perf_counter(), time.process_time(), 0
    if args.path == "set":
        result = claims_create_for_classes(classes, by=by, today=date(2025, 4, 20), chunk_trainees=args.chunk)
        refused = len(result.refused)
    else:
        for k in classes:
            try:
                claim_create(training_class=k, kind="class", by=by, today=date(2025, 4, 20))
            except ClaimRefused:
                refused += 1
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    db_cpu = backend_cpu() - db_cpu_started if db_cpu_started is not None else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = ClaimLine.objects.filter(claim__training_class__in=classes)
    counts = dict(lines.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    sql_s = reference_sql(classes)
    engine_s, engine_n = reference_engine(classes, args.trainees)
    load = os.getloadavg()[0]
    print(f"claims ({args.path} path): {len(classes)} classes, {args.trainees} trainees in {elapsed:.1f}s "
          f"({args.trainees / elapsed:,.0f} trainees/s; CPU of this process {cpu:.1f}s, of its database backend "
          f"{'n/a' if db_cpu is None else f'{db_cpu:.1f}s'}); lines by status {counts}; refused claims {refused}")
    print(f"peak RSS {peak:.0f} MB (before the timed part {before_rss:.0f} MB)")
    print(f"same-run references: raw SQL pass over the same rows {sql_s:.1f}s; bare policy engine on the same "
          f"{engine_n} cases {engine_s:.1f}s ({engine_n / engine_s:,.0f} cases/s); "
          f"claims / engine = {elapsed / engine_s * engine_n / args.trainees:.2f}x; load average {load:.2f}")


if __name__ == "__main__":
    main()
