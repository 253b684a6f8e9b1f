"""Reads for level exams: exam outcomes (used by subsidy), pass rates, workbench lists and due dates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable

from django.db.models import Count, Q
from django.utils import timezone

from dte.organisations.scoping import scoped

from .models import Candidate, CertificateReport, Declaration, ExamSession

DUE_SOON_DAYS = 5


@dataclass(frozen=True)
class ExamOutcome:
    """A confirmed level-exam result of one person (voided, absent and unconfirmed results are left out)."""

    person_id: int
    occupation_id: int
    occupation_code: str
    level: str
    direction: str
    exam_date: date
    theory_passed: bool
    practical_passed: bool
    passed: bool
    evaluation_institution_id: int
    result_id: int  # Candidate pk


def exam_outcomes_for_people(person_ids: Iterable[int]) -> dict[int, list[ExamOutcome]]:
    """Confirmed exam results per person, oldest exam first. People without results are absent from the dict."""
    ids = list(person_ids)
    found: dict[int, list[ExamOutcome]] = defaultdict(list)
    if not ids:
        return {}
    rows = (Candidate.objects.filter(declaration__person_id__in=ids, status=Candidate.Status.CONFIRMED)
            .select_related("declaration", "session", "session__occupation")
            .order_by("session__date", "pk"))
    for c in rows:
        d, s = c.declaration, c.session
        found[d.person_id].append(ExamOutcome(
            person_id=d.person_id, occupation_id=s.occupation_id, occupation_code=s.occupation.code, level=s.level,
            direction=d.direction or s.direction, exam_date=s.date, theory_passed=bool(c.theory_passed),
            practical_passed=bool(c.practical_passed), passed=bool(c.passed),
            evaluation_institution_id=s.evaluation_institution_id, result_id=c.pk))
    return dict(found)


@dataclass(frozen=True)
class PassRate:
    key: tuple
    label: str
    sat: int
    passed: int

    @property
    def rate_bp(self) -> int | None:
        return None if not self.sat else (self.passed * 10000) // self.sat

    @property
    def rate_display(self) -> str:
        return "—" if self.rate_bp is None else f"{Decimal(self.rate_bp) / 100:.1f}%"


SAT = (Candidate.Status.SCORED, Candidate.Status.CONFIRMED)


def pass_rates(candidates, by: str) -> list[PassRate]:
    """Pass rates over candidates who sat (scored or confirmed), grouped by 'session', 'institution'
    or 'occupation' (occupation and level)."""
    fields = {
        "session": ("session_id", "session__occupation__name", "session__date"),
        "institution": ("session__evaluation_institution_id", "session__evaluation_institution__name"),
        "occupation": ("session__occupation_id", "session__occupation__name", "session__level"),
    }[by]
    rows = (candidates.filter(status__in=SAT).values(*fields)
            .annotate(sat=Count("pk"), passed=Count("pk", filter=Q(passed=True))).order_by(*fields))
    out = []
    for row in rows:
        key = tuple(row[f] for f in fields)
        label = " · ".join(str(v) for v in key[1:])
        out.append(PassRate(key, label, row["sat"], row["passed"]))
    return out


@dataclass(frozen=True)
class Due:
    """One deadline an organisation owns, with its flag."""

    what: str
    due_on: date
    citation: str
    url: str
    provisional: bool = False
    subject: str = ""  # which record, for the deadline monitor

    @property
    def flag(self) -> str:
        return due_flag(self.due_on)


def due_flag(due_on: date, today: date | None = None) -> str:
    left = (due_on - (today or timezone.localdate())).days
    return "bad" if left < 0 else "warn" if left <= DUE_SOON_DAYS else "ok"


def report_due(session: ExamSession):
    """The report deadline of a session's certificate data: pack `certificate_data_report`."""
    from .rules import chain_deadline

    return chain_deadline(session.evaluation_institution.division_id, "certificate_data_report", session.date)


def _awaiting_report(user):
    return (scoped(user, ExamSession.objects.filter(status=ExamSession.Status.CONFIRMED))
            .filter(reports__isnull=True, candidates__passed=True, candidates__status=Candidate.Status.CONFIRMED).distinct())


def _open_reports(user):
    return scoped(user, CertificateReport.objects.filter(
        status__in=[CertificateReport.Status.REPORTED, CertificateReport.Status.APPROVED]))


