"""Reads: overdue reviews, remaining working days, a person's history, filtered lists."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from dte.organisations.scoping import scoped
from dte.workdays.services import working_days_remaining

from .models import Announcement, ClassApplication, Commitment, Enrolment, Person, TrainingClass


def class_applications_overdue(today: date, queryset: QuerySet | None = None) -> QuerySet:
    """Submitted applications whose review deadline has passed without a decision."""
    qs = ClassApplication.objects.all() if queryset is None else queryset
    return (qs.filter(status=ClassApplication.Status.SUBMITTED, review_due_on__lt=today)
            .select_related("training_class__institution", "training_class__division").order_by("review_due_on", "pk"))


def review_days_left(application: ClassApplication, today: date) -> int | None:
    if application.status != ClassApplication.Status.SUBMITTED or application.review_due_on is None:
        return None
    return working_days_remaining(today, application.review_due_on)


def published_announcements(today: date | None = None) -> QuerySet:
    """Announcements the public can still act on: published, for a class that has not yet
    opened and was not rejected or closed (enrolment ends on the opening day)."""
    today = today or timezone.localdate()
    return (Announcement.objects.filter(published=True, training_class__start_date__gte=today)
            .exclude(training_class__status__in=[TrainingClass.Status.REJECTED, TrainingClass.Status.CLOSED])
            .select_related("training_class__institution", "training_class__occupation", "training_class__division")
            .order_by("-published_at", "-pk"))


def person_history(user, person: Person) -> dict:
    """Everything the user may see about one person, in one place."""
    enrolments = (scoped(user, Enrolment.objects.filter(person=person))
                  .select_related("training_class__institution", "training_class__occupation").order_by("-enrolled_at"))
    commitments = scoped(user, Commitment.objects.filter(enrolment__person=person)).select_related("enrolment__training_class")
    return {"enrolments": list(enrolments), "commitments": list(commitments)}


def filter_classes(qs: QuerySet, params) -> QuerySet:
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("q"):
        qs = qs.filter(title__icontains=params["q"])
    return qs.select_related("institution", "occupation", "division", "quota")


def filter_enrolments(qs: QuerySet, params) -> QuerySet:
    if params.get("class"):
        qs = qs.filter(training_class_id=params["class"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("q"):
        qs = qs.filter(person__name__icontains=params["q"])
    return qs.select_related("person", "training_class__institution").order_by("training_class_id", "pk")


def filter_applications(qs: QuerySet, params, today: date) -> QuerySet:
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("overdue"):
        qs = class_applications_overdue(today, qs)
    return qs.select_related("training_class__institution", "training_class__division")


def filter_filings(qs: QuerySet, params) -> QuerySet:
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    return qs.select_related("institution", "occupation", "evaluation_institution")


def filter_quotas(qs: QuerySet, params) -> QuerySet:
    if params.get("year"):
        qs = qs.filter(plan__year=params["year"])
    return qs.select_related("plan", "institution", "occupation")

