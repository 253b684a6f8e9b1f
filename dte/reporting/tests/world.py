"""A small world for the dashboard tests: Taiyuan and Datong (Shanxi) and Tianjin, with
people, classes, quotas, opening applications, sessions, attendance, completion and
certificates — every figure the tests expect is derived by hand in the comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory, division
from dte.registry.models import ClassApplication, Enrolment, TrainingClass
from dte.registry.tests.factories import (
    PersonFactory, TrainingClassFactory, listed_institution, officer, plan_with_quota,
)
from dte.training.models import Attendance, CompletionDecision, TrainingCertificate
from dte.training.tests.factories import SessionFactory, at


@dataclass
class World:
    taiyuan_officer: object
    shanxi_officer: object
    tianjin_officer: object
    trainee: object
    staff: object
    taiyuan_class: TrainingClass


def _enrol(tc, person, status=Enrolment.Status.ENROLLED):
    return Enrolment.objects.create(training_class=tc, person=person, status=status)


def _certificate(enrolment, issued_on, by, number):
    return TrainingCertificate.objects.create(number=number, enrolment=enrolment, snapshot={}, snapshot_sha256="0" * 64,
                                              pdf=f"training/certificates/{number}.pdf", pdf_sha256="0" * 64,
                                              issued_on=issued_on, issued_by=by)


def _application(tc, status, review_due_on):
    return ClassApplication.objects.create(training_class=tc, schedule_summary="8 × 8 h", exam_plan="结业考核",
                                           status=status, review_due_on=review_due_on)


def build_world() -> World:
    today = timezone.localdate()
    for code, name in (("140000", "山西省"), ("140100", "太原市"), ("140200", "大同市"), ("120000", "天津市"),
                       ("120100", "天津市市辖区")):
        division(code, name)
    taiyuan_inst = listed_institution("140100", name="太原理工大学")
    datong_inst = listed_institution("140200", name="大同职业学院")
    tianjin_inst = listed_institution("120101", name="天津职业大学", occupations=("2-02-10-09",))
    staff = UserFactory(organisation=taiyuan_inst, role=Role.TRAINING_STAFF)

    # Classes (start 2024-09-02 unless stated). Taiyuan: in training + submitted; Datong: completed; Tianjin: in training.
    c1 = TrainingClassFactory(institution=taiyuan_inst, status=TrainingClass.Status.IN_TRAINING)
    c1b = TrainingClassFactory(institution=taiyuan_inst, status=TrainingClass.Status.SUBMITTED)
    c2 = TrainingClassFactory(institution=datong_inst, level="intermediate", status=TrainingClass.Status.COMPLETED)
    c3 = TrainingClassFactory(institution=tianjin_inst, status=TrainingClass.Status.IN_TRAINING)
    TrainingClassFactory(institution=taiyuan_inst, status=TrainingClass.Status.CLOSED, start_date=date(2023, 5, 8))

    # People: p1-p3 live in Taiyuan, p4 and p5 in Datong; p4 trains in Taiyuan (withdrawn), p5 in Datong.
    p1, p2, p3 = (PersonFactory(division=division("140105")) for _ in range(3))
    p4, p5 = (PersonFactory(division=division("140211")) for _ in range(2))
    p6, p7 = (PersonFactory(division=division("120101")) for _ in range(2))
    e1, e2, e3 = (_enrol(c1, p) for p in (p1, p2, p3))
    e4 = _enrol(c1, p4, Enrolment.Status.WITHDRAWN)
    _enrol(c2, p5, Enrolment.Status.COMPLETED)
    e6, e7 = _enrol(c3, p6), _enrol(c3, p7)
    trainee = UserFactory(role=Role.TRAINEE, organisation=None)
    p1.user = trainee
    p1.save(update_fields=["user"])

    # Quotas (province plans): Shanxi 2024 A 100/30, B 50/10; Shanxi 2023 A 20/20; Tianjin 2024 C 80/2.
    for inst, places, enrolled, year in ((taiyuan_inst, 100, 30, 2024), (datong_inst, 50, 10, 2024),
                                         (taiyuan_inst, 20, 20, 2023), (tianjin_inst, 80, 2, 2024)):
        q = plan_with_quota(inst, places, year=year)
        q.enrolled = enrolled
        q.save(update_fields=["enrolled"])

    # Opening applications: c1b overdue, c2 pending but in time, c3 (Tianjin) overdue.
    _application(c1b, ClassApplication.Status.SUBMITTED, today - timedelta(days=5))
    _application(c2, ClassApplication.Status.SUBMITTED, today + timedelta(days=10))
    _application(c3, ClassApplication.Status.SUBMITTED, today - timedelta(days=1))

    # Attendance in c1: two ended sessions × 3 active trainees = 6 trainee-sessions; attended: e1 twice,
    # e2 once (late) = 3 → 50 %. e4 (withdrawn) and the future session do not count.
    past = [SessionFactory(training_class=c1, starts_at=at(today - timedelta(days=d), 9),
                           ends_at=at(today - timedelta(days=d), 12)) for d in (5, 4)]
    future = SessionFactory(training_class=c1, starts_at=at(today + timedelta(days=3), 9), ends_at=at(today + timedelta(days=3), 12))
    for session, enrolment, status in ((past[0], e1, "present"), (past[1], e1, "present"), (past[0], e2, "late"),
                                       (past[1], e2, "absent"), (past[0], e4, "present"), (future, e3, "present")):
        Attendance.objects.create(session=session, enrolment=enrolment, status=status)
    # Tianjin: one ended session, both present (100 %).
    s3 = SessionFactory(training_class=c3, starts_at=at(today - timedelta(days=3), 9), ends_at=at(today - timedelta(days=3), 12))
    for e in (e6, e7):
        Attendance.objects.create(session=s3, enrolment=e, status="present")

    # Completion in c1: e1, e2 completed, e3 not; certificates for e1 (2024-09) and e2 (2024-10); Tianjin e6 completed.
    for e, done in ((e1, True), (e2, True), (e3, False), (e6, True)):
        CompletionDecision.objects.create(enrolment=e, completed=done, decided_at=timezone.now(), decided_by=staff)
    _certificate(e1, date(2024, 9, 15), staff, "2024000100000001")
    _certificate(e2, date(2024, 10, 3), staff, "2024000100000002")
    _certificate(e6, date(2024, 10, 9), staff, "2024000300000001")

    return World(taiyuan_officer=officer("140100", Role.LOCAL_OFFICER), shanxi_officer=officer("140000"),
                 tianjin_officer=officer("120000"), trainee=trainee, staff=staff, taiyuan_class=c1)
