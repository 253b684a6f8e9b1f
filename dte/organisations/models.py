"""Organisations (bureaus, institutions, employers, evaluators) and the people who log in."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .scoping import Scope


class Organisation(models.Model):
    class Kind(models.TextChoices):
        BUREAU = "bureau", _("Human resources bureau")
        TRAINING_INSTITUTION = "training", _("Training institution")
        EVALUATION_INSTITUTION = "evaluation", _("Evaluation institution")
        EMPLOYER = "employer", _("Employer")
        THIRD_PARTY = "third_party", _("Third-party evaluator")
        PLATFORM = "platform", _("Platform operator")

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    division = models.ForeignKey("geography.Division", on_delete=models.PROTECT, verbose_name=_("division"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="division__code", organisation="id")

    class Meta:
        ordering = ["division_id", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [models.UniqueConstraint(fields=["name", "division"], name="organisation_unique_name_in_division")]

    def __str__(self) -> str:
        return self.name


class ExamCentre(models.Model):
    """A designated exam centre (考核点) of an evaluation institution."""

    evaluation_institution = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="exam_centres",
        limit_choices_to={"kind": Organisation.Kind.EVALUATION_INSTITUTION},
     verbose_name=_("evaluation institution"))
    name = models.CharField(_("name"), max_length=128)
    division = models.ForeignKey("geography.Division", on_delete=models.PROTECT, verbose_name=_("division"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(default=True)

    access_scope = Scope(division="division__code", organisation="evaluation_institution_id")

    class Meta:
        verbose_name = _("exam centre")
        verbose_name_plural = _("exam centres")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.TRAINEE)

    access_scope = Scope(division="organisation__division__code", organisation="organisation_id", owner="id")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or self.role == Role.SYSADMIN


from .tokens import ApiToken  # noqa: E402,F401  (model lives beside its services)
from .idempotency import IdempotencyRecord  # noqa: E402,F401
