"""Registry API: plans and quotas, filings, announcements (public list), the real-name
registry, enrolment with the eligibility decision, class-opening applications — scoped."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from dte.organisations.roles import Role
from dte.organisations.scoping import get_scoped_or_404, scoped
from dte.privacy.idnumber import InvalidIdNumber
from dte.web.pagination import BoundedPageNumberPagination

from .errors import RegistryError
from .models import Announcement, ClassApplication, Enrolment, Person, PlanQuota, TrainingClass, TrainingPlanFiling
from .selectors import (
    filter_applications, filter_people, filter_quotas, published_announcements, review_days_left,
)
from .services import DuplicatePerson, enrolment_create, person_find_by_id_number, person_register
from .services_opening import class_application_review, class_application_submit
from .services_plans import announcement_publish, filing_review, filing_submit, may_change_plan, quota_set_places

router = Router(tags=["registry"])


def refuse(error: Exception):
    raise HttpError(422, str(error))


def _staff(user):
    if user.role != Role.TRAINING_STAFF or user.organisation is None:
        raise PermissionDenied("Only training-institution staff may do this.")
    return user.organisation


class QuotaOut(Schema):
    id: int
    plan: str = Field(alias="plan.title")
    year: int = Field(alias="plan.year")
    institution: str = Field(alias="institution.name")
    occupation: str = Field(alias="occupation.code")
    places: int
    enrolled: int


class QuotaChange(Schema):
    places: int
    reason: str
    document: str = ""


class FilingOut(Schema):
    id: int
    institution_id: int
    occupation_id: int
    level: str
    direction: str
    hours_online: int
    hours_total: int
    evaluation_institution_id: int
    exam_dates: list[str]
    status: str
    review_comment: str


class Review(Schema):
    decision: str  # filings: accept | return; applications: approved | returned | rejected
    comment: str = ""


class AnnouncementOut(Schema):
    id: int
    class_id: int = Field(alias="training_class_id")
    class_title: str = Field(alias="training_class.title")
    institution: str = Field(alias="training_class.institution.name")
    text: str
    fee_fen: int
    fee_standard: str
    venue: str
    online_share_bp: int
    start_date: date = Field(alias="training_class.start_date")


class PersonIn(Schema):
    name: str
    id_number: str
    phone: str
    division: str
    employment_status: str = ""
    graduation_date: date | None = None


class PersonOut(Schema):
    id: int
    name: str
    id_number: str = Field(alias="masked_id_number")
    phone: str = Field(alias="masked_phone")
    division_id: str
    employment_status: str


class EnrolIn(Schema):
    id_number: str


class EnrolmentOut(Schema):
    id: int
    class_id: int = Field(alias="training_class_id")
    person_id: int
    name: str = Field(alias="roster_name")  # masked while the person has not confirmed (issue 8 finding 2)
    id_number: str = Field(alias="person.masked_id_number")
    status: str
    source: str
    eligible: bool | None
    eligibility: dict


class ApplicationOut(Schema):
    id: int
    class_id: int = Field(alias="training_class_id")
    class_title: str = Field(alias="training_class.title")
    status: str
    submitted_on: date | None
    due_on: date | None
    review_due_on: date | None
    review_days_left: int | None
    comment: str

    @staticmethod
    def resolve_review_days_left(a):
        return review_days_left(a, date.today())


# --- plans ------------------------------------------------------------------------------------


@router.get("/quotas", response=list[QuotaOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def quota_list(request, year: int | None = None):
    return filter_quotas(scoped(request.user, PlanQuota.objects.all()), {"year": year})


@router.patch("/quotas/{pk}", response=QuotaOut)
def quota_change(request, pk: int, body: QuotaChange):
    if not may_change_plan(request.user):
        raise PermissionDenied("Only the province bureau changes the annual plan.")
    quota = get_scoped_or_404(request.user, PlanQuota.objects.all(), write=True, pk=pk)
    try:
        return quota_set_places(quota, body.places, reason=body.reason, document=body.document)
    except RegistryError as error:
        refuse(error)


# --- filings ------------------------------------------------------------------------------------


@router.get("/filings", response=list[FilingOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def filing_list(request, status: str = ""):
    qs = scoped(request.user, TrainingPlanFiling.objects.all())
    return qs.filter(status=status) if status else qs


@router.post("/filings/{pk}/submit", response=FilingOut)
def filing_submit_api(request, pk: int):
    _staff(request.user)
    filing = get_scoped_or_404(request.user, TrainingPlanFiling.objects.all(), write=True, pk=pk)
    try:
        return filing_submit(filing, by=request.user)
    except RegistryError as error:
        refuse(error)


@router.post("/filings/{pk}/review", response=FilingOut)
def filing_review_api(request, pk: int, body: Review):
    if not (request.user.is_platform_admin or request.user.role in (Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER)):
        raise PermissionDenied("Only bureau officers review filings.")
    filing = get_scoped_or_404(request.user, TrainingPlanFiling.objects.all(), write=True, pk=pk)
    try:
        return filing_review(filing, accept=body.decision == "accept", by=request.user, comment=body.comment)
    except RegistryError as error:
        refuse(error)


# --- announcements ------------------------------------------------------------------------------------


@router.get("/public/announcements", response=list[AnnouncementOut], auth=None)
@paginate(BoundedPageNumberPagination, page_size=50)
def public_announcements(request):
    return published_announcements()


@router.post("/announcements/{pk}/publish", response=AnnouncementOut)
def announcement_publish_api(request, pk: int):
    _staff(request.user)
    announcement = get_scoped_or_404(request.user, Announcement.objects.select_related("training_class__institution"),
                                     write=True, pk=pk)
    try:
        return announcement_publish(announcement)
    except RegistryError as error:
        refuse(error)


# --- registry and enrolment ----------------------------------------------------------------------------


@router.get("/people", response=list[PersonOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def people_list(request, q: str = ""):
    return filter_people(scoped(request.user, Person.objects.order_by("-pk")), {"q": q})


@router.post("/people", response={201: PersonOut})
def person_create(request, body: PersonIn):
    institution = _staff(request.user)
    try:
        person = person_register(name=body.name, id_number=body.id_number, division_id=body.division, phone=body.phone,
                                 registered_by=institution, employment_status=body.employment_status,
                                 graduation_date=body.graduation_date)
    except DuplicatePerson:
        raise HttpError(409, _("This ID number is already registered")) from None
    except InvalidIdNumber as error:
        raise HttpError(422, error.message) from None
    return Status(201, person)


@router.get("/classes/{pk}/roster", response=list[EnrolmentOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def class_roster(request, pk: int):
    klass = get_scoped_or_404(request.user, TrainingClass.objects.all(), pk=pk)
    return scoped(request.user, Enrolment.objects.filter(training_class=klass).select_related("person")).order_by("pk")


@router.post("/classes/{pk}/enrolments", response={201: EnrolmentOut})
def class_enrol(request, pk: int, body: EnrolIn):
    _staff(request.user)
    klass = get_scoped_or_404(request.user, TrainingClass.objects.all(), write=True, pk=pk)
    person = person_find_by_id_number(body.id_number)
    if person is None:
        raise HttpError(404, _("This ID number is not in the registry"))
    try:
        return Status(201, enrolment_create(klass, person))
    except RegistryError as error:
        refuse(error)


# --- class-opening applications --------------------------------------------------------------------------


@router.get("/applications", response=list[ApplicationOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def application_list(request, status: str = "", overdue: bool = False):
    return filter_applications(scoped(request.user, ClassApplication.objects.all()), {"status": status, "overdue": overdue},
                               date.today())


@router.post("/applications/{pk}/submit", response=ApplicationOut)
def application_submit_api(request, pk: int):
    _staff(request.user)
    app = get_scoped_or_404(request.user, ClassApplication.objects.select_related("training_class"), write=True, pk=pk)
    try:
        return class_application_submit(app, by=request.user)
    except RegistryError as error:
        refuse(error)


@router.post("/applications/{pk}/review", response=ApplicationOut)
def application_review_api(request, pk: int, body: Review):
    app = get_scoped_or_404(request.user, ClassApplication.objects.select_related("training_class"), pk=pk)
    try:
        return class_application_review(app, body.decision, by=request.user, comment=body.comment)
    except RegistryError as error:
        refuse(error)
