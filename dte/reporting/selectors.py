"""Reads for the statistics dashboard. Every figure is one aggregate query over a queryset
passed through `scoped(user, ...)` — never a loop over rows — so it stays fast at millions
of people, and an officer only ever counts what their jurisdiction may see.

The year filter means: people — the year they were registered; enrolments, classes,
opening applications, completion and attendance — the class's start year; quotas — the
annual plan's year; certificates — the year issued. None = all years."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Concat, ExtractYear, Substr, TruncMonth
from django.utils import timezone

from dte.catalogue.models import Level
from dte.geography.models import Division
from dte.organisations.scoping import scoped, scoped_parts
from dte.registry.models import ClassApplication, Enrolment, Person, PlanQuota, TrainingClass
from dte.training.models import ATTENDED, Attendance, CompletionDecision, Session, TrainingCertificate

ACTIVE = (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED, Enrolment.Status.FAILED)


@dataclass
class Dashboard:
    year: int | None
    people_total: int = 0
    people_by_prefecture: list[tuple[str, int]] = field(default_factory=list)  # (name, count)
    enrolments_total: int = 0
    enrolments_by_occupation: list[tuple[str, str, int]] = field(default_factory=list)  # (occupation, level, count)
    classes_by_status: list[tuple[str, int]] = field(default_factory=list)  # (status label, count)
    quotas_by_institution: list[tuple[str, int, int]] = field(default_factory=list)  # (institution, places, enrolled)
    applications: dict = field(default_factory=dict)  # pending, overdue, decided
    completion: dict = field(default_factory=dict)  # decided, completed, not_completed, rate
    certificates: dict = field(default_factory=dict)  # valid, revoked
    certificates_by_month: list[tuple[str, int]] = field(default_factory=list)  # ("2024-09", count)
    attendance: dict = field(default_factory=dict)  # expected, attended, rate

    @property
    def quota_places(self) -> int:
        return sum(places for _, places, _ in self.quotas_by_institution)

    @property
    def quota_enrolled(self) -> int:
        return sum(enrolled for _, _, enrolled in self.quotas_by_institution)


def _in_year(qs, path: str, year: int | None):
    return qs if year is None else qs.filter(**{f"{path}__year": year})


def people_by_prefecture(user, year: int | None = None) -> list[tuple[str, int]]:
    """People by the prefecture of their place of residence (division code[:4] + "00").

    A person is in scope by residence OR by a consented enrolment (registry.Person.access_scope): the
    count runs over the disjoint parts of the scope (scoped_parts) in one UNION ALL, so the residence
    part keeps the division index instead of a scan of the whole table, and is added up here."""
    base = Person.objects.all() if year is None else Person.objects.filter(created_at__year=year)
    # COUNT(*), not COUNT(id): the residence part is then an index-only scan of the division index
    grouped = [part.order_by().annotate(prefecture=Concat(Substr("division_id", 1, 4), Value("00")))
               .values("prefecture").annotate(n=Count("*")).values_list("prefecture", "n")
               for part in scoped_parts(user, base)]
    if not grouped:
        return []
    totals: dict[str, int] = {}
    for code, n in (grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0]):
        totals[code] = totals.get(code, 0) + n
    names = dict(Division.objects.filter(code__in=list(totals)).values_list("code", "name"))
    return sorted(((names.get(code, code), n) for code, n in totals.items()), key=lambda row: (-row[1], row[0]))


def enrolments_by_occupation(user, year: int | None = None) -> list[tuple[str, str, int]]:
    """Enrolments (all but withdrawn) by the class's occupation and level."""
    qs = _in_year(scoped(user, Enrolment.objects.exclude(status=Enrolment.Status.WITHDRAWN)), "training_class__start_date", year)
    labels = dict(Level.choices)
    rows = (qs.order_by().values("training_class__occupation__name", "training_class__level")
            .annotate(n=Count("pk")).values_list("training_class__occupation__name", "training_class__level", "n"))
    return sorted(((name, str(labels.get(level, level)), n) for name, level, n in rows), key=lambda row: (-row[2], row[0], row[1]))


