"""Reads for the statistics dashboard. Every figure is one aggregate query over a queryset
passed through `scoped(user, ...)` — never a loop over rows — so it stays fast at millions
of people, and an officer only ever counts what their jurisdiction may see.

Each figure's SQL is compiled once per scope and year (compiled.py) and the five one-row counts run as
one statement, so the whole dashboard costs six statements and little Python beside them (issue 12
item 4: within 1.5x of the hand-written SQL). The page reads them through `dashboard_cached`: at most
five minutes old, with the time they were computed and a refresh.

The year filter means: people — the year they were registered; enrolments, classes,
opening applications, completion and attendance — the class's start year; quotas — the
annual plan's year; certificates — the year issued. None = all years."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Concat, ExtractMonth, ExtractYear, Substr
from django.utils import timezone
from django.utils.translation import get_language

from dte.catalogue.models import Level
from dte.geography.models import Division
from dte.organisations.scoping import scope_key, scoped, scoped_parts
from dte.registry.models import ClassApplication, Enrolment, Person, PlanQuota, TrainingClass
from dte.training.models import ATTENDED, Attendance, CompletionDecision, Session, TrainingCertificate

from .compiled import NOW, TODAY, Statement, compile_queryset, one_row, statement

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


def _one_row(qs, **aggregates):
    """`qs.aggregate(**aggregates)` as a queryset (one row, no GROUP BY), so it can be compiled and combined."""
    return qs.order_by().annotate(_one=Value(1)).values("_one").annotate(**aggregates).values_list(*aggregates)


def _statement(figure: str, user, year: int | None, build) -> Statement:
    """The compiled SQL of one figure for this user's scope and year (compiled.statement)."""
    return statement((figure, scope_key(user), year), lambda: compile_queryset(build(user, year)))


# Each figure: a queryset builder (the access rules through scoped(); TODAY and NOW stand for the dates
# passed at execution) and, below, the function that runs it and shapes its rows.

def _people_qs(user, year):
    base = Person.objects.all() if year is None else Person.objects.filter(created_at__year=year)
    # COUNT(*), not COUNT(id): the residence part is then an index-only scan of the division index
    grouped = [part.order_by().annotate(prefecture=Concat(Substr("division_id", 1, 4), Value("00")))
               .values("prefecture").annotate(n=Count("*")).values_list("prefecture", "n")
               for part in scoped_parts(user, base)]
    if not grouped:
        return Person.objects.none().values_list("division_id", "pk")
    return grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0]


def _people_statement(user, year) -> Statement:
    def build():
        quote = connection.ops.quote_name
        division = Division._meta
        return compile_queryset(_people_qs(user, year)).wrap(
            f"SELECT u.prefecture, d.{quote(division.get_field('name').column)}, u.n FROM ({{sql}}) u "
            f"LEFT JOIN {quote(division.db_table)} d ON d.{quote(division.pk.column)} = u.prefecture", width=3)
    return statement(("people", scope_key(user), year), build)


def _enrolments_qs(user, year):
    qs = _in_year(scoped(user, Enrolment.objects.exclude(status=Enrolment.Status.WITHDRAWN)), "training_class__start_date", year)
    return (qs.order_by().values("training_class__occupation__name", "training_class__level")
            .annotate(n=Count("pk")).values_list("training_class__occupation__name", "training_class__level", "n"))


def _classes_qs(user, year):
    qs = _in_year(scoped(user, TrainingClass.objects.all()), "start_date", year)
    return qs.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")


def _quotas_qs(user, year):
    qs = _in_year(scoped(user, PlanQuota.objects.all()), "plan", year)
    return (qs.order_by().values("institution_id", "institution__name")
            .annotate(places=Sum("places"), enrolled=Sum("enrolled"))
            .order_by("-places", "institution__name")
            .values_list("institution__name", "places", "enrolled"))


APPLICATION_FIGURES = ("pending", "approved", "returned", "rejected", "overdue")


def _applications_qs(user, year):
    qs = _in_year(scoped(user, ClassApplication.objects.all()), "training_class__start_date", year)
    # overdue as dte.registry.selectors.class_applications_overdue: submitted, review deadline passed (one query, not two)
    overdue = Q(status=ClassApplication.Status.SUBMITTED, review_due_on__lt=TODAY)
    return _one_row(qs, pending=Count("pk", filter=Q(status=ClassApplication.Status.SUBMITTED)),
                    approved=Count("pk", filter=Q(status=ClassApplication.Status.APPROVED)),
                    returned=Count("pk", filter=Q(status=ClassApplication.Status.RETURNED)),
                    rejected=Count("pk", filter=Q(status=ClassApplication.Status.REJECTED)),
                    overdue=Count("pk", filter=overdue))


