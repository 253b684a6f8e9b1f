"""Factories for level exams on top of the registry, training and organisation factories."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

from django.utils import timezone

from dte.catalogue.models import InstitutionListing, ListingCoverage
from dte.organisations.models import ExamCentre, Organisation
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division
from dte.registry.models import Enrolment, TrainingClass
from dte.registry.tests.factories import PersonFactory, TrainingClassFactory, listed_institution, occupation
from dte.training.models import TrainingCertificate

from ..models import ExamSession
from ..services import commitment_text, declaration_create

_seq = itertools.count(1)
SHANXI_PREFECTURE, GUANGXI_PREFECTURE = "140100", "450100"


def evaluator(division_code: str = SHANXI_PREFECTURE, *, listed: bool = True, levels=("junior", "intermediate"),
              code: str = "2-02-10-09", name: str | None = None) -> Organisation:
    org = OrganisationFactory(division=division(division_code), kind=Organisation.Kind.EVALUATION_INSTITUTION,
                              **({"name": name} if name else {}))
    if listed:
        listing = InstitutionListing.objects.create(organisation=org, kind=InstitutionListing.Kind.EVALUATION,
                                                    province=division(division_code[:2] + "0000"), listed_on=date(2023, 1, 1))
        for level in levels:
            ListingCoverage.objects.create(listing=listing, occupation=occupation(code), level=level)
    return org


def evaluation_staff(org: Organisation):
    return UserFactory(organisation=org, role=Role.EVALUATION_STAFF)


def centre(org: Organisation) -> ExamCentre:
    return ExamCentre.objects.create(evaluation_institution=org, name=f"考核点{next(_seq)}", division=org.division)


def training_certificate(division_code: str = SHANXI_PREFECTURE, *, person=None, institution=None,
                         with_user: bool = True) -> TrainingCertificate:
    institution = institution or listed_institution(division_code)
    klass = TrainingClassFactory(institution=institution, division=institution.division, direction="",
                                 status=TrainingClass.Status.COMPLETED)
    if person is None:
        user = UserFactory(role=Role.TRAINEE, organisation=None) if with_user else None
        person = PersonFactory(division=division(division_code[:4] + "05"), registered_by=institution, user=user)
    enrolment = Enrolment.objects.create(training_class=klass, person=person, status=Enrolment.Status.COMPLETED)
    n = next(_seq)
    return TrainingCertificate.objects.create(
        number=f"TC{n:08d}", enrolment=enrolment, snapshot={"name": person.name}, snapshot_sha256="0" * 64,
        pdf="training/certificates/x.pdf", pdf_sha256="0" * 64, issued_on=klass.end_date, issued_by=UserFactory(organisation=institution))


def declare(certificate: TrainingCertificate, institution: Organisation, *, by=None, ip: str = "127.0.0.1"):
    by = by or certificate.enrolment.person.user or UserFactory(organisation=certificate.enrolment.training_class.institution)
    from ..services import conditions_for

    klass = certificate.enrolment.training_class
    text = commitment_text(certificate, institution, conditions_for(klass.occupation, klass.level))
    return declaration_create(certificate, institution, text=text, by=by, ip=ip)


def exam_session(org: Organisation, *, by, on: date | None = None, capacity: int = 30, level: str = "junior",
                 closes: date | None = None) -> ExamSession:
    from ..services import session_create

    on = on or timezone.localdate() - timedelta(days=1)
    return session_create(institution=org, centre=centre(org), occupation=occupation(), level=level, date=on,
                          start_time=time(9), end_time=time(11, 30), capacity=capacity,
                          declarations_close_on=closes or on, by=by)
