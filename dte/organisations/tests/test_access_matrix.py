"""Role × object matrix: nobody reads or changes another organisation's or
jurisdiction's objects; read-only roles change nothing."""

import pytest

from dte.jobs.models import Job
from dte.organisations.models import ExamCentre, Organisation, User
from dte.organisations.roles import Role
from dte.organisations.scoping import can_access, scoped
from dte.organisations.tests.factories import ExamCentreFactory, OrganisationFactory, UserFactory, division
from dte.registry.models import Person
from dte.registry.services import person_register
from dte.demo.people import make_id_number
from datetime import date

pytestmark = pytest.mark.django_db

# Two provinces, two prefectures in Shanxi: the three boundaries a leak could cross.
TAIYUAN, DATONG, TIANJIN = "140100", "140200", "120100"


@pytest.fixture
def world():
    orgs = {
        "sx_bureau": OrganisationFactory(kind=Organisation.Kind.BUREAU, division=division("140000")),
        "ty_bureau": OrganisationFactory(kind=Organisation.Kind.BUREAU, division=division(TAIYUAN)),
        "dt_bureau": OrganisationFactory(kind=Organisation.Kind.BUREAU, division=division(DATONG)),
        "tj_bureau": OrganisationFactory(kind=Organisation.Kind.BUREAU, division=division("120000")),
        "ty_school": OrganisationFactory(division=division(TAIYUAN)),
        "dt_school": OrganisationFactory(division=division(DATONG)),
        "tj_school": OrganisationFactory(division=division(TIANJIN)),
        "ty_eval": OrganisationFactory(kind=Organisation.Kind.EVALUATION_INSTITUTION, division=division(TAIYUAN)),
        "sx_third": OrganisationFactory(kind=Organisation.Kind.THIRD_PARTY, division=division("140000")),
        "platform": OrganisationFactory(kind=Organisation.Kind.PLATFORM, division=division("000000")),
    }
    people = {}
    for key, school, county in (("ty", "ty_school", "140105"), ("dt", "dt_school", "140202"), ("tj", "tj_school", "120101")):
        division(county)
        people[key] = person_register(
            name=f"学员{key}", id_number=make_id_number(county, date(1999, 1, 1), 11), division_id=county,
            registered_by=orgs[school],
        )
    trainee_user = UserFactory(role=Role.TRAINEE, organisation=None)
    people["ty"].user = trainee_user
    people["ty"].save()
    users = {
        "province": UserFactory(role=Role.PROVINCE_OFFICER, organisation=orgs["sx_bureau"]),
        "taiyuan": UserFactory(role=Role.LOCAL_OFFICER, organisation=orgs["ty_bureau"]),
        "datong": UserFactory(role=Role.LOCAL_OFFICER, organisation=orgs["dt_bureau"]),
        "tianjin": UserFactory(role=Role.PROVINCE_OFFICER, organisation=orgs["tj_bureau"]),
        "finance": UserFactory(role=Role.FINANCE_OFFICER, organisation=orgs["sx_bureau"]),
        "ty_staff": UserFactory(role=Role.TRAINING_STAFF, organisation=orgs["ty_school"]),
        "dt_staff": UserFactory(role=Role.TRAINING_STAFF, organisation=orgs["dt_school"]),
        "eval_staff": UserFactory(role=Role.EVALUATION_STAFF, organisation=orgs["ty_eval"]),
        "trainee": trainee_user,
        "third_party": UserFactory(role=Role.THIRD_PARTY_EVALUATOR, organisation=orgs["sx_third"]),
        "auditor": UserFactory(role=Role.AUDITOR, organisation=orgs["sx_bureau"]),
        "admin": UserFactory(role=Role.SYSADMIN, organisation=orgs["platform"]),
    }
    centre = ExamCentreFactory(evaluation_institution=orgs["ty_eval"], division=division("140105"))
    return orgs, people, users, centre


