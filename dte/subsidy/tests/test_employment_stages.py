"""Shanxi 五(四): employment after training decides the amount; a later correction tops up or
recovers; project-based training settles in stages that never exceed the per-person cap."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dte.organisations.tests.factories import division
from dte.subsidy.models import Claim, ClaimLine, Recovery
from dte.subsidy.services import ledger
from dte.subsidy.services.claims import ClaimRefused, claim_create
from dte.subsidy.services.employment import claim_adjust, employment_record

from .factories import CLAIM_DAY, END, BudgetFactory, completed_class, officials, passed_exams
from .test_money_path import pay

pytestmark = pytest.mark.django_db


def evidence():
    return SimpleUploadedFile("劳动合同.pdf", b"%PDF-1.4 contract")


def employ(enrolment, by, employed=True):
    if employed:
        return employment_record(enrolment, by=by, status="employed", employer="太原某软件公司", employed_on=date(2025, 4, 1),
                                 evidence=evidence(), evidence_kind="contract")
    return employment_record(enrolment, by=by, status="not_employed")


def test_employment_needs_evidence_within_the_window():
    k = completed_class("shanxi", trainees=1, mode="order")
    e = k.enrolments.get()
    clerk = officials("140100").reviewer
    with pytest.raises(ClaimRefused, match="劳动合同或社保记录"):
        employment_record(e, by=clerk, status="employed", employer="某公司", employed_on=date(2025, 4, 1))
    with pytest.raises(ClaimRefused, match="平台默认培训结束后180日"):
        employment_record(e, by=clerk, status="employed", employer="某公司", employed_on=date(2026, 1, 1), evidence=evidence(),
                          evidence_kind="contract")
    record = employ(e, clerk)
    assert record.evidence.name and len(record.evidence_sha256) == 64


def test_rate_below_80_percent_pays_only_the_employed_and_a_correction_tops_up(monkeypatch):
    k = completed_class("shanxi", trainees=5, mode="order")
    passed_exams(monkeypatch, k)
    people = officials("140100")
    BudgetFactory(province=division("140000"))
    enrolments = list(k.enrolments.order_by("pk"))
    for i, e in enumerate(enrolments):
        employ(e, people.reviewer, employed=i < 3)  # 3/5 = 60 % < 80 %
    claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    assert [x.amount_fen for x in claim.lines.order_by("pk")] == [170000, 170000, 170000, 0, 0]
    assert claim.lines.filter(status="refused").count() == 2
    pay(claim, people)
    employ(enrolments[3], people.reviewer)  # correction: 4/5 = 80 % → everyone is paid
    outcome = claim_adjust(k, by=people.reviewer, today=date(2025, 6, 1))
    assert outcome == {"topped_up": 0, "replaced": 0, "recovered": 0}  # refused lines are not active: a new claim pays them
    employ(enrolments[3], people.reviewer, employed=False)
    employ(enrolments[0], people.reviewer, employed=False)  # 2/5: the person corrected to "not employed" gets nothing
    outcome = claim_adjust(k, by=people.reviewer, today=date(2025, 6, 1))
    assert outcome["recovered"] == 1
    recovery = Recovery.objects.get()
    assert (recovery.line.person_id, recovery.amount_fen, recovery.payment.status) == (enrolments[0].person_id, 170000, "paid")
    employ(enrolments[0], people.reviewer)  # corrected back: the recovered amount is owed again → top-up
    outcome = claim_adjust(k, by=people.reviewer, today=date(2025, 6, 2))
    assert outcome["topped_up"] == 1
    top_up = ClaimLine.objects.get(claim__kind="adjustment")
    assert (top_up.amount_fen, top_up.adjusts.person_id, top_up.status) == (170000, enrolments[0].person_id, "claimed")
    assert ledger.verify().ok


def test_project_stages_never_exceed_the_cap(monkeypatch):
    k = completed_class("shanxi", trainees=1, mode="project", days=18)
    k.end_date = END
    k.status = "in_training"
    k.save()
    passed_exams(monkeypatch, k)
    people = officials("140100")
    employ(k.enrolments.get(), people.reviewer)
    first = claim_create(training_class=k, kind=Claim.Kind.STAGE, by=people.reviewer, stage_end=date(2025, 3, 7), today=CLAIM_DAY)
    assert first.lines.get().amount_fen == 5 * 15000
    second = claim_create(training_class=k, kind=Claim.Kind.STAGE, by=people.reviewer, stage_end=date(2025, 3, 20), today=CLAIM_DAY)
    # 18 days: 10×150 + 8×100 = 2300 元 in total; the second stage pays the rest
    assert second.lines.get().amount_fen == 230000 - 75000 and second.stage == 2
    with pytest.raises(ClaimRefused, match="没有可申领"):
        claim_create(training_class=k, kind=Claim.Kind.STAGE, by=people.reviewer, stage_end=date(2025, 3, 20), today=CLAIM_DAY)


def test_stage_settlement_only_for_project_mode(monkeypatch):
    k = completed_class("shanxi", trainees=1, mode="order")
    with pytest.raises(ClaimRefused, match="项目制"):
        claim_create(training_class=k, kind=Claim.Kind.STAGE, by=officials("140100").reviewer, stage_end=date(2025, 3, 7),
                     today=CLAIM_DAY)
