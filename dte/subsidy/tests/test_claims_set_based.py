"""The set-based claim path (claims_create_for_classes, used by bench/subsidy_claims.py) decides
exactly what the per-class path (claim_create, the web UI's) decides on the same data: every
line's status, amount, payee, pack version, facts, parameters, reasons with their citations and
trace, and every refusal — across the five provinces, with make-up, online and shortened
sessions, earlier claim lines in the province, one person in two classes, a held institution
and a class with nobody to claim for; in one chunk and in chunks of one class."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from dte.audit.models import AuditEvent
from dte.audit.services import audit_verify_chain
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory
from dte.registry.models import Enrolment, TrainingClass
from dte.subsidy.models import Claim, ClaimLine, EmploymentRecord, InstitutionHold
from dte.subsidy.services.claims import ClaimRefused, claim_create
from dte.subsidy.services.claims_bulk import claims_create_for_classes
from dte.training.models import Attendance, Session
from dte.training.tests.factories import SessionFactory, at

from .factories import CLAIM_DAY, START, completed_class, officials, passed_exams, standard

pytestmark = pytest.mark.django_db

COMPARED = ("status", "amount_fen", "payee", "onward_payee", "item", "occupation_code", "level", "pack", "pack_version",
            "reference_date", "facts", "parameters", "reasons", "trace")


def _scenario(monkeypatch):
    classes = [completed_class(p, trainees=3, mode="order" if p == "shanxi" else "subsidised",
                               status="graduate" if p == "shanxi" else "employee")
               for p in ("shanxi", "tianjin", "guangxi", "tibet", "yunnan")]
    sx, tj = classes[0], classes[1]
    standard("540000", 250000)
    standard("530000", 300000)
    by = officials("140100").reviewer
    for i, e in enumerate(sx.enrolments.order_by("pk")):  # Shanxi 五(四): employment after training
        EmploymentRecord.objects.create(enrolment=e, status="employed" if i else "not_employed", recorded_by=by)
    # Tianjin: a make-up session, an online session and a trainee who left early
    first = tj.sessions.order_by("starts_at").first()
    e0, e1, e2 = tj.enrolments.order_by("pk")
    Attendance.objects.filter(session=first, enrolment=e0).update(status="absent")
    makeup = SessionFactory(training_class=tj, starts_at=at(START + timedelta(days=14), 9), hours=Decimal(6), makeup_for=first)
    makeup.ends_at = makeup.starts_at + timedelta(hours=6)
    makeup.save(update_fields=["ends_at"])
    Attendance.objects.create(session=makeup, enrolment=e0, status="present", source="teacher")
    online = SessionFactory(training_class=tj, starts_at=at(START + timedelta(days=15), 9), hours=Decimal(4),
                            delivery=Session.Delivery.ONLINE)
    online.ends_at = online.starts_at + timedelta(hours=4)
    online.save(update_fields=["ends_at"])
    Attendance.objects.create(session=online, enrolment=e1, status="present", source="api", online_minutes=150)
    second = tj.sessions.order_by("starts_at")[1]
    Attendance.objects.filter(session=second, enrolment=e2).update(checked_in_at=second.starts_at,
                                                                    checked_out_at=second.starts_at + timedelta(hours=2))
    # A second Tianjin class of another institution with one person of the first: the per-person
    # limit must see the first class's new line (same occupation and level: refused)
    tj2 = completed_class("tianjin", trainees=2, status="employee")
    Enrolment.objects.create(training_class=tj2, person=e1.person, status=Enrolment.Status.COMPLETED)
    # A held institution, and a class whose trainees are all still enrolled
    held = completed_class("guangxi", trainees=1, status="employee")
    InstitutionHold.objects.create(institution=held.institution, reason="追回未结", created_by=by)
    empty = completed_class("guangxi", trainees=1, status="employee")
    empty.enrolments.update(status=Enrolment.Status.ENROLLED)
    # A class not finished
    running = completed_class("guangxi", trainees=1, status="employee")
    TrainingClass.objects.filter(pk=running.pk).update(status=TrainingClass.Status.IN_TRAINING)
    classes += [tj2, held, empty, running]
    for k in classes:
        passed_exams(monkeypatch, k)
    return [TrainingClass.objects.get(pk=k.pk) for k in classes], UserFactory(role=Role.TRAINING_STAFF)


def _outcome(classes) -> dict:
    lines = ClaimLine.objects.filter(claim__training_class__in=classes).order_by("claim__training_class_id", "enrolment_id", "pk")
    return {(x.claim.training_class_id, x.enrolment_id, x.person_id): {f: getattr(x, f) for f in COMPARED} for x in lines}


def _audits(classes) -> dict:
    """Each claim's audit event (the set-based path appends them in one statement per chunk)."""
    class_of = {str(pk): k for pk, k in Claim.objects.filter(training_class__in=classes).values_list("pk", "training_class_id")}
    return {(class_of[e.object_id], e.object_type): (e.after, e.division_code, e.organisation_id)
            for e in AuditEvent.objects.filter(action="subsidy.claim_submitted", object_id__in=list(class_of))}


