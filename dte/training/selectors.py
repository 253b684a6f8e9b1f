"""Reads: per-trainee hours, attendance rate and online share; the 30-day report status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, IntegerField, Q, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from dte.organisations.scoping import scoped
from dte.registry.models import Enrolment, TrainingClass

from . import rules
from .models import ATTENDED, Attendance, AttendanceStatus, Session, TrainingReport

ZERO = Decimal(0)
DUE_SOON_DAYS = 7


def credited_hours(session: Session, record: Attendance | None) -> Decimal:
    """Hours a record earns. Offline present/late: the session's hours, reduced pro rata when the
    trainee checked out before the late threshold ahead of the end. Online: hours × pushed minutes
    / the session's length (at most the session's hours). Absent and excused: 0."""
    if record is None or record.status not in ATTENDED:
        return ZERO
    hours = Decimal(session.hours)
    length = (session.ends_at - session.starts_at).total_seconds()
    if session.delivery == Session.Delivery.ONLINE:
        share = Decimal(min(1.0, record.online_minutes * 60 / length)) if record.online_minutes else (
            Decimal(1) if record.source == Attendance.Source.TEACHER else ZERO)
        return (hours * share).quantize(Decimal("0.1"), ROUND_HALF_UP)
    out = record.checked_out_at
    if out is not None and out < session.ends_at - timedelta(minutes=session.late_after_minutes):
        start = max(session.starts_at, record.checked_in_at or session.starts_at)
        share = Decimal(max(0.0, (out - start).total_seconds()) / length)
        return (hours * min(Decimal(1), share)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return hours


def credited_hours_summed(records, stage_end: date | None = None):
    """credited_hours in SQL, for many trainees in one query: per enrolment and class of the session,
    (enrolment id, class id, distinct local dates attended, the sessions' hours summed, records not
    credited in full), over the attended `records` (an Attendance queryset) up to `stage_end`.

    Not credited in full: a record on a make-up session (class_summaries tops the original up), on an
    online session, or checked out before the late threshold ahead of the end — credited_hours' other
    branches. A trainee with none of those, and rows in their own class only, earns exactly the summed
    hours; any other trainee needs class_summaries itself. Kept beside credited_hours so the two forms
    change together: tests/test_hours_sql.py (and dte/subsidy/tests/test_claims_set_based.py) compare
    them on the same data, on SQLite and PostgreSQL."""
    in_stage = Q(session__starts_at__date__lte=stage_end) if stage_end else Q()
    left_early = Q(checked_out_at__lt=ExpressionWrapper(
        F("session__ends_at") - ExpressionWrapper(ExpressionWrapper(F("session__late_after_minutes"), output_field=IntegerField())
                                                  * Value(timedelta(minutes=1)), output_field=DurationField()),
        output_field=DateTimeField()))
    other = Q(session__makeup_for__isnull=False) | Q(session__delivery=Session.Delivery.ONLINE) | left_early
    tz = timezone.get_current_timezone()
    return (records.filter(status__in=ATTENDED).order_by()
            .values("enrolment_id", "session__training_class_id")
            .annotate(days=Count(TruncDate("session__starts_at", tzinfo=tz), distinct=True, filter=in_stage),
                      hours=Sum("session__hours", filter=in_stage), others=Count("pk", filter=in_stage & other))
            .values_list("enrolment_id", "session__training_class_id", "days", "hours", "others"))


@dataclass
class TraineeSummary:
    enrolment: Enrolment
    hours: dict = field(default_factory=dict)  # total/online/offline/theory/practice
    scheduled_hours: Decimal = ZERO
    sessions_regular: int = 0
    sessions_attended: int = 0
    statuses: dict = field(default_factory=dict)  # session id → status ('' = no record yet)

    @property
    def attendance_rate_bp(self) -> int:
        return int(self.sessions_attended * 10000 / self.sessions_regular) if self.sessions_regular else 0

    @property
    def online_share_bp(self) -> int:
        total = self.hours.get("total", ZERO)
        return int(self.hours.get("online", ZERO) * 10000 / total) if total else 0

    def as_dict(self) -> dict:
        return {"hours": {k: str(v) for k, v in self.hours.items()}, "scheduled_hours": str(self.scheduled_hours),
                "sessions_regular": self.sessions_regular, "sessions_attended": self.sessions_attended,
                "attendance_rate_bp": self.attendance_rate_bp, "online_share_bp": self.online_share_bp}


def class_sessions(training_class) -> list[Session]:
    return list(Session.objects.filter(training_class=training_class).select_related("venue").order_by("starts_at", "pk"))


def class_summaries(training_class, enrolments=None, sessions=None, records=None) -> list[TraineeSummary]:
    """One summary per enrolment. A make-up session counts only for the trainee who missed the
    original, and tops its hours up to at most the original's hours. `records`: the attendance
    records already read, {(session id, enrolment id): record} (any object with Attendance's fields;
    the subsidy app reads those of many classes in one query — dte.subsidy.facts)."""
    sessions = class_sessions(training_class) if sessions is None else sessions
    if enrolments is None:
        enrolments = list(training_class.enrolments.exclude(status__in=[Enrolment.Status.APPLIED, Enrolment.Status.WITHDRAWN])
                          .select_related("person").order_by("person__name", "pk"))
    if records is None:
        records = {(a.session_id, a.enrolment_id): a for a in Attendance.objects.filter(session__training_class=training_class)}
    regular = [s for s in sessions if not s.makeup_for_id]
    makeups: dict[int, list[Session]] = {}
    for s in sessions:
        if s.makeup_for_id:
            makeups.setdefault(s.makeup_for_id, []).append(s)
    result = []
    scheduled = sum((Decimal(s.hours) for s in regular), ZERO)  # the same for every trainee
    for e in enrolments:
        summary = TraineeSummary(e, {k: ZERO for k in ("total", "online", "offline", "theory", "practice")},
                                 scheduled, len(regular))
        for s in sessions:
            record = records.get((s.pk, e.pk))
            summary.statuses[s.pk] = record.status if record else ""
        for s in regular:
            credit, via = credited_hours(s, records.get((s.pk, e.pk))), s
            for m in makeups.get(s.pk, []):
                extra = min(credited_hours(m, records.get((m.pk, e.pk))), Decimal(s.hours))
                if extra > credit:
                    credit, via = extra, m
            if credit > 0:
                summary.sessions_attended += 1
            for key in ("total", via.delivery, via.kind):
                summary.hours[key] += credit
        result.append(summary)
    return result


def status_matrix(training_class) -> tuple[list[Session], list[TraineeSummary]]:
    sessions = class_sessions(training_class)
    now = timezone.now()
    summaries = class_summaries(training_class, sessions=sessions)
    for summary in summaries:
        for s in sessions:
            if not summary.statuses[s.pk] and s.ends_at < now:
                summary.statuses[s.pk] = AttendanceStatus.ABSENT
    return sessions, summaries


@dataclass
class ReportStatus:
    training_class: TrainingClass
    deadline: date | None
    citation: str
    submitted: TrainingReport | None
    days_left: int | None

    @property
    def state(self) -> str:
        if self.submitted is not None:
            return "submitted_late" if not self.submitted.on_time else "submitted"
        if self.deadline is None:
            return "no_deadline"
        if self.days_left < 0:
            return "overdue"
        if self.days_left <= DUE_SOON_DAYS:
            return "due_soon"
        return "open"


_UNREAD = object()


def report_status(training_class, today: date | None = None, *, submitted=_UNREAD) -> ReportStatus:
    """`submitted`: the latest report when the caller already knows it (None = none yet)."""
    today = today or timezone.localdate()
    deadline, citation = rules.report_deadline(training_class)
    if submitted is _UNREAD:
        submitted = training_class.training_reports.order_by("-submitted_at").first()
    days_left = (deadline - today).days if deadline else None
    return ReportStatus(training_class, deadline, citation, submitted, days_left)


def reports_pending(user, today: date | None = None) -> list[ReportStatus]:
    """Classes with trainees whose training has ended and whose 30-day report is not yet submitted
    (whether or not completion has been decided yet), with their flags."""
    return reports_pending_among(scoped(user, TrainingClass.objects.all()), today)


def reports_pending_among(classes, today: date | None = None) -> list[ReportStatus]:
    today = today or timezone.localdate()
    classes = (classes.filter(end_date__lt=today, training_reports__isnull=True)
               .filter(enrolments__status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED, Enrolment.Status.FAILED])
               .distinct().select_related("institution")
               .order_by("end_date", "pk"))
    return [report_status(c, today, submitted=None) for c in classes]  # filtered on training_reports__isnull


def reports_flagged(user, today: date | None = None) -> list[ReportStatus]:
    return flagged(reports_pending(user, today))


def flagged(statuses: list[ReportStatus]) -> list[ReportStatus]:
    """The reports due within DUE_SOON_DAYS or overdue."""
    return [r for r in statuses if r.state in ("due_soon", "overdue")]


def flag_members(flag) -> list[int]:
    """Enrolment ids of the trainees who checked in with the flagged device or IP."""
    field = "device_id" if flag.kind == "shared_device" else "ip"
    return sorted(Attendance.objects.filter(session_id=flag.session_id, **{field: flag.value})
                  .values_list("enrolment_id", flat=True))
