"""Capacity holds under concurrent admission (PostgreSQL row locks); pass rates per session,
institution and occupation; workbench tiles of the evaluation institution."""

import threading

import pytest
from django.db import connection, connections

from dte.organisations.roles import Role

from ..errors import AssessmentError
from ..models import Candidate
from ..selectors import pass_rates
from ..services import candidates_admit, result_record, session_results_confirm
from ..workbench import tiles
from .factories import declare, evaluation_staff, evaluator, exam_session, training_certificate


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_admissions_never_exceed_capacity():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking")
    org = evaluator()
    staff = evaluation_staff(org)
    session = exam_session(org, by=staff, capacity=1)
    declarations = [declare(training_certificate(), org) for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def admit(declaration):
        try:
            barrier.wait()
            candidates_admit(session, [declaration], by=staff, today=session.date)
            outcomes.append("ok")
        except AssessmentError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=admit, args=(d,)) for d in declarations]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["CAPACITY", "ok"]
    assert Candidate.objects.filter(session=session).count() == 1


@pytest.mark.django_db
def test_pass_rates_by_institution_and_occupation():
    rows = []
    for scores in ([("80", "80"), ("50", "80")], [("70", "70")]):
        org = evaluator()
        staff = evaluation_staff(org)
        session = exam_session(org, by=staff)
        candidates = candidates_admit(session, [declare(training_certificate(), org) for _ in scores], by=staff,
                                      today=session.date)
        for c, (t, p) in zip(candidates, scores):
            result_record(c, theory=t, practical=p, by=staff)
        session_results_confirm(session, by=staff)
        rows.append(org)
    by_institution = {r.key[0]: (r.sat, r.passed, r.rate_display) for r in pass_rates(Candidate.objects.all(), "institution")}
    assert by_institution == {rows[0].pk: (2, 1, "50.0%"), rows[1].pk: (1, 1, "100.0%")}
    [occupation] = pass_rates(Candidate.objects.all(), "occupation")
    assert (occupation.sat, occupation.passed, occupation.rate_bp) == (3, 2, 6666)


@pytest.mark.django_db
def test_evaluation_staff_tiles_show_their_deadlines():
    org = evaluator()
    staff = evaluation_staff(org)
    session = exam_session(org, by=staff)
    [c] = candidates_admit(session, [declare(training_certificate(), org)], by=staff, today=session.date)
    result_record(c, theory="90", practical="90", by=staff)
    session_results_confirm(session, by=staff)
    mine = {t.url: t for t in tiles(staff)}
    assert "/assessment/sessions/" in mine and staff.role == Role.EVALUATION_STAFF
    assert mine["/assessment/sessions/"].count == 0  # the session is confirmed: nothing left to run
    deadlines = [t for t in tiles(staff) if t.order == 41][0]
    assert deadlines.count == 0  # 29 days left on the 30-day report: on track