def classes_by_status(user, year: int | None = None) -> list[tuple[str, int]]:
    qs = _in_year(scoped(user, TrainingClass.objects.all()), "start_date", year)
    counts = dict(qs.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return [(str(label), counts[value]) for value, label in TrainingClass.Status.choices if counts.get(value)]


def quotas_by_institution(user, year: int | None = None) -> list[tuple[str, int, int]]:
    qs = _in_year(scoped(user, PlanQuota.objects.all()), "plan", year)
    rows = (qs.order_by().values("institution_id", "institution__name")
            .annotate(places=Sum("places"), enrolled=Sum("enrolled"))
            .order_by("-places", "institution__name")
            .values_list("institution__name", "places", "enrolled"))
    return [(name, places or 0, enrolled or 0) for name, places, enrolled in rows]


def application_counts(user, year: int | None = None, today: date | None = None) -> dict:
    qs = _in_year(scoped(user, ClassApplication.objects.all()), "training_class__start_date", year)
    today = today or timezone.localdate()
    # overdue as dte.registry.selectors.class_applications_overdue: submitted, review deadline passed (one query, not two)
    overdue = Q(status=ClassApplication.Status.SUBMITTED, review_due_on__lt=today)
    return qs.order_by().aggregate(
        pending=Count("pk", filter=Q(status=ClassApplication.Status.SUBMITTED)),
        approved=Count("pk", filter=Q(status=ClassApplication.Status.APPROVED)),
        returned=Count("pk", filter=Q(status=ClassApplication.Status.RETURNED)),
        rejected=Count("pk", filter=Q(status=ClassApplication.Status.REJECTED)),
        overdue=Count("pk", filter=overdue),
    )


def completion_counts(user, year: int | None = None) -> dict:
    qs = _in_year(scoped(user, CompletionDecision.objects.all()), "enrolment__training_class__start_date", year)
    counts = qs.order_by().aggregate(decided=Count("pk"), completed=Count("pk", filter=Q(completed=True)))
    counts["not_completed"] = counts["decided"] - counts["completed"]
    counts["rate"] = counts["completed"] / counts["decided"] if counts["decided"] else None
    return counts


def certificate_counts(user, year: int | None = None) -> tuple[dict, list[tuple[str, int]]]:
    qs = _in_year(scoped(user, TrainingCertificate.objects.all()), "issued_on", year)
    counts = qs.order_by().aggregate(valid=Count("pk", filter=Q(status=TrainingCertificate.Status.VALID)),
                                     revoked=Count("pk", filter=Q(status=TrainingCertificate.Status.REVOKED)))
    months = (qs.filter(status=TrainingCertificate.Status.VALID).order_by()
              .annotate(month=TruncMonth("issued_on")).values("month").annotate(n=Count("pk")).order_by("month")
              .values_list("month", "n"))
    return counts, [(f"{month:%Y-%m}", n) for month, n in months]


def attendance_counts(user, year: int | None = None, now=None) -> dict:
    """Attendance rate = check-ins (present or late) at regular sessions that have ended ÷
    trainee-sessions held (each ended regular session × its class's active enrolments)."""
    now = now or timezone.now()
    sessions = _in_year(scoped(user, Session.objects.filter(makeup_for__isnull=True, ends_at__lt=now)),
                        "training_class__start_date", year)
    expected = sessions.order_by().aggregate(
        n=Count("training_class__enrolments", filter=Q(training_class__enrolments__status__in=ACTIVE)))["n"]
    attended = _in_year(scoped(user, Attendance.objects.filter(
        session__makeup_for__isnull=True, session__ends_at__lt=now, status__in=ATTENDED, enrolment__status__in=ACTIVE,
    )), "session__training_class__start_date", year).order_by().count()
    return {"expected": expected, "attended": attended, "rate": min(1.0, attended / expected) if expected else None}


def available_years(user) -> list[int]:
    """Years with classes or plans in the user's scope, newest first (for the year filter)."""
    class_years = (scoped(user, TrainingClass.objects.all()).order_by().annotate(y=ExtractYear("start_date"))
                   .values_list("y", flat=True).distinct())
    plan_years = scoped(user, PlanQuota.objects.all()).order_by().values_list("plan__year", flat=True).distinct()
    return sorted({*class_years, *plan_years} - {None}, reverse=True)


def dashboard(user, year: int | None = None, today: date | None = None) -> Dashboard:
    people = people_by_prefecture(user, year)
    enrolments = enrolments_by_occupation(user, year)
    certificates, by_month = certificate_counts(user, year)
    return Dashboard(
        year=year,
        people_total=sum(n for _, n in people), people_by_prefecture=people,
        enrolments_total=sum(n for _, _, n in enrolments), enrolments_by_occupation=enrolments,
        classes_by_status=classes_by_status(user, year),
        quotas_by_institution=quotas_by_institution(user, year),
        applications=application_counts(user, year, today),
        completion=completion_counts(user, year),
        certificates=certificates, certificates_by_month=by_month,
        attendance=attendance_counts(user, year),
    )