def sessions_awaiting_report(user):
    """Confirmed sessions with passes and no report yet, with their due date."""
    sessions = _awaiting_report(user).select_related("occupation", "evaluation_institution").order_by("date", "pk")
    return [(s, report_due(s)) for s in sessions]


def deadlines_for(user) -> list[Due]:
    """Every open deadline in the user's scope: reports to send, province decisions, certificates to issue."""
    from django.urls import reverse

    out = []
    for session, deadline in sessions_awaiting_report(user):
        if deadline:
            out.append(Due("report", deadline.date, deadline.citation, reverse("assessment:session", args=[session.pk]),
                           deadline.provisional, f"{session.evaluation_institution.name} · {session.occupation.name} {session.date}"))
    reports = _open_reports(user).select_related("session__occupation", "evaluation_institution")  # str(r): no query per row
    for r in reports:
        if r.status == CertificateReport.Status.REPORTED and r.confirm_due_on:
            out.append(Due("confirm", r.confirm_due_on, r.confirm_citation, reverse("assessment:report", args=[r.pk]),
                           r.confirm_due_provisional, str(r)))
        elif r.status == CertificateReport.Status.APPROVED and r.issue_due_on:
            out.append(Due("issue", r.issue_due_on, r.issue_citation, reverse("assessment:report", args=[r.pk]),
                           subject=str(r)))
    return sorted(out, key=lambda d: d.due_on)


def deadline_dates(user) -> list[date]:
    """The due dates of deadlines_for(user) alone, for the workbench's flags: the same rows read as a few
    values, without the records, links and labels the deadline pages show (a third of its CPU)."""
    from .rules import chain_deadline

    out = []
    for _, division_id, day in (_awaiting_report(user).order_by()  # the pk keeps DISTINCT per session
                                .values_list("pk", "evaluation_institution__division_id", "date")):
        deadline = chain_deadline(division_id, "certificate_data_report", day)
        if deadline:
            out.append(deadline.date)
    for status, confirm_due_on, issue_due_on in _open_reports(user).values_list("status", "confirm_due_on", "issue_due_on"):
        due_on = confirm_due_on if status == CertificateReport.Status.REPORTED else issue_due_on
        if due_on:
            out.append(due_on)
    return sorted(out)


def declarations_for(user, **filters):
    return (scoped(user, Declaration.objects.filter(**filters))
            .select_related("person", "occupation", "evaluation_institution", "training_certificate")
            .order_by("-created_at", "-pk"))


def classes_naming(organisation_id: int):
    """Training classes whose class-opening application, or the filed training plan it rests on,
    names this evaluation institution (培训计划和方案备案: the exam plan agreed with it)."""
    from dte.registry.models import TrainingClass

    return (TrainingClass.objects.filter(Q(application__evaluation_institution_id=organisation_id)
                                         | Q(application__filing__evaluation_institution_id=organisation_id))
            .distinct().select_related("institution", "occupation").order_by("-end_date", "pk"))


def filings_naming(organisation_id: int):
    from dte.registry.models import TrainingPlanFiling

    return (TrainingPlanFiling.objects.filter(evaluation_institution_id=organisation_id)
            .exclude(status=TrainingPlanFiling.Status.DRAFT).select_related("institution", "occupation"))


def holders_who_may_declare(organisation_id: int):
    """Valid training certificates from the classes naming this institution, with any open declaration."""
    from dte.training.models import TrainingCertificate

    return (TrainingCertificate.objects.filter(status=TrainingCertificate.Status.VALID,
                                               enrolment__training_class__in=classes_naming(organisation_id))
            .select_related("enrolment__person", "enrolment__training_class__occupation").order_by("number"))


def open_declaration_by_certificate(certificates) -> dict[int, Declaration]:
    rows = Declaration.objects.filter(training_certificate__in=certificates,
                                      status__in=[Declaration.Status.DECLARED, Declaration.Status.ADMITTED])
    return {d.training_certificate_id: d for d in rows}


def evaluators_for(occupation, level: str, province_code: str, on: date | None = None):
    """Evaluation institutions listed in the province's catalogue for this occupation and level."""
    from dte.catalogue.models import InstitutionListing
    from dte.organisations.models import Organisation

    from .services.declarations import listing_may_assess

    candidates = Organisation.objects.filter(
        listings__kind=InstitutionListing.Kind.EVALUATION, listings__province_id=province_code,
        listings__coverage__occupation=occupation, listings__coverage__level=level).distinct().order_by("name")
    return [o for o in candidates if listing_may_assess(o, occupation, level, "", on)]