# who → (people they may read, people they may change)
PEOPLE_MATRIX = {
    "province": ({"ty", "dt"}, {"ty", "dt"}),
    "taiyuan": ({"ty"}, {"ty"}),
    "datong": ({"dt"}, {"dt"}),
    "tianjin": ({"tj"}, {"tj"}),
    "finance": ({"ty", "dt"}, {"ty", "dt"}),
    "ty_staff": ({"ty"}, {"ty"}),
    "dt_staff": ({"dt"}, {"dt"}),
    "eval_staff": (set(), set()),
    "trainee": ({"ty"}, {"ty"}),
    "third_party": ({"ty", "dt"}, set()),
    "auditor": ({"ty", "dt"}, set()),
    "admin": ({"ty", "dt", "tj"}, {"ty", "dt", "tj"}),
}


@pytest.mark.parametrize("who", sorted(PEOPLE_MATRIX))
def test_people_matrix(world, who):
    _, people, users, _ = world
    user = users[who]
    may_read, may_write = PEOPLE_MATRIX[who]
    for key, person in people.items():
        assert can_access(user, person) is (key in may_read), f"{who} read {key}"
        assert can_access(user, person, write=True) is (key in may_write), f"{who} change {key}"
    assert {p.name[2:] for p in scoped(user, Person.objects.all())} == may_read


def test_organisations_and_exam_centres(world):
    orgs, _, users, centre = world
    assert set(scoped(users["ty_staff"], Organisation.objects.all())) == {orgs["ty_school"]}
    assert orgs["tj_school"] not in scoped(users["province"], Organisation.objects.all())
    assert orgs["dt_school"] not in scoped(users["taiyuan"], Organisation.objects.all())
    assert orgs["ty_school"] in scoped(users["taiyuan"], Organisation.objects.all())
    assert list(scoped(users["eval_staff"], ExamCentre.objects.all())) == [centre]
    assert not scoped(users["ty_staff"], ExamCentre.objects.all()).exists()
    assert not scoped(users["tianjin"], ExamCentre.objects.all()).exists()


def test_users_see_colleagues_only(world):
    _, _, users, _ = world
    visible = set(scoped(users["ty_staff"], User.objects.all()))
    assert visible == {users["ty_staff"]}
    assert set(scoped(users["trainee"], User.objects.all())) == {users["trainee"]}


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    _, people, users, _ = world
    assert not scoped(AnonymousUser(), Person.objects.all()).exists()
    users["province"].is_active = False
    assert not scoped(users["province"], Person.objects.all()).exists()


def test_jobs_are_scoped_to_the_organisation(world):
    orgs, _, users, _ = world
    mine = Job.objects.create(kind="x", organisation=orgs["ty_school"], division_code=TAIYUAN, created_by=users["ty_staff"])
    theirs = Job.objects.create(kind="x", organisation=orgs["dt_school"], division_code=DATONG, created_by=users["dt_staff"])
    assert list(scoped(users["ty_staff"], Job.objects.all())) == [mine]
    assert list(scoped(users["taiyuan"], Job.objects.all())) == [mine]
    assert set(scoped(users["province"], Job.objects.all())) == {mine, theirs}


def test_every_user_facing_model_declares_its_scope():
    from django.apps import apps

    from dte.organisations.scoping import Scope

    missing = [
        m._meta.label for m in apps.get_app_config("organisations").get_models()
        if not isinstance(getattr(m, "access_scope", None), Scope)
    ]
    assert missing == []


def test_enrolment_brings_a_person_into_the_institutions_and_the_venues_scope(world):
    from dte.registry.models import Enrolment
    from dte.registry.tests.factories import TrainingClassFactory

    orgs, people, users, _ = world
    taiyuan_class = TrainingClassFactory(institution=orgs["ty_school"], division=division(TAIYUAN))
    Enrolment.objects.create(training_class=taiyuan_class, person=people["tj"])  # a Tianjin resident trains in Taiyuan
    for who in ("ty_staff", "taiyuan", "province", "tianjin"):
        assert can_access(users[who], people["tj"]), who
    for who in ("dt_staff", "datong", "eval_staff"):
        assert not can_access(users[who], people["tj"]), who
    visible = list(scoped(users["ty_staff"], Person.objects.all()))
    assert len(visible) == len(set(visible)) == 2  # no duplicates from the join
