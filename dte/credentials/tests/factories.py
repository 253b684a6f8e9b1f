"""Factories for level certificates: a listed evaluation institution, its staff, a holder with a login."""

from __future__ import annotations

from datetime import date

from dte.catalogue.models import InstitutionListing, ListingCoverage
from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division
from dte.registry.tests.factories import PersonFactory, occupation

from ..services import LevelCertificateRequest, level_certificates_issue

EXAM = date(2026, 3, 14)
ISSUED = date(2026, 5, 20)


def evaluation_institution(division_code: str = "140100", *, name: str | None = None, listed_on: date = date(2023, 1, 1)):
    org = OrganisationFactory(division=division(division_code), kind=Organisation.Kind.EVALUATION_INSTITUTION,
                              **({"name": name} if name else {}))
    listing = InstitutionListing.objects.create(organisation=org, kind=InstitutionListing.Kind.EVALUATION,
                                                province=division(division_code[:2] + "0000"), listed_on=listed_on, batch="第一批")
    for level in ("junior", "intermediate", "senior"):
        ListingCoverage.objects.create(listing=listing, occupation=occupation(), level=level)
    return org


def evaluation_staff(org):
    return UserFactory(organisation=org, role=Role.EVALUATION_STAFF)


def province_officer(province_code: str = "140000"):
    bureau = OrganisationFactory(division=division(province_code), kind=Organisation.Kind.BUREAU)
    return UserFactory(organisation=bureau, role=Role.PROVINCE_OFFICER)


def holder(name: str = "张三", division_code: str = "140105"):
    user = UserFactory(role=Role.TRAINEE, organisation=None)
    return PersonFactory(name=name, user=user, division=division(division_code))


def request_for(person, issuer, *, level: str = "junior", direction: str = "", exam_date: date = EXAM):
    return LevelCertificateRequest(person=person, occupation=occupation(), level=level, direction=direction, issuer=issuer,
                                   exam_date=exam_date, national_reference="2026-审-0042", source_label="测试批次")


def issue_one(*, issuer=None, person=None, issued_on: date = ISSUED, **kwargs):
    issuer = issuer or evaluation_institution()
    person = person or holder()
    return level_certificates_issue([request_for(person, issuer, **kwargs)], by=evaluation_staff(issuer), issued_on=issued_on)[0]
