"""Reads: overdue reviews, remaining working days, a person's history, filtered lists."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone

from dte.organisations.scoping import scoped
from dte.workdays.calendar import WorkCalendar
from dte.workdays.services import calendar_for, working_days_remaining

from .models import Announcement, ClassApplication, Commitment, Enrolment, Person, TrainingClass


def class_applications_overdue(today: date, queryset: QuerySet | None = None) -> QuerySet:
    """Submitted applications whose review deadline has passed without a decision."""
    qs = ClassApplication.objects.all() if queryset is None else queryset
    return (qs.filter(status=ClassApplication.Status.SUBMITTED, review_due_on__lt=today)
            .select_related("training_class__institution", "training_class__division").order_by("review_due_on", "pk"))


def review_days_left(application: ClassApplication, today: date, calendar: WorkCalendar | None = None) -> int | None:
    """Working days until the review is due; pass review_calendar(...) when doing this for many rows."""
    if application.status != ClassApplication.Status.SUBMITTED or application.review_due_on is None:
        return None
    if calendar is not None:
        return calendar.working_days_between(today, application.review_due_on)
    return working_days_remaining(today, application.review_due_on)


def review_calendar(applications: QuerySet, today: date) -> WorkCalendar:
    """One working-day calendar covering every review deadline in `applications` (a list
    page or export then costs two queries, not two per row)."""
    bounds = applications.aggregate(first=Min("review_due_on"), last=Max("review_due_on"))
    start, end = min(filter(None, (today, bounds["first"]))), max(filter(None, (today, bounds["last"])))
    return calendar_for(start, end)


def published_announcements(today: date | None = None) -> QuerySet:
    """Announcements the public can still act on: published, for a class that has not yet
    opened and was not rejected or closed (enrolment ends on the opening day)."""
    today = today or timezone.localdate()
    return (Announcement.objects.filter(published=True, training_class__start_date__gte=today)
            .exclude(training_class__status__in=[TrainingClass.Status.REJECTED, TrainingClass.Status.CLOSED])
            .select_related("training_class__institution", "training_class__occupation", "training_class__division")
            .order_by("-published_at", "-pk"))


def _percent(bp) -> str | None:
    """Basis points as a percentage with one decimal: 9250 → '92.5%'."""
    return None if bp is None else f"{int(bp) / 100:.1f}%"


def _training_results(user, person: Person, enrolments: list[Enrolment]) -> tuple[list, list]:
    """Certificates, and per class the attendance counts, the 结业考核 score and the completion
    decision — each read through scoping, so a viewer sees only what their scope allows."""
    from dte.training.models import (  # training builds on the registry; read it lazily
        ATTENDED, Attendance, AttendanceStatus, CompletionAssessment, CompletionDecision, TrainingCertificate,
    )

    certificates = list(scoped(user, TrainingCertificate.objects.filter(enrolment__person=person))
                        .select_related("enrolment__training_class__institution").order_by("-issued_on", "number"))
    decisions = {d.enrolment_id: d for d in scoped(user, CompletionDecision.objects.filter(enrolment__person=person))}
    assessments = {a.enrolment_id: a for a in scoped(user, CompletionAssessment.objects.filter(enrolment__person=person))}
    counts: dict[int, dict] = {}
    rows = (scoped(user, Attendance.objects.filter(enrolment__person=person))
            .values("enrolment_id", "status").annotate(n=Count("pk")).order_by())
    for row in rows:
        counts.setdefault(row["enrolment_id"], dict.fromkeys(AttendanceStatus.values, 0))[row["status"]] = row["n"]
    results = []
    for enrolment in enrolments:
        decision, assessment, count = decisions.get(enrolment.pk), assessments.get(enrolment.pk), counts.get(enrolment.pk)
        if decision is None and assessment is None and count is None:
            continue
        summary = decision.summary if decision else {}
        results.append({
            "enrolment": enrolment, "decision": decision, "assessment": assessment,
            "attended": sum(count[s] for s in ATTENDED) if count else 0, "recorded": sum(count.values()) if count else 0,
            "absent": count[AttendanceStatus.ABSENT] if count else 0, "excused": count[AttendanceStatus.EXCUSED] if count else 0,
            "hours": (summary.get("hours") or {}).get("total"), "scheduled_hours": summary.get("scheduled_hours"),
            "attendance_rate": _percent(summary.get("attendance_rate_bp")),
        })
    return certificates, results


def person_history(user, person: Person) -> dict:
    """Everything the user may see about one person, in one place."""
    enrolments = list(scoped(user, Enrolment.objects.filter(person=person))
                      .select_related("training_class__institution", "training_class__occupation").order_by("-enrolled_at"))
    commitments = scoped(user, Commitment.objects.filter(enrolment__person=person)).select_related("enrolment__training_class")
    certificates, results = _training_results(user, person, enrolments)
    return {"enrolments": enrolments, "commitments": list(commitments), "certificates": certificates, "results": results}


def filter_classes(qs: QuerySet, params) -> QuerySet:
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("q"):
        qs = qs.filter(title__icontains=params["q"])
    return qs.select_related("institution", "occupation", "division", "quota")


def filter_people(qs: QuerySet, params) -> QuerySet:
    if params.get("q"):
        qs = qs.filter(name__icontains=params["q"])
    return qs


def filter_enrolments(qs: QuerySet, params) -> QuerySet:
    if params.get("class"):
        qs = qs.filter(training_class_id=params["class"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("q"):
        # a name search never matches enrolments still waiting for the person (issue 8 finding 2)
        qs = qs.filter(person__name__icontains=params["q"]).exclude(status="applied")
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



def import_problems(roster, *, limit: int = 200) -> dict:
    """The rows of a validated roster import that failed or carry a note, read back from its result sheet
    (issue 13 item 14: shown on the page, no download needed). ID and mobile numbers come back masked.
    {"rows": [{"line", "name", "id_number", "message", "error"}], "more": n not shown}.

    How many such rows there are is kept with the import (every error row, and every valid row of a person
    already registered — the only rows with a note, roster_validate), so the sheet is streamed only until
    the first `limit` of them are read, and not opened when there are none."""
    import csv
    import io
    from contextlib import closing

    from .import_files import _mask_row, sheet_rows
    from .imports import COLUMNS

    out: dict = {"rows": [], "more": 0}
    to_show = roster.rows_error + roster.rows_existing
    if not roster.result_file or not to_show:
        return out
    wanted = min(limit, to_show)
    result_at = len(COLUMNS)
    with roster.result_file.open("rb") as handle:
        if roster.result_file.name.endswith(".csv"):
            rows = (row for row in csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")))
        else:
            rows = sheet_rows(handle, roster.rows_total)  # read as the import read the roster
        with closing(rows):  # an .xlsx read by openpyxl closes its workbook when left early
            next(rows, None)  # the header
            for number, row in enumerate(rows, start=1):
                if len(row) <= result_at:
                    continue
                message = str(row[result_at] or "")
                if message == "通过":  # valid, nothing to say
                    continue
                masked = _mask_row(list(row))
                out["rows"].append({"line": number + 1, "name": masked[0] or "", "id_number": masked[1] or "",
                                    "message": message, "error": not message.startswith(("通过", "可导入"))})
                if len(out["rows"]) >= wanted:
                    break
    out["more"] = max(to_show - len(out["rows"]), 0)
    return out
