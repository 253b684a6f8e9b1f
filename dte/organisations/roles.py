"""Roles a user can hold, and what kind of reach each role has.

Reach decides how `scoping.scoped` filters querysets:
- JURISDICTION: everything inside the user's bureau's division subtree;
- ORGANISATION: everything belonging to the user's own organisation;
- OWNER: only the user's own records (trainees);
- ALL: system administrators.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    LOCAL_OFFICER = "local_officer", _("Prefecture/county officer")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    TRAINING_STAFF = "training_staff", _("Training institution staff")
    EVALUATION_STAFF = "evaluation_staff", _("Evaluation institution staff")
    TRAINEE = "trainee", _("Trainee")
    THIRD_PARTY_EVALUATOR = "third_party", _("Third-party evaluator")
    AUDITOR = "auditor", _("Read-only auditor")
    SYSADMIN = "sysadmin", _("System administrator")


JURISDICTION_ROLES = frozenset(
    {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.FINANCE_OFFICER, Role.THIRD_PARTY_EVALUATOR, Role.AUDITOR}
)
ORGANISATION_ROLES = frozenset({Role.TRAINING_STAFF, Role.EVALUATION_STAFF})
OWNER_ROLES = frozenset({Role.TRAINEE})
READ_ONLY_ROLES = frozenset({Role.AUDITOR, Role.THIRD_PARTY_EVALUATOR})
# Roles entitled to see full ID and phone numbers (each such read is logged).
UNMASK_ROLES = frozenset({Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.TRAINING_STAFF, Role.SYSADMIN})
