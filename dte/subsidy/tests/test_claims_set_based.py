"""The set-based claim path (claims_create_for_classes: bench/subsidy_claims.py, and claim_create —
the web UI's — for a class claim) decides exactly what the class-by-class path (claim_create_one,
which also serves project stages and living allowances) decides on the same data: every
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
from dte.subsidy.services.claims import ClaimRefused, claim_create, claim_create_one
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
        try:  # class by class (claim_create itself now takes the set-based path for a class claim)
            claim_create_one(training_class=k, kind=Claim.Kind.CLASS, by=by, today=CLAIM_DAY)
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
    tj_hours = sorted((v["facts"]["course"]["hours_total"] for (k, _, _), v in found.items() if k == classes[1].pk), key=Decimal)
    assert tj_hours == [68, 72, "74.5"]  # left after 2 of 6 h: 68; absent but made up: 72; + online 150/240 min of 4 h: 74.5
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


def _hours_scenario():
    """One class, one trainee per way of earning hours: whole offline sessions (present or late),
    an early check-out, a check-out exactly at the late threshold (full hours), an absence made up
    by a make-up session, a make-up record on top of a full attendance, an online session with
    pushed minutes, only excused or absent records, no records at all, a late session after the
    stage end, and fractional session hours. A second class whose trainees attend plainly."""
    k = completed_class("tianjin", trainees=10, days=3, hours_per_day=6, status="employee")
    plain = completed_class("guangxi", trainees=2, days=2, hours_per_day=5, status="employee")
    sessions = list(k.sessions.order_by("starts_at"))
    first, second = sessions[0], sessions[1]
    e = list(k.enrolments.order_by("pk"))
    Attendance.objects.filter(session=first, enrolment=e[1]).update(status="late")
    Attendance.objects.filter(session=second, enrolment=e[2]).update(
        checked_in_at=second.starts_at, checked_out_at=second.starts_at + timedelta(hours=2, minutes=7))
    late_after = timedelta(minutes=second.late_after_minutes)
    Attendance.objects.filter(session=second, enrolment=e[3]).update(checked_out_at=second.ends_at - late_after)
    Attendance.objects.filter(session=first, enrolment=e[4]).update(status="absent")
    makeup = SessionFactory(training_class=k, starts_at=at(START + timedelta(days=10), 9), hours=Decimal("4.5"), makeup_for=first)
    makeup.ends_at = makeup.starts_at + timedelta(hours=5)
    makeup.save(update_fields=["ends_at"])
    Attendance.objects.create(session=makeup, enrolment=e[4], status="present", source="teacher")
    Attendance.objects.create(session=makeup, enrolment=e[5], status="present", source="teacher")
    online = SessionFactory(training_class=k, starts_at=at(START + timedelta(days=11), 9), hours=Decimal("2.5"),
                            delivery=Session.Delivery.ONLINE)
    online.ends_at = online.starts_at + timedelta(hours=3)
    online.save(update_fields=["ends_at"])
    Attendance.objects.create(session=online, enrolment=e[6], status="present", source="api", online_minutes=100)
    Attendance.objects.filter(enrolment=e[7]).update(status="excused")
    Attendance.objects.filter(enrolment=e[8]).delete()
    after = SessionFactory(training_class=k, starts_at=at(START + timedelta(days=16), 9), hours=Decimal("1.5"))
    after.ends_at = after.starts_at + timedelta(hours=2)
    after.save(update_fields=["ends_at"])
    for x in (e[0], e[9]):
        Attendance.objects.create(session=after, enrolment=x, status="present", source="teacher")
    elsewhere = SessionFactory(training_class=plain, starts_at=at(START + timedelta(days=13), 9), hours=Decimal(3))
    elsewhere.ends_at = elsewhere.starts_at + timedelta(hours=3)
    elsewhere.save(update_fields=["ends_at"])
    Attendance.objects.create(session=elsewhere, enrolment=e[9], status="present", source="teacher")  # another class's session
    return [k, plain]


@pytest.mark.parametrize("stage_end", [None, START + timedelta(days=12)])
def test_hours_summed_in_the_database_equal_the_hours_rule(stage_end):
    """The set-based path sums plain attendance in the database and gives every other trainee the
    hours rule itself (dte.training.selectors.class_summaries); both forms give exactly what the
    per-class path's Python form gives, days, hours and online hours, trainee by trainee."""
    from dte.subsidy import facts

    classes = _hours_scenario()
    enrolments = list(Enrolment.objects.filter(training_class__in=classes).select_related("training_class").order_by("pk"))
    by_pk = {k.pk: k for k in classes}
    reference = facts._training_facts(by_pk, enrolments, stage_end)
    found = facts._training_facts_set_based(by_pk, enrolments, stage_end)
    assert found == reference
    hours = [reference[x.pk]["hours_total"] for x in enrolments]
    online = [reference[x.pk]["hours_online"] for x in enrolments]
    days = [reference[x.pk]["days"] for x in enrolments]
    # the scenario reaches every form: whole sessions, early check-out (6 h × 2h07/6h = 2.1 h), made up
    # (4.5 h for the 6 h session), online (2.5 h × 100/180 min = 1.4 h), nothing, the session after the stage
    if stage_end is None:
        assert hours[:10] == ["19.5", 18, "14.1", 18, "16.5", 18, "19.4", 0, 0, "19.5"] and hours[10:] == [10, 10]  # exact tenths (h7)
    else:
        assert hours[:10] == [18, 18, "14.1", 18, "16.5", 18, "19.4", 0, 0, 18]
    assert online[6] == "1.4" and online[0] == 0
    assert days[4] == 3 and days[7] == 0 and days[8] == 0
    assert days[9] == days[0] + (1 if stage_end is None else 0) and days[10] == 2  # the other class's day counts, not its hours


def test_each_distinct_case_quoted_once_gives_what_quoting_every_case_gives(monkeypatch):
    """A claim quotes each distinct case once and reuses the decision for the trainees with the same
    facts (services/claims.py `_decision`): every stored line carries exactly what quoting its own
    stored case afresh gives — parameters, trace, reasons, amount."""
    from dte.catalogue.selectors import overrides_with_official_standards
    from dte.policy.cases import parse_case
    from dte.policy.services import pack_for, parameters_with

    from dte.subsidy.services import claims as claims_module

    classes, by = _scenario(monkeypatch)
    parsed, parse = [], claims_module.parse_case
    monkeypatch.setattr(claims_module, "parse_case", lambda case: parsed.append(case) or parse(case))
    claims_create_for_classes(classes, by=by, today=CLAIM_DAY)
    lines = list(ClaimLine.objects.filter(claim__training_class__in=classes).select_related("claim", "explanation"))
    assert len(lines) > 10 and len(parsed) < len(lines)  # some trainees' cases were not quoted again
    for line in lines:
        case = {k: v for k, v in line.facts.items() if k not in ("exam_date", "computed_on")}
        province = line.claim.province_id
        pack = pack_for(province)
        fresh = pack.quote(parse_case(case), on=line.reference_date,
                           params=parameters_with(pack, overrides_with_official_standards(province, line.reference_date))).to_dict()
        assert line.trace == fresh["trace"]
        assert line.parameters == [t for t in fresh["trace"] if "parameter" in t]
        assert line.reasons[:len(fresh["reasons"])] == fresh["reasons"]
        items = [i for i in fresh["items"] if i["kind"] == line.item]
        assert line.amount_fen == (items[0]["amount_fen"] if line.status == "claimed" else 0)
