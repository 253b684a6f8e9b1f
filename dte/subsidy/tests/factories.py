"""Test builders for the money path: a completed class with attended sessions, completion
decisions, exam results and level certificates, and the officials who handle the claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from dte.assessment.selectors import ExamOutcome
from dte.catalogue.models import SubsidyStandard
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory, division
from dte.registry.models import Enrolment, Person, TrainingClass
from dte.registry.tests.factories import PersonFactory, bureau, listed_institution, occupation
from dte.training.models import Attendance, CompletionDecision
from dte.training.tests.factories import SessionFactory, at

from ..models import Budget

PROVINCES = {"shanxi": "140100", "tianjin": "120101", "guangxi": "450100", "tibet": "540100", "yunnan": "530100"}
START, END, EXAM = date(2025, 3, 3), date(2025, 3, 20), date(2025, 4, 10)
CLAIM_DAY, APPROVE_DAY, AUTHORISE_DAY = date(2025, 4, 20), date(2025, 4, 21), date(2025, 5, 20)


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    province = factory.LazyFunction(lambda: division("140000"))
    year = 2025
    amount_fen = 100_000_000
    basis = "年度补贴资金预算"


@dataclass
class Officials:
    reviewer: object
    finance: object
    releaser: object


def officials(county: str) -> Officials:
    org = bureau(county[:2] + "0000")
    return Officials(UserFactory(organisation=org, role=Role.PROVINCE_OFFICER), UserFactory(organisation=org, role=Role.FINANCE_OFFICER),
                     UserFactory(organisation=org, role=Role.FINANCE_OFFICER))


def completed_class(province: str = "shanxi", *, trainees: int = 2, days: int = 12, hours_per_day: int = 6,
                    mode: str = "subsidised", code: str = "2-02-10-09", level: str = "junior", status: str = "graduate",
                    graduation: date = date(2024, 6, 30)):
    """A completed class in the province's capital county with `trainees` completed enrolments,
    each attending `days` offline sessions of `hours_per_day` hours."""
    county = PROVINCES[province]
    institution = listed_institution(county, occupations=(code,), levels=(level,))
    k = TrainingClass.objects.create(institution=institution, occupation=occupation(code), level=level, title="数字技术培训班",
                                     mode=mode, division=division(county), start_date=START, end_date=END,
                                     status=TrainingClass.Status.COMPLETED)
    decider = UserFactory(organisation=institution, role=Role.TRAINING_STAFF)
    enrolments = []
    for _ in range(trainees):
        person = PersonFactory(division=division(county), employment_status=status, graduation_date=graduation,
                               user=UserFactory(role=Role.TRAINEE, organisation=None))
        enrolments.append(Enrolment.objects.create(training_class=k, person=person, status=Enrolment.Status.COMPLETED))
    for n in range(days):
        session = SessionFactory(training_class=k, starts_at=at(START + timedelta(days=n), 9), hours=Decimal(hours_per_day))
        session.ends_at = session.starts_at + timedelta(hours=hours_per_day)
        session.save(update_fields=["ends_at"])
        for e in enrolments:
            Attendance.objects.create(session=session, enrolment=e, status="present", source="teacher")
    for e in enrolments:
        CompletionDecision.objects.create(enrolment=e, completed=True, decided_at=timezone.now(), decided_by=decider)
    return k


def passed_exams(monkeypatch, training_class, *, exam_date: date = EXAM, passed: bool = True):
    """The assessment and credentials facts for every trainee of the class (what H4a/H4b provide)."""
    from dte.subsidy import facts

    k = training_class
    people = list(k.enrolments.values_list("person_id", flat=True))
    province = str(k.division_id)[:2]
    outcomes = {p: [ExamOutcome(p, k.occupation_id, k.occupation.code, k.level, "", exam_date, passed, passed, passed, 0, p)]
                for p in people}
    certificates = {p: [{"occupation_code": k.occupation.code, "level": k.level, "issued_on": exam_date + timedelta(days=20),
                         "province": province}] for p in people} if passed else {}
    known_outcomes = getattr(facts, "_test_outcomes", {})
    known_certificates = getattr(facts, "_test_certificates", {})
    known_outcomes.update(outcomes)
    known_certificates.update(certificates)
    monkeypatch.setattr(facts, "_test_outcomes", known_outcomes, raising=False)
    monkeypatch.setattr(facts, "_test_certificates", known_certificates, raising=False)
    monkeypatch.setattr(facts, "exam_outcomes_for_people", lambda ids: {i: known_outcomes[i] for i in ids if i in known_outcomes})
    monkeypatch.setattr(facts, "level_certificates_for_people",
                        lambda ids: {i: known_certificates[i] for i in ids if i in known_certificates})


def standard(province_code: str, amount_fen: int, code: str = "2-02-10-09", level: str = "junior", by=None):
    """A standard entered in the catalogue (Tibet and Yunnan give no amount in their documents)."""
    return SubsidyStandard.objects.create(province=division(province_code), occupation=occupation(code), level=level,
                                          amount_fen=amount_fen, effective_from=date(2025, 1, 1), citation="测试录入的补贴标准文件",
                                          entered_by=by)


def person_of(training_class) -> Person:
    return training_class.enrolments.order_by("pk").first().person
