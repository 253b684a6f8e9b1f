"""The real-name trainee registry (实名制): one person, one record, across the province."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.catalogue.models import Level
from django.db.models import Q

from dte.organisations.scoping import Scope, Via
from dte.privacy.fields import EncryptedTextField
from dte.privacy.idnumber import mask_id_number, mask_phone


# Enrolment statuses the person made or confirmed (a positive list: a negated condition on a
# to-many relation would not be matched on the same enrolment row).
CONSENTED = Q(enrolments__status__in=("enrolled", "withdrawn", "completed", "failed"))


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

    class SchoolType(models.TextChoices):  # dte.policy.cases.SCHOOL_TYPES
        UNIVERSITY = "university", _("University (普通高校/高等院校)")
        VOCATIONAL = "vocational", _("Vocational college (职业院校)")
        TECHNICAL = "technical", _("Technical school (技工院校)")

    name = models.CharField(_("name"), max_length=64)
    id_number = EncryptedTextField(_("ID number"), purpose="id_number")
    # Keyed blind indexes for lookup/dedup, matched only exactly: their unique constraint and index are declared in
    # Meta, so PostgreSQL gets no second `varchar_pattern_ops` (LIKE) index per column, which nothing uses and
    # which cost a third of the roster import's index work (issue 12, item 1).
    id_index = models.CharField(max_length=64, editable=False)
    phone = EncryptedTextField(_("mobile phone"), purpose="phone", blank=True)
    phone_index = models.CharField(max_length=64, blank=True, editable=False)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    division = models.ForeignKey("geography.Division", on_delete=models.PROTECT, verbose_name=_("place of residence"))
    employment_status = models.CharField(_("employment status"), max_length=12, choices=Status.choices, blank=True)
    graduation_date = models.DateField(_("graduation date"), null=True, blank=True)
    # Separate facts the documents distinguish (issue 13 item 3; 晋人社厅发〔2024〕27号 三: an
    # 应届毕业生 may be employed; 藏人社发〔2025〕13号 二: retirees excluded; 云人社通〔2023〕39号 二 and
    # 津人社办发〔2022〕94号 二: school kinds). Blank/None = not known; the status stays as a summary.
    employed = models.BooleanField(_("currently employed"), null=True, blank=True)
    retired = models.BooleanField(_("retired"), null=True, blank=True)
    school_type = models.CharField(_("school type"), max_length=12, choices=SchoolType.choices, blank=True)
    full_time = models.BooleanField(_("full-time study"), null=True, blank=True)
    registered_by = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="registered_people",
        verbose_name=_("registered by"),
    )
    user = models.OneToOneField("organisations.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="person")
    created_at = models.DateTimeField(auto_now_add=True)

    # A person is seen where they live, by the institution that registered them, and through
    # the enrolments THEY made or confirmed: by that institution and the venue's bureaus.
    # An institution typing someone's ID number creates a pending enrolment (status "applied",
    # dte.registry.services.enrolment_create) that widens nobody's access until the person
    # confirms it (issue 8 finding 2; 个人信息保护法 第十三、十四条: processing rests on the
    # person's consent or on a duty, and an institution enrolling a stranger has neither).
    access_scope = Scope(
        division=("division__code", Via("enrolments__training_class__division__code", CONSENTED)),
        organisation=("registered_by_id", Via("enrolments__training_class__institution_id", CONSENTED)),
        owner="user_id",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [models.UniqueConstraint(fields=["id_index"], name="person_unique_id_index")]
        indexes = [models.Index(fields=["phone_index"], name="person_phone_index")]

    def __str__(self) -> str:
        return f"{self.name} {self.masked_id_number}"

    def trainee_facts(self) -> dict:
        """The person's facts as the policy case's trainee fields (unknown facts left out)."""
        facts = {"employed": self.employed, "retired": self.retired, "full_time": self.full_time,
                 "school_type": self.school_type or None}
        return {k: v for k, v in facts.items() if v is not None}

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

    institution = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="classes", verbose_name=_("institution"))
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

    @property
    def pending_consent(self) -> bool:
        """Entered by an institution for a person it could not see: waits for the person."""
        return self.status == self.Status.APPLIED

    @property
    def roster_name(self) -> str:
        """The name a roster shows: masked until the person confirmed (finding 2)."""
        name = self.person.name
        return name if not self.pending_consent else (name[:1] + "*" * max(len(name) - 1, 1))

    def __str__(self) -> str:
        """报名 #8 in the admin and anywhere an enrolment is named (not "Enrolment object (8)")."""
        return f"{self._meta.verbose_name} #{self.pk}"


from .models_opening import ClassApplication, Commitment, RosterImport  # noqa: E402,F401
from .models_plans import AnnualPlan, Announcement, PlanQuota, TrainingPlanFiling  # noqa: E402,F401
