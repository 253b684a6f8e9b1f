"""scoped_parts(): the scoped rows as disjoint querysets, one per path (issue 12 item 4: dashboards that
keep the index). Their union must be exactly scoped() — who sees whom does not change — and no row may be
in two parts, or a count would double it."""

from datetime import date

import pytest

from dte.organisations.roles import Role
from dte.organisations.scoping import scoped, scoped_parts
from dte.organisations.tests.factories import UserFactory, division
from dte.registry.models import Enrolment, Person
from dte.registry.services import enrolment_create
from dte.registry.tests.factories import PersonFactory, TrainingClassFactory, listed_institution, officer, staff
from dte.reporting.selectors import people_by_prefecture

pytestmark = pytest.mark.django_db


def _trainee(county: str, **extra) -> Person:
    return PersonFactory(division=division(county), user=UserFactory(role=Role.TRAINEE, organisation=None),
                         employment_status="graduate", graduation_date=date(2024, 6, 30), **extra)


@pytest.fixture
def world():
    taiyuan, tianjin = listed_institution("140100"), listed_institution("120100")
    sx_class = TrainingClassFactory(institution=taiyuan)
    tj_class = TrainingClassFactory(institution=tianjin, mode="market")
    people = {
        "sx_home": _trainee("140105"),  # lives in Shanxi, no enrolment
        "sx_enrolled": _trainee("140105"),  # lives in Shanxi AND enrolled in Shanxi: must count once
        "tj_in_sx": _trainee("120101"),  # lives in Tianjin, enrolled (self) in a Shanxi class
        "tj_pending": _trainee("120101"),  # lives in Tianjin, an institution typed their number: no consent
        "tj_home": _trainee("120101"),
        "sx_registered": PersonFactory(division=division("140105"), registered_by=taiyuan),
    }
    enrolment_create(sx_class, people["sx_enrolled"], source=Enrolment.Source.SELF)
    enrolment_create(sx_class, people["tj_in_sx"], source=Enrolment.Source.SELF)
    assert enrolment_create(sx_class, people["tj_pending"]).status == Enrolment.Status.APPLIED
    enrolment_create(tj_class, people["sx_enrolled"], source=Enrolment.Source.SELF)  # a Shanxi resident in Tianjin too
    users = {
        "sx_province": officer("140000"), "ty_local": officer("140100", role=Role.LOCAL_OFFICER),
        "tj_province": officer("120000"), "taiyuan_staff": staff(taiyuan), "tianjin_staff": staff(tianjin),
        "trainee": people["tj_in_sx"].user, "admin": UserFactory(role=Role.SYSADMIN, organisation=None, is_superuser=True),
        "anonymous": None,
    }
    return people, users


def test_parts_are_disjoint_and_their_union_is_the_scope(world):
    people, users = world
    for name, user in users.items():
        expected = set(scoped(user, Person.objects.all()).values_list("pk", flat=True))
        parts = [list(part.values_list("pk", flat=True)) for part in scoped_parts(user, Person.objects.all())]
        flat = [pk for part in parts for pk in part]
        assert len(flat) == len(set(flat)), f"{name}: a person is in two parts"
        assert set(flat) == expected, name
    sx = set(scoped(users["sx_province"], Person.objects.all()))
    assert {people["sx_home"], people["sx_enrolled"], people["tj_in_sx"], people["sx_registered"]} <= sx
    assert people["tj_pending"] not in sx and people["tj_home"] not in sx
    assert people["sx_enrolled"] in set(scoped(users["tj_province"], Person.objects.all()))


def test_the_province_dashboard_counts_residents_and_consented_enrolments_once(world):
    people, users = world
    counts = dict(people_by_prefecture(users["sx_province"]))
    # residents of Taiyuan (3) and the Tianjin resident who enrolled in a Shanxi class; not the pending one
    assert sum(counts.values()) == scoped(users["sx_province"], Person.objects.all()).count() == 4
    assert sum(dict(people_by_prefecture(users["tj_province"])).values()) == 4  # 3 residents + the Shanxi one enrolled there
    assert people_by_prefecture(users["anonymous"]) == []
    assert sum(dict(people_by_prefecture(users["admin"])).values()) == Person.objects.count()
