"""Who may do what: ONE role × action table, checked in every write service (deny by default).

Scoping (scoping.py) answers "which rows"; this table answers "which roles may perform
this change at all". A write service calls `require_permission(by, "<app>.<action>", obj)`:
the actor's role must be listed for the action, an action done *as an institution* also
needs the actor's organisation to be of that kind (a finance officer or a bureau cannot act
as a training institution, issue 8 finding 3), and `obj` (the row changed, or the
organisation acted for) must be inside the actor's write scope.

The actor is the `by` the caller passes; when it passes none, the user of the current
request (dte.audit.context, set for every web and API request) is checked, so a view that
forgets to pass it is still refused. Outside any request (CLI, `dte demo`, background jobs,
which were authorised when they were started) the system itself acts and is allowed.

Sources of the role split: 晋人社厅发〔2024〕27号 四、五 (institutions file plans, enrol and
train; the province bureau sets the annual plan and quotas, bureaus review openings and
filings); 津人社办发〔2022〕94号 附件4 一(二) (市人社局 reviews class-opening applications);
auditors and third-party evaluators only read (scoping.READ_ONLY_ROLES).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .roles import Role


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    acts_as: str | None = None  # Organisation.Kind the actor's organisation must be ("training", "evaluation")
    admin: bool = False  # platform administrators may do it too


def _rule(*roles: str, acts_as: str | None = None, admin: bool = False) -> Rule:
    return Rule(frozenset(roles), acts_as, admin)


INSTITUTION = dict(acts_as="training")
OFFICERS = (Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER)

PERMISSIONS: dict[str, Rule] = {
    # registry: the real-name registry, enrolment, plans, filings, class openings
    "registry.person.register": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "registry.enrolment.create": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "registry.enrolment.withdraw": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "registry.roster.import": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "registry.class.create": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "registry.class.application.submit": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "registry.announcement.publish": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "registry.filing.submit": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "registry.filing.review": _rule(*OFFICERS, admin=True),
    "registry.class.application.review": _rule(*OFFICERS, admin=True),
    "registry.quota.change": _rule(Role.PROVINCE_OFFICER, admin=True),
    "registry.plan.change": _rule(Role.PROVINCE_OFFICER, admin=True),
    "registry.filing.edit": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    # training delivery: venues, schedule, certificates, the 30-day report
    "training.venue.save": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "training.session.save": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "training.schedule.confirm": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "training.certificate.issue": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    "training.report.submit": _rule(Role.TRAINING_STAFF, **INSTITUTION),
    # policy: what-if simulations of a pack over a population (officials; nothing is written but the job)
    "policy.simulate": _rule(Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.FINANCE_OFFICER, admin=True),
    # catalogue: occupations, institution listings and subsidy standards (province bureau)
    "catalogue.change": _rule(Role.PROVINCE_OFFICER, admin=True),
}


def actor(by=None):
    """`by`, else the user of the current request; None only outside any request (the system)."""
    if by is not None:
        return by
    from django.contrib.auth.models import AnonymousUser

    from dte.audit.context import current_actor

    from .models import User

    context = current_actor()
    if context.user_id is not None:
        return User.objects.select_related("organisation").filter(pk=context.user_id).first() or AnonymousUser()
    if context.label == "anonymous":
        return AnonymousUser()
    return None


def has_permission(user, action: str, obj=None) -> bool:
    from .scoping import can_access

    rule = PERMISSIONS.get(action)
    if rule is None:  # deny by default: an action nobody listed is nobody's
        return False
    if user is None:
        return True  # the system itself (see the module docstring)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_platform_admin:
        allowed = rule.admin
    else:
        allowed = user.role in rule.roles
        if allowed and rule.acts_as is not None:
            organisation = user.organisation
            allowed = organisation is not None and organisation.kind == rule.acts_as
    if not allowed:
        return False
    return obj is None or can_access(user, obj, write=True)


def require_permission(user, action: str, obj=None) -> None:
    """Raise PermissionDenied unless `user` (or, if None, the request's user) may do `action` on `obj`."""
    if action not in PERMISSIONS:
        raise PermissionDenied(_("Unknown action %(action)s") % {"action": action})
    who = actor(user)
    if not has_permission(who, action, obj):
        raise PermissionDenied(_("Your role may not do this, or it is outside your scope"))