def _completion_qs(user, year):
    qs = _in_year(scoped(user, CompletionDecision.objects.all()), "enrolment__training_class__start_date", year)
    return _one_row(qs, decided=Count("pk"), completed=Count("pk", filter=Q(completed=True)))


def _certificates_qs(user, year):
    qs = _in_year(scoped(user, TrainingCertificate.objects.all()), "issued_on", year)
    return _one_row(qs, valid=Count("pk", filter=Q(status=TrainingCertificate.Status.VALID)),
                    revoked=Count("pk", filter=Q(status=TrainingCertificate.Status.REVOKED)))


def _months_qs(user, year):
    qs = _in_year(scoped(user, TrainingCertificate.objects.filter(status=TrainingCertificate.Status.VALID)), "issued_on", year)
    return (qs.order_by().values(y=ExtractYear("issued_on"), m=ExtractMonth("issued_on")).annotate(n=Count("pk"))
            .order_by("y", "m").values_list("y", "m", "n"))


def _expected_qs(user, year):
    sessions = _in_year(scoped(user, Session.objects.filter(makeup_for__isnull=True, ends_at__lt=NOW)),
                        "training_class__start_date", year)
    return _one_row(sessions, expected=Count("training_class__enrolments",
                                             filter=Q(training_class__enrolments__status__in=ACTIVE)))


def _attended_qs(user, year):
    attended = scoped(user, Attendance.objects.filter(
        session__makeup_for__isnull=True, session__ends_at__lt=NOW, status__in=ATTENDED, enrolment__status__in=ACTIVE))
    return _one_row(_in_year(attended, "session__training_class__start_date", year), attended=Count("*"))


def _years_qs(user, year=None):
    class_years = scoped(user, TrainingClass.objects.all()).order_by().values_list(ExtractYear("start_date"))
    plan_years = scoped(user, PlanQuota.objects.all()).order_by().values_list("plan__year")
    return class_years.union(plan_years)  # UNION: each year once


# The figures ----------------------------------------------------------------------------------------

def _people(rows) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    names: dict[str, str] = {}
    for code, name, n in rows:  # the parts are disjoint: a prefecture may come once from each
        totals[code] = totals.get(code, 0) + n
        names[code] = name or code
    return sorted(((names[code], n) for code, n in totals.items()), key=lambda row: (-row[1], row[0]))


def people_by_prefecture(user, year: int | None = None) -> list[tuple[str, int]]:
    """People by the prefecture of their place of residence (division code[:4] + "00").

    A person is in scope by residence OR by a consented enrolment (registry.Person.access_scope): the
    count runs over the disjoint parts of the scope (scoped_parts) in one UNION ALL, so the residence
    part keeps the division index instead of a scan of the whole table, and is added up here."""
    return _people(_people_statement(user, year).rows())


def _enrolments(rows) -> list[tuple[str, str, int]]:
    labels = dict(Level.choices)
    return sorted(((name, str(labels.get(level, level)), n) for name, level, n in rows), key=lambda row: (-row[2], row[0], row[1]))


def enrolments_by_occupation(user, year: int | None = None) -> list[tuple[str, str, int]]:
    """Enrolments (all but withdrawn) by the class's occupation and level."""
    return _enrolments(_statement("enrolments", user, year, _enrolments_qs).rows())


def _classes(rows) -> list[tuple[str, int]]:
    counts = dict(rows)
    return [(str(label), counts[value]) for value, label in TrainingClass.Status.choices if counts.get(value)]


def classes_by_status(user, year: int | None = None) -> list[tuple[str, int]]:
    return _classes(_statement("classes", user, year, _classes_qs).rows())


def _quotas(rows) -> list[tuple[str, int, int]]:
    return [(name, int(places or 0), int(enrolled or 0)) for name, places, enrolled in rows]


def quotas_by_institution(user, year: int | None = None) -> list[tuple[str, int, int]]:
    return _quotas(_statement("quotas", user, year, _quotas_qs).rows())


def application_counts(user, year: int | None = None, today: date | None = None) -> dict:
    (row,) = _statement("applications", user, year, _applications_qs).rows(today=today) or [(0,) * 5]
    return dict(zip(APPLICATION_FIGURES, row))


def _completion(decided: int, completed: int) -> dict:
    return {"decided": decided, "completed": completed, "not_completed": decided - completed,
            "rate": completed / decided if decided else None}


def completion_counts(user, year: int | None = None) -> dict:
    (row,) = _statement("completion", user, year, _completion_qs).rows() or [(0, 0)]
    return _completion(*row)


def _months(rows) -> list[tuple[str, int]]:
    return [(f"{int(y):04d}-{int(m):02d}", n) for y, m, n in rows]