def _per_class(classes, by) -> tuple[dict, dict]:
    refused = {}
    for k in classes:
        try:
            claim_create(training_class=k, kind=Claim.Kind.CLASS, by=by, today=CLAIM_DAY)
        except ClaimRefused as error:
            refused[k.pk] = str(error)
    return _outcome(classes), refused, _audits(classes)


def _set_based(classes, by, chunk) -> tuple[dict, dict]:
    result = claims_create_for_classes(classes, by=by, today=CLAIM_DAY, chunk_trainees=chunk)
    return _outcome(classes), {pk: str(error) for pk, error in result.refused.items()}, _audits(classes)


def _rolled_back(fn, *args):
    with transaction.atomic():
        found = fn(*args)
        transaction.set_rollback(True)
    return found


@pytest.mark.parametrize("chunk", [1, 5000])
def test_set_based_path_decides_exactly_as_the_per_class_path(monkeypatch, chunk):
    classes, by = _scenario(monkeypatch)
    reference, reference_refused, reference_audits = _rolled_back(_per_class, classes, by)
    assert not ClaimLine.objects.filter(claim__training_class__in=classes).exists()
    found, refused, audits = _set_based(classes, by, chunk)
    assert found == reference
    assert refused == reference_refused
    assert audits == reference_audits and len(audits) == len(classes) - 3  # one audit event per claim, the same
    # the scenario does reach what it means to test
    assert len(refused) == 3 and any("暂停" in m for m in refused.values()) and any("结业" in m for m in refused.values())
    statuses = {v["status"] for v in found.values()}
    assert {"claimed", "refused"} <= statuses
    tj_hours = sorted(v["facts"]["course"]["hours_total"] for (k, _, _), v in found.items() if k == classes[1].pk)
    assert tj_hours == [68, 72, 74]  # left after 2 of 6 h: 68; absent but made up: 72; + online 150/240 min of 4 h: 74
    conflict = [v for (k, _, p), v in found.items() if k == classes[5].pk and p == classes[1].enrolments.order_by("pk")[1].person_id]
    assert conflict and conflict[0]["status"] == "refused"
    assert Claim.objects.filter(training_class__in=classes).count() == len(classes) - 3
    assert audit_verify_chain() == []


def test_set_based_path_refuses_a_class_already_claimed(monkeypatch):
    classes, by = _scenario(monkeypatch)
    claim_create(training_class=classes[2], kind=Claim.Kind.CLASS, by=by, today=CLAIM_DAY)
    result = claims_create_for_classes(classes[:3], by=by, today=CLAIM_DAY)
    assert "请勿重复申领" in str(result.refused[classes[2].pk])
    assert Claim.objects.filter(training_class=classes[2]).count() == 1
