"""Credited hours reach the pack exactly through the claim path (issue 10, money-path audit): a class
whose attendance credits half hours. Under Tianjin's 50 % online cap (津人社办发〔2022〕94号 三(四)) a
trainee with 64.5 online of 128.5 hours is refused — truncated to 64 of 128 it was paid — and one with
64.0 of 128.5 is paid; 63.9 hours is below the 64 hours 附件3 requires. The per-class path, the
set-based path and the calculator form decide alike."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from dte.subsidy.models import Claim, ClaimLine
from dte.subsidy.services.claims import claim_create, claim_create_one
from dte.subsidy.services.claims_bulk import claims_create_for_classes
from dte.training.models import Attendance, Session
from dte.training.tests.factories import SessionFactory, at

from .factories import CLAIM_DAY, START, completed_class, officials, passed_exams

pytestmark = pytest.mark.django_db

IOT = "2-02-10-10"  # 物联网工程技术人员 初级: 128 hours, 300200 fen in Tianjin (附件3)
AI = "2-02-10-09"  # 人工智能工程技术人员 初级: 64 hours, 272000 fen


def _session(k, day: int, hour: int, hours: str, online: bool = False) -> Session:
    s = SessionFactory(training_class=k, starts_at=at(START + timedelta(days=day), hour), hours=Decimal(hours),
                       delivery=Session.Delivery.ONLINE if online else Session.Delivery.OFFLINE)
    s.ends_at = s.starts_at + timedelta(minutes=max(30, int(Decimal(hours) * 60)))
    s.save(update_fields=["ends_at"])
    return s


def _attend(session, *enrolments) -> None:
    for e in enrolments:
        Attendance.objects.create(session=session, enrolment=e, status="present", source="teacher")


def online_cap_class(monkeypatch):
    """Two trainees of a Tianjin 物联网 class, 128.5 hours each: A 64.0 offline + 64.5 online (50.2 %),
    B 64.5 offline + 64.0 online (49.8 %). Eight 8-hour offline sessions (both), a half-hour offline
    session (B), eight 8-hour online sessions (both) and a half-hour online one (A)."""
    k = completed_class("tianjin", status="employee", trainees=2, days=8, hours_per_day=8, code=IOT)
    a, b = k.enrolments.order_by("pk")
    _attend(_session(k, 8, 9, "0.5"), b)
    for day in range(9, 17):
        _attend(_session(k, day, 9, "8", online=True), a, b)
    _attend(_session(k, 16, 18, "0.5", online=True), a)
    passed_exams(monkeypatch, k)
    return k, a, b


def required_hours_class(monkeypatch):
    """Tianjin 人工智能 初级 (64 hours), offline only (the set-based path sums these in the database):
    A attends 63.9 hours (ten 6-hour sessions and one of 3.9 hours), B also a half-hour session: 64.4."""
    k = completed_class("tianjin", status="employee", trainees=2, days=10, hours_per_day=6, code=AI)
    a, b = k.enrolments.order_by("pk")
    _attend(_session(k, 10, 9, "3.9"), a, b)
    _attend(_session(k, 11, 9, "0.5"), b)
    passed_exams(monkeypatch, k)
    return k, a, b


def _lines(k) -> dict:
    return {line.enrolment_id: line for line in ClaimLine.objects.filter(claim__training_class=k, item="training_subsidy")}


def test_online_cap_through_the_claim_path(monkeypatch):
    k, a, b = online_cap_class(monkeypatch)
    claim_create(training_class=k, kind=Claim.Kind.CLASS, by=officials("120101").reviewer, today=CLAIM_DAY)
    lines = _lines(k)
    refused, paid = lines[a.pk], lines[b.pk]
    assert (refused.facts["course"]["hours_total"], refused.facts["course"]["hours_online"]) == ("128.5", "64.5")
    assert (paid.facts["course"]["hours_total"], paid.facts["course"]["hours_online"]) == ("128.5", 64)
    assert refused.status == "refused" and refused.amount_fen == 0
    assert [(r["code"], r["message"]) for r in refused.reasons] == [
        ("ONLINE_HOURS_OVER_CAP", "线上培训 64.5 学时，占总学时 128.5 的 50.2%，超过 50% 上限。")]
    assert refused.reasons[0]["citation"] == "津人社办发〔2022〕94号 三(四)"
    assert paid.status == "claimed" and paid.amount_fen == 300200 and paid.reasons == []


def test_required_hours_through_the_claim_path(monkeypatch):
    k, a, b = required_hours_class(monkeypatch)
    claim_create(training_class=k, kind=Claim.Kind.CLASS, by=officials("120101").reviewer, today=CLAIM_DAY)
    lines = _lines(k)
    assert lines[a.pk].facts["course"]["hours_total"] == "63.9" and lines[b.pk].facts["course"]["hours_total"] == "64.4"
    assert lines[a.pk].status == "refused" and [r["message"] for r in lines[a.pk].reasons] == [
        "培训 63.9 学时，少于补贴标准目录要求的 64 学时。"]
    assert lines[b.pk].status == "claimed" and lines[b.pk].amount_fen == 272000


def _outcome(classes) -> dict:
    return {(x.enrolment_id, x.item): (x.status, x.amount_fen, x.facts, x.reasons)
            for x in ClaimLine.objects.filter(claim__training_class__in=classes)}


def test_set_based_path_decides_fractional_hours_as_the_class_by_class_path(monkeypatch):
    classes = [online_cap_class(monkeypatch)[0], required_hours_class(monkeypatch)[0]]
    by = officials("120101").reviewer
    with transaction.atomic():
        for k in classes:
            claim_create_one(training_class=k, kind=Claim.Kind.CLASS, by=by, today=CLAIM_DAY)
        reference = _outcome(classes)
        transaction.set_rollback(True)
    assert not ClaimLine.objects.exists()
    claims_create_for_classes(classes, by=by, today=CLAIM_DAY)
    found = _outcome(classes)
    assert found == reference
    assert sorted(status for status, *_ in found.values()) == ["claimed", "claimed", "refused", "refused"]


def test_calculator_form_takes_tenths(client, monkeypatch):
    k, _, _ = online_cap_class(monkeypatch)
    client.force_login(officials("120101").reviewer)

    def typed(total, online):
        return client.post("/subsidy/calculator/", {"training_class": k.pk, "status": "employee", "hours_total": total,
                                                    "hours_online": online, "training_certificate": "on",
                                                    "level_certificate_on": "2025-05-01"}).content.decode()

    refused = typed("128.5", "64.5")
    assert "线上培训 64.5 学时，占总学时 128.5 的 50.2%，超过 50% 上限。" in refused and "¥3,002.00" not in refused
    assert "¥3,002.00" in typed("128.5", "64.0")
    too_fine = typed("128.5", "64.55")
    assert "线上培训" not in too_fine and 'name="hours_online"' in too_fine and "errorlist" in too_fine