def certificate_counts(user, year: int | None = None) -> tuple[dict, list[tuple[str, int]]]:
    (row,) = _statement("certificates", user, year, _certificates_qs).rows() or [(0, 0)]
    return {"valid": row[0], "revoked": row[1]}, _months(_statement("months", user, year, _months_qs).rows())


def _attendance(expected: int, attended: int) -> dict:
    return {"expected": expected, "attended": attended, "rate": min(1.0, attended / expected) if expected else None}


def attendance_counts(user, year: int | None = None, now=None) -> dict:
    """Attendance rate = check-ins (present or late) at regular sessions that have ended ÷
    trainee-sessions held (each ended regular session × its class's active enrolments)."""
    (expected,) = _statement("expected", user, year, _expected_qs).rows(now=now) or [(0,)]
    (attended,) = _statement("attended", user, year, _attended_qs).rows(now=now) or [(0,)]
    return _attendance(expected[0], attended[0])


def available_years(user) -> list[int]:
    """Years with classes or plans in the user's scope, newest first (for the year filter)."""
    return sorted({int(y) for (y,) in _statement("years", user, None, _years_qs).rows() if y is not None}, reverse=True)


SCALAR_FIGURES = (_applications_qs, _completion_qs, _certificates_qs, _expected_qs, _attended_qs)


def _scalars_statement(user, year) -> Statement:
    """Applications, completion, certificates and attendance counts: five aggregates, one statement."""
    return statement(("scalars", scope_key(user), year),
                     lambda: one_row([compile_queryset(build(user, year)) for build in SCALAR_FIGURES]))


def dashboard(user, year: int | None = None, today: date | None = None, now=None) -> Dashboard:
    """Every figure, in six statements compiled once per scope and year (the scalar counts side by side in one)."""
    people = _people(_people_statement(user, year).rows())
    enrolments = _enrolments(_statement("enrolments", user, year, _enrolments_qs).rows())
    (row,) = _scalars_statement(user, year).rows(today=today, now=now)
    applications, (decided, completed, valid, revoked, expected, attended) = dict(zip(APPLICATION_FIGURES, row[:5])), row[5:]
    return Dashboard(
        year=year,
        people_total=sum(n for _, n in people), people_by_prefecture=people,
        enrolments_total=sum(n for _, _, n in enrolments), enrolments_by_occupation=enrolments,
        classes_by_status=_classes(_statement("classes", user, year, _classes_qs).rows()),
        quotas_by_institution=_quotas(_statement("quotas", user, year, _quotas_qs).rows()),
        applications=applications,
        completion=_completion(decided, completed),
        certificates={"valid": valid, "revoked": revoked},
        certificates_by_month=_months(_statement("months", user, year, _months_qs).rows()),
        attendance=_attendance(expected, attended),
    )


DASHBOARD_CACHE_SECONDS = 300  # the page's figures are at most five minutes old; "Refresh" recomputes them
SNAPSHOT_VERSION = 1  # raise when Dashboard or Snapshot change shape: a shared cache may hold older ones


@dataclass
class Snapshot:
    """The dashboard as the page shows it: its figures and year filter, computed at `as_of` and kept for
    DASHBOARD_CACHE_SECONDS per scope, year, day and language (the labels are translated)."""

    data: Dashboard
    years: list[int]
    as_of: datetime
    key: str  # names the figures drawn (fragment_key): the page's rendered charts and tables are cached under it


def fragment_key(data: Dashboard) -> str:
    """Names what the page draws from `data`: its charts and tables are a pure function of the figures and the
    language (labels, number format), so a refresh that finds the same figures reuses them instead of drawing
    them again — drawing them cost a prefecture's refresh ≈ 3.5 ms of CPU, half its SQL (issue 12 item 4)."""
    return hashlib.sha256(repr((SNAPSHOT_VERSION, get_language(), data)).encode()).hexdigest()[:40]


def dashboard_cached(user, year: int | None = None, today: date | None = None, *, refresh: bool = False) -> Snapshot:
    """`dashboard` and `available_years` as of the last computation for this scope (scope_key: users with
    the same access rules share it) at most DASHBOARD_CACHE_SECONDS ago; refresh=True computes them now."""
    today = today or timezone.localdate()
    ident = repr((SNAPSHOT_VERSION, scope_key(user), year, today.isoformat(), get_language()))
    key = "reporting:dashboard:" + hashlib.sha256(ident.encode()).hexdigest()[:40]
    snapshot = None if refresh else cache.get(key)
    if snapshot is None:
        now = timezone.now()
        data = dashboard(user, year, today, now)
        snapshot = Snapshot(data, available_years(user), now, fragment_key(data))
        cache.set(key, snapshot, DASHBOARD_CACHE_SECONDS)
    return snapshot
