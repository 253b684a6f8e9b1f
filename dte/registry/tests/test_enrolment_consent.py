"""Issue 8 finding 2: enrolling somebody's ID number must not widen access to their record."""

from datetime import date

import pytest

from dte.organisations.roles import Role
from dte.organisations.scoping import can_access, scoped
from dte.organisations.tests.factories import UserFactory
from dte.registry.models import Commitment, Enrolment, Person
from dte.registry.services import commitment_text, enrolment_confirm, enrolment_create, enrolment_decline, enrolment_withdraw

from .factories import PersonFactory, TrainingClassFactory, listed_institution, officer, plan_with_quota, staff

pytestmark = pytest.mark.django_db


def _shanxi_trainee():
    """A self-registered Shanxi trainee (own account, registered by nobody)."""
    return PersonFactory(division_id="140105", user=UserFactory(role=Role.TRAINEE, organisation=None),
                         employment_status="graduate", graduation_date=date(2024, 6, 30))


def test_other_province_institution_cannot_pull_a_person_into_its_scope(client):
    person = _shanxi_trainee()
    tianjin = listed_institution("120100")
    attacker = staff(tianjin)
    klass = TrainingClassFactory(institution=tianjin, mode="market")
    client.force_login(attacker)
    response = client.post(f"/registry/classes/{klass.pk}/", {"action": "enrol", "id_number": person.id_number})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(training_class=klass, person=person)
    assert enrolment.status == Enrolment.Status.APPLIED and enrolment.eligibility == {}
    # the attack of the issue: read the record, reveal the phone
    assert client.get(f"/registry/people/{person.pk}/").status_code == 404
    assert client.post(f"/registry/people/{person.pk}/", {"reveal": "phone"}).status_code == 404
    assert not can_access(attacker, person)
    assert not can_access(officer("120000"), person)  # nor the venue province's bureau
    roster = client.get(f"/registry/classes/{klass.pk}/").content.decode()
    assert person.name not in roster and person.name[:1] + "*" in roster
    api = client.get(f"/api/registry/classes/{klass.pk}/roster").json()
    assert person.name not in str(api)


def test_the_person_confirms_and_only_then_the_institution_sees_them():
    person = _shanxi_trainee()
    institution = listed_institution("140100")
    klass = TrainingClassFactory(institution=institution)
    quota = plan_with_quota(institution, 5)
    klass.quota = quota
    klass.save()
    enrolment = enrolment_create(klass, person)
    quota.refresh_from_db()
    assert enrolment.pending_consent and quota.enrolled == 0
    assert person not in scoped(staff(institution), Person.objects.all())
    with pytest.raises(Exception):
        enrolment_confirm(enrolment, user=staff(institution), text=commitment_text(person, klass))
    enrolment_confirm(enrolment, user=person.user, text=commitment_text(person, klass), ip="203.0.113.5")
    enrolment.refresh_from_db()
    quota.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED and enrolment.eligible is True and quota.enrolled == 1
    assert Commitment.objects.filter(enrolment=enrolment).exists()
    assert can_access(staff(institution), person)


def test_declined_or_cancelled_pending_enrolment_never_grants_access():
    person = _shanxi_trainee()
    institution = listed_institution("140100")
    first, second = TrainingClassFactory(institution=institution), TrainingClassFactory(institution=institution)
    enrolment_decline(enrolment_create(first, person), user=person.user)
    assert enrolment_withdraw(enrolment_create(second, person)) is None  # the institution cancels: the row goes
    assert not Enrolment.objects.filter(person=person).exists()
    assert not can_access(staff(institution), person)


def test_registering_institution_and_self_enrolment_need_no_confirmation():
    institution = listed_institution("140100")
    own = PersonFactory(registered_by=institution)
    assert enrolment_create(TrainingClassFactory(institution=institution), own).status == Enrolment.Status.ENROLLED
    person = _shanxi_trainee()
    klass = TrainingClassFactory(institution=institution)
    assert enrolment_create(klass, person, source=Enrolment.Source.SELF).status == Enrolment.Status.ENROLLED
    # once the person enrolled themselves, the institution reaches them for its other classes too
    assert enrolment_create(TrainingClassFactory(institution=institution), person).status == Enrolment.Status.ENROLLED


def test_trainee_confirms_on_the_invitation_page(client):
    person = _shanxi_trainee()
    klass = TrainingClassFactory(institution=listed_institution("140100"))
    enrolment = enrolment_create(klass, person)
    client.force_login(person.user)
    page = client.get(f"/registry/me/invitations/{enrolment.pk}/")
    assert page.status_code == 200
    client.post(f"/registry/me/invitations/{enrolment.pk}/", {"agree": "1", "text": commitment_text(person, klass)})
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_api_enrolment_of_a_stranger_is_pending_and_invisible(client):
    person = _shanxi_trainee()
    tianjin = listed_institution("120100")
    klass = TrainingClassFactory(institution=tianjin, mode="market")
    client.force_login(staff(tianjin))
    response = client.post(f"/api/registry/classes/{klass.pk}/enrolments", {"id_number": person.id_number},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "applied"
    assert person.name not in response.content.decode()
    listed = client.get("/api/registry/people").json()
    assert all(row["id"] != person.pk for row in listed["items"])
