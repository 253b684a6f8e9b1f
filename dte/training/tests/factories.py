"""Factories for training delivery (factory_boy) on top of the shared organisation factories."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from dte.catalogue.models import InstitutionListing, Occupation
from dte.demo.people import make_id_number
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division
from dte.policy.occupations import find_occupation
from dte.registry.models import Enrolment, Person, TrainingClass
from dte.registry.services import id_index_of
from dte.registry.tests import factories as registry_factories
from dte.training.models import Session, Venue

_seq = itertools.count(1)

# 天津: 人工智能工程技术人员 初级 requires 64 hours (津人社办发〔2022〕94号 附件3)
AI_CODE = "2-02-10-09"
VENUE_LAT, VENUE_LON = 39.0842, 117.2009


def occupation(code: str = AI_CODE) -> Occupation:
    o = find_occupation(code)
    return Occupation.objects.get_or_create(code=o.code, defaults={"name": o.name, "field": o.field})[0]


def institution(division_code: str = "120101", *, listed: bool = True, name: str | None = None):
    org = OrganisationFactory(division=division(division_code), **({"name": name} if name else {}))
    if listed:
        InstitutionListing.objects.create(organisation=org, kind=InstitutionListing.Kind.TRAINING,
                                          province=division(division_code[:2] + "0000"), listed_on=date(2023, 1, 1))
    return org


def staff(org):
    return UserFactory(organisation=org, role=Role.TRAINING_STAFF)


class TrainingClassFactory(registry_factories.TrainingClassFactory):
    """The registry's class factory, held in Tianjin by default and ended two days ago."""

    institution = factory.LazyFunction(institution)
    occupation = factory.LazyFunction(occupation)
    direction = "智能应用"
    title = factory.Sequence(lambda n: f"人工智能初级班{n}")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=20))
    end_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=2))
    status = TrainingClass.Status.IN_TRAINING


def trainee(training_class, *, name: str | None = None, with_user: bool = True) -> Enrolment:
    n = next(_seq)
    number = make_id_number(str(training_class.division_id), date(1995, 1, 1) + timedelta(days=n % 3000), n % 1000)
    user = UserFactory(role=Role.TRAINEE, organisation=None) if with_user else None
    person = Person.objects.create(name=name or f"学员{n}", id_number=number, id_index=id_index_of(number),
                                   birth_date=date(1995, 1, 1), gender="M", division_id=training_class.division_id,
                                   registered_by=training_class.institution, user=user)
    return Enrolment.objects.create(training_class=training_class, person=person, status=Enrolment.Status.ENROLLED)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    institution = factory.LazyFunction(institution)
    name = factory.Sequence(lambda n: f"实训室{n}")
    division = factory.LazyAttribute(lambda o: o.institution.division)
    lat, lon, radius_m = VENUE_LAT, VENUE_LON, 100


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    training_class = factory.SubFactory(TrainingClassFactory)
    title = factory.Sequence(lambda n: f"第{n}讲")
    starts_at = factory.LazyFunction(lambda: at(timezone.localdate() - timedelta(days=10), 9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    hours = Decimal(4)
    delivery = Session.Delivery.OFFLINE
    kind = Session.Kind.THEORY
    venue = factory.LazyAttribute(lambda o: VenueFactory(institution=o.training_class.institution)
                                  if o.delivery == Session.Delivery.OFFLINE else None)
    platform = factory.LazyAttribute(lambda o: "机构学习平台" if o.delivery == Session.Delivery.ONLINE else "")
