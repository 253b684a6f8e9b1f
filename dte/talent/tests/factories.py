"""Factories for the talent app: people, completed enrolments with hours, level certificates
created directly (the credentials app's issue path is tested there)."""

from __future__ import annotations

import itertools
import secrets
from datetime import date, timedelta

import factory

from dte.catalogue.models import Occupation
from dte.credentials.models import LevelCertificate
from dte.demo.people import make_id_number
from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division
from dte.policy.occupations import find_occupation
from dte.registry.models import Enrolment, Person
from dte.registry.services import id_index_of
from dte.registry.tests.factories import TrainingClassFactory
from dte.training.models import CompletionDecision, TrainingCertificate

_seq = itertools.count(1)
AI_CODE = "2-02-10-09"  # 人工智能工程技术人员
BIG_DATA_CODE = "2-02-10-11"  # 大数据工程技术人员
PROVINCE_OF = {"tianjin": "120101", "shanxi": "140105", "guangxi": "450102", "yunnan": "530102", "tibet": "540102"}


def occupation(code: str = AI_CODE) -> Occupation:
    o = find_occupation(code)
    return Occupation.objects.get_or_create(code=o.code, defaults={"name": o.name, "field": o.field})[0]


def person(division_code: str = "140105", *, name: str | None = None, with_user: bool = True) -> Person:
    n = next(_seq)
    number = make_id_number(division_code, date(1990, 1, 1) + timedelta(days=n % 3000), n % 1000)
    user = UserFactory(role=Role.TRAINEE, organisation=None) if with_user else None
    return Person.objects.create(name=name or f"人才{n}", id_number=number, id_index=id_index_of(number), birth_date=date(1990, 1, 1),
                                 gender="F", division=division(division_code), registered_by=OrganisationFactory(division=division(division_code)),
                                 user=user)


def official(division_code: str, role: str = Role.PROVINCE_OFFICER):
    org = OrganisationFactory(kind=Organisation.Kind.BUREAU, division=division(division_code))
    return UserFactory(organisation=org, role=role)


def completed_enrolment(who: Person, *, hours: str = "64.0", end: date = date(2025, 6, 30), certificate: bool = True,
                        division_code: str | None = None) -> Enrolment:
    venue = division(division_code or who.division_id)
    tc = TrainingClassFactory(institution=OrganisationFactory(division=venue), division=venue,
                              start_date=end - timedelta(days=20), end_date=end, status="completed")
    enrolment = Enrolment.objects.create(training_class=tc, person=who, status=Enrolment.Status.COMPLETED)
    staff = UserFactory(organisation=tc.institution)
    CompletionDecision.objects.create(enrolment=enrolment, completed=True, summary={"hours": {"total": hours}},
                                      decided_at=f"{end.isoformat()}T12:00:00+08:00", decided_by=staff)
    if certificate:
        TrainingCertificate.objects.create(number=f"TC{next(_seq):08d}", enrolment=enrolment, snapshot={"hours": hours, "name": who.name},
                                           snapshot_sha256="0" * 64, pdf_sha256="0" * 64, issued_on=end, issued_by=staff)
    return enrolment


class LevelCertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LevelCertificate

    number = factory.Sequence(lambda n: f"LC2025{n:08d}")
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    person = factory.LazyFunction(person)
    occupation = factory.LazyFunction(occupation)
    level = "junior"
    direction = ""
    issuer = factory.LazyAttribute(lambda o: OrganisationFactory(kind=Organisation.Kind.EVALUATION_INSTITUTION,
                                                                 division=division(o.person.division_id[:2] + "0100")))
    issuer_name = factory.LazyAttribute(lambda o: o.issuer.name)
    exam_date = date(2025, 5, 10)
    issued_on = date(2025, 7, 1)
    issued_by = factory.LazyAttribute(lambda o: UserFactory(organisation=o.issuer, role=Role.EVALUATION_STAFF))
    snapshot = factory.LazyAttribute(lambda o: {"number": o.number, "holder": {"name": o.person.name}})
    snapshot_sha256 = "0" * 64
    key_id = "test"
    signature = "sig"
    pdf_sha256 = factory.Sequence(lambda n: f"{n:064d}")
    pdf_signature = "sig"
