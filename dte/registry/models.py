"""The real-name trainee registry (实名制): one person, one record, across the province."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.catalogue.models import Level
from dte.organisations.scoping import Scope
from dte.privacy.fields import EncryptedTextField
from dte.privacy.idnumber import mask_id_number, mask_phone


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Status(models.TextChoices):  # the case statuses of dte.policy.cases.STATUSES
        GRADUATE = "graduate", _("Graduate")
        EMPLOYEE = "employee", _("Employee")
        UNEMPLOYED = "unemployed", _("Unemployed")
        FREELANCER = "freelancer", _("Freelancer / new-form worker")
        STUDENT = "student", _("Student")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=64)
    id_number = EncryptedTextField(_("ID number"), purpose="id_number")
    id_index = models.CharField(max_length=64, unique=True, editable=False)  # keyed blind index for lookup/dedup
    phone = EncryptedTextField(_("mobile phone"), purpose="phone", blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    division = models.ForeignKey("geography.Division", on_delete=models.PROTECT, verbose_name=_("place of residence"))
    employment_status = models.CharField(_("employment status"), max_length=12, choices=Status.choices, blank=True)
    graduation_date = models.DateField(_("graduation date"), null=True, blank=True)
    registered_by = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="registered_people"
    )
    user = models.OneToOneField("organisations.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="person")
    created_at = models.DateTimeField(auto_now_add=True)

    # A person is seen where they live, where they trained, by the institution that registered
    # them and by every institution they enrolled with.
    access_scope = Scope(
        division=("division__code", "enrolments__training_class__division__code"),
        organisation=("registered_by_id", "enrolments__training_class__institution_id"),
        owner="user_id",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.name} {self.masked_id_number}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class TrainingClass(models.Model):
    """A class (培训班) an institution runs for one occupation, direction and level.

    The spine shared by enrolment (registry) and delivery (training): other apps hang
    their own models on it rather than adding columns here."""

    class Mode(models.TextChoices):
        SUBSIDISED = "subsidised", _("Government-subsidised")
        ORDER = "order", _("Order-based (订单式)")
        PROJECT = "project", _("Project-based (项目制)")
        MARKET = "market", _("Market fee-paying")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Opening application submitted")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        IN_TRAINING = "in_training", _("In training")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")

    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="classes")
    occupation = models.ForeignKey("catalogue.Occupation", on_delete=models.PROTECT)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    direction = models.CharField(_("direction"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=128)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.SUBSIDISED)
    division = models.ForeignKey("geography.Division", on_delete=models.PROTECT, verbose_name=_("venue division"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    capacity = models.PositiveIntegerField(_("capacity"), default=50)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    quota = models.ForeignKey(
        "registry.PlanQuota", null=True, blank=True, on_delete=models.PROTECT, related_name="classes", verbose_name=_("plan quota")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="division__code", organisation="institution_id")

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ENROLLED = "enrolled", _("Enrolled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Not completed")

    training_class = models.ForeignKey(TrainingClass, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments")
    class Source(models.TextChoices):
        SELF = "self", _("Self-registered")
        INSTITUTION = "institution", _("Entered by the institution")
        IMPORT = "import", _("Imported roster")

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ENROLLED)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.INSTITUTION)
    eligible = models.BooleanField(_("eligible"), null=True)
    eligibility = models.JSONField(_("eligibility decision"), default=dict, blank=True)

    access_scope = Scope(
        division="training_class__division__code", organisation="training_class__institution_id", owner="person__user_id"
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["training_class", "person"], name="enrolment_once_per_class")]


from .models_opening import ClassApplication, Commitment, RosterImport  # noqa: E402,F401
from .models_plans import AnnualPlan, Announcement, PlanQuota, TrainingPlanFiling  # noqa: E402,F401
