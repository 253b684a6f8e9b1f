"""Subsidy claims benchmark (issue 10): build and evaluate claims for N trainees with history.

Setup (not timed): N persons in classes of 50 across the five provinces (completed, 8 attended
offline sessions of 8 hours each, completion decisions; Shanxi classes with employment records;
Tibet and Yunnan with a standard entered in the catalogue), and for every person an earlier paid
claim line in the same province (10 % of them for the same occupation and level, which the packs
refuse). Exam results and level certificates are supplied in memory through the two provider
functions of dte.subsidy.facts (the assessment and credentials apps' own creation paths — signing,
PDFs — are not what this measures).

Timed: `claim_create` for every class — the real path: per-person locks, the province's claim-line
history, facts from training/registry/employment, the pack on the training's dates per trainee,
lines stored with parameters and trace, audit. Reports seconds, trainees/second and peak RSS.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/h5bench .venv/bin/python bench/subsidy_claims.py --trainees 100000
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dte.settings.local")
sys.path.insert(0, str(Path(__file__).resolve().parent))

PROVINCES = [("140100", "graduate"), ("120101", "employee"), ("450100", "employee"), ("540100", "employee"), ("530100", "employee")]
CODE, OTHER, START, END = "2-02-10-09", "2-02-10-11", date(2025, 3, 3), date(2025, 3, 20)
CLASS_SIZE = 50


def setup(trainees: int):
    from checkin_burst import ensure_database, setup_django

    ensure_database(os.environ.get("DATABASE_URL", ""))
    setup_django()


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=100_000)
    args = parser.parse_args()
    setup(args.trainees)
    t0 = time.perf_counter()
    classes, by = build(args.trainees)
    print(f"setup took {time.perf_counter() - t0:.1f}s", flush=True)
    provide_exams(classes)
    from dte.subsidy.models import ClaimLine
    from dte.subsidy.services.claims import ClaimRefused, claim_create

    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, refused = time.perf_counter(), 0
    for k in classes:
        try:
            claim_create(training_class=k, kind="class", by=by, today=date(2025, 4, 20))
        except ClaimRefused:
            refused += 1
    elapsed = time.perf_counter() - started
    lines = ClaimLine.objects.filter(claim__training_class__in=classes)
    counts = dict(lines.values_list("status").annotate(n=__import__("django").db.models.Count("pk")).values_list("status", "n"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"claims: {len(classes)} classes, {args.trainees} trainees in {elapsed:.1f}s "
          f"({args.trainees / elapsed:,.0f} trainees/s); lines by status {counts}; refused claims {refused}")
    print(f"peak RSS {peak:.0f} MB (before the timed part {before_rss:.0f} MB)")


if __name__ == "__main__":
    main()
