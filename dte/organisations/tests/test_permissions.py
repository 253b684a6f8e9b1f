"""Issue 8 finding 3: one role × action table, deny by default, role AND scope in the service."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from dte.audit.context import actor_from_user, reset_actor, set_actor
from dte.organisations.models import Organisation
from dte.organisations.permissions import PERMISSIONS, has_permission, require_permission
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division

pytestmark = pytest.mark.django_db

T, E, P, L, F = (Role.TRAINING_STAFF, Role.EVALUATION_STAFF, Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER,
                 Role.FINANCE_OFFICER)
# Written out independently of the table it checks: who may do each action.
EXPECTED = {
    "registry.person.register": {T}, "registry.enrolment.create": {T}, "registry.enrolment.withdraw": {T},
    "registry.roster.import": {T}, "registry.class.create": {T}, "registry.class.application.submit": {T},
    "registry.announcement.publish": {T}, "registry.filing.submit": {T},
    "registry.filing.review": {P, L, "admin"}, "registry.class.application.review": {P, L, "admin"},
    "registry.quota.change": {P, "admin"}, "registry.plan.change": {P, "admin"}, "registry.filing.edit": {T},
    "policy.simulate": {P, L, F, "admin"},
    "training.venue.save": {T}, "training.session.save": {T}, "training.schedule.confirm": {T},
    "training.certificate.issue": {T}, "training.report.submit": {T},
    "catalogue.change": {P, "admin"},
}
ORG_KIND = {
    Role.TRAINING_STAFF: Organisation.Kind.TRAINING_INSTITUTION, Role.EVALUATION_STAFF: Organisation.Kind.EVALUATION_INSTITUTION,
    Role.THIRD_PARTY_EVALUATOR: Organisation.Kind.THIRD_PARTY, Role.SYSADMIN: Organisation.Kind.PLATFORM,
}


def user_with(role):
    if role == Role.TRAINEE:
        return UserFactory(role=role, organisation=None)
    return UserFactory(role=role, organisation=OrganisationFactory(kind=ORG_KIND.get(role, Organisation.Kind.BUREAU),
                                                                   division=division("140100")))


def test_the_table_lists_every_action_and_nothing_else():
    assert set(PERMISSIONS) == set(EXPECTED)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", list(Role))
def test_role_by_action(role, action):
    expected = role in EXPECTED[action] or (role == Role.SYSADMIN and "admin" in EXPECTED[action])
    assert has_permission(user_with(role), action) is expected


def test_unknown_action_and_anonymous_are_refused():
    with pytest.raises(PermissionDenied):
        require_permission(user_with(Role.SYSADMIN), "registry.something.new")
    from django.contrib.auth.models import AnonymousUser
    assert not has_permission(AnonymousUser(), "registry.enrolment.create")


def test_finance_officer_or_bureau_staff_cannot_act_as_an_institution():
    finance = user_with(Role.FINANCE_OFFICER)
    bureau_trainer = UserFactory(role=Role.TRAINING_STAFF, organisation=OrganisationFactory(kind=Organisation.Kind.BUREAU))
    for user in (finance, bureau_trainer, user_with(Role.PROVINCE_OFFICER)):
        assert not has_permission(user, "registry.roster.import")


def test_scope_is_checked_with_the_role():
    mine = OrganisationFactory(division=division("140100"))
    other = OrganisationFactory(division=division("140100"))
    staff = UserFactory(role=Role.TRAINING_STAFF, organisation=mine)
    assert has_permission(staff, "training.venue.save", mine)
    assert not has_permission(staff, "training.venue.save", other)


def test_evaluation_staff_cannot_add_a_training_venue():
    from dte.training.services import venue_save

    evaluator = user_with(Role.EVALUATION_STAFF)
    with pytest.raises(PermissionDenied):
        venue_save(institution=evaluator.organisation, by=evaluator, name="考场", division=evaluator.organisation.division,
                   lat=37.8, lon=112.5)


def test_service_falls_back_to_the_request_user_when_the_caller_passes_none():
    from dte.registry.services import enrolment_create
    from dte.registry.tests.factories import PersonFactory, TrainingClassFactory

    klass = TrainingClassFactory(start_date=date(2024, 9, 2))
    token = set_actor(actor_from_user(user_with(Role.FINANCE_OFFICER)))
    try:
        with pytest.raises(PermissionDenied):
            enrolment_create(klass, PersonFactory())
    finally:
        reset_actor(token)
    token = set_actor(actor_from_user(UserFactory(role=Role.TRAINING_STAFF, organisation=klass.institution)))
    try:
        assert enrolment_create(klass, PersonFactory(employment_status="graduate", graduation_date=date(2024, 6, 30)))
    finally:
        reset_actor(token)
