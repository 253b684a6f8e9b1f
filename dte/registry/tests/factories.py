"""Factories for the registry (factory_boy), on top of the shared organisation factories."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import factory

from dte.catalogue.models import InstitutionListing, ListingCoverage, Occupation
from dte.demo.people import make_id_number
from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division
from dte.policy.occupations import find_occupation
from dte.registry.models import Person, PlanQuota, TrainingClass, TrainingPlanFiling
from dte.registry.models_plans import AnnualPlan
from dte.registry.services import id_index_of

_sequence = itertools.count(1)


def occupation(code: str = "2-02-10-09") -> Occupation:
    o = find_occupation(code)
    return Occupation.objects.get_or_create(code=o.code, defaults={"name": o.name, "field": o.field,
                                                                  "classification_2022": o.classification_2022})[0]


def id_number(area: str = "140105", birth: date = date(2001, 5, 4)) -> str:
    return make_id_number(area, birth, next(_sequence) % 1000)


def listed_institution(division_code: str = "140100", *, name: str | None = None, occupations=("2-02-10-09",),
                       levels=("junior", "intermediate"), status=InstitutionListing.Status.LISTED) -> Organisation:
    org = OrganisationFactory(division=division(division_code), **({"name": name} if name else {}))
    listing = InstitutionListing.objects.create(
        organisation=org, kind=InstitutionListing.Kind.TRAINING, province=division(division_code[:2] + "0000"),
        listed_on=date(2023, 1, 1), status=status, batch="第一批",
    )
    for code in occupations:
        for level in levels:
            ListingCoverage.objects.create(listing=listing, occupation=occupation(code), level=level)
    return org


def evaluation_institution(division_code: str = "140100") -> Organisation:
    return OrganisationFactory(division=division(division_code), kind=Organisation.Kind.EVALUATION_INSTITUTION)


def bureau(division_code: str) -> Organisation:
    return OrganisationFactory(division=division(division_code), kind=Organisation.Kind.BUREAU)


def officer(division_code: str, role=Role.PROVINCE_OFFICER):
    return UserFactory(organisation=bureau(division_code), role=role)


def staff(institution: Organisation):
    return UserFactory(organisation=institution, role=Role.TRAINING_STAFF)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"学员{n}")
    id_number = factory.LazyFunction(id_number)
    id_index = factory.LazyAttribute(lambda o: id_index_of(o.id_number))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    birth_date = date(2001, 5, 4)
    gender = "M"
    division = factory.LazyFunction(lambda: division("140105"))
    employment_status = Person.Status.GRADUATE
    graduation_date = date(2024, 6, 30)


class TrainingClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingClass

    institution = factory.LazyFunction(listed_institution)
    occupation = factory.LazyFunction(occupation)
    level = "junior"
    title = factory.Sequence(lambda n: f"人工智能工程技术人员初级培训班{n}期")
    division = factory.LazyAttribute(lambda o: o.institution.division)
    start_date = date(2024, 9, 2)
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=30))
    capacity = 50


def plan_with_quota(institution: Organisation, places: int, code: str = "2-02-10-09", year: int = 2024) -> PlanQuota:
    plan, _ = AnnualPlan.objects.get_or_create(province_id=institution.division_id[:2] + "0000", year=year,
                                               title=f"{year} 年度培训计划")
    return PlanQuota.objects.create(plan=plan, institution=institution, occupation=occupation(code), places=places)


def filing(institution: Organisation, evaluator: Organisation | None = None, **overrides) -> TrainingPlanFiling:
    values = dict(
        institution=institution, province=division(institution.division_id[:2] + "0000"),
        prefecture=division(institution.division_id[:4] + "00"), occupation=occupation(), level="junior",
        hours_online_theory=20, hours_online_practice=10, hours_offline_theory=20, hours_offline_practice=30,
        teachers=[{"name": "李教授", "title": "教授"}], venues=["太原市小店区坞城路92号"], materials="全国专业技术人员新职业培训教程",
        evaluation_institution=evaluator or evaluation_institution(institution.division_id[:4] + "00"),
        exam_plan="理论知识考试与专业能力考核", exam_dates=["2024-10-20"],
    )
    values.update(overrides)
    return TrainingPlanFiling.objects.create(**values)
