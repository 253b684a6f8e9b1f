"""Risk signals (套取冒领 and 培训走过场 warning signs), each explained with its evidence.

Signals are computed from the data every time they are asked for, by aggregate queries over the
user's jurisdiction, so they are never stale; officials' decisions about a signal (dismissed
with a reason, or turned into an inspection) are stored by the signal's stable key.

Sources: 藏人社发〔2025〕13号 五(三) (严禁违规套取或冒领费用); 云人社通〔2023〕39号 五 (严禁违规套取
或冒领补贴); 津人社办发〔2022〕94号 四(三) (利用电子围栏、定位签到等信息化手段……远程监控);
晋人社厅发〔2024〕27号 六(三) (在外省取得证书的不予补贴); 广西人社厅通知 二(三) (不得不培训或培训
走过场就发证)."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import ExtractHour, ExtractMinute, ExtractSecond, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dte.organisations.scoping import scoped
from dte.policy.packs import PACK_MODULES, get_pack
from dte.registry.models import Enrolment, TrainingClass
from dte.training.models import Attendance, CheckInAttempt

PACK_CODES = tuple(PACK_MODULES)
# Thresholds, chosen so that honest classes raise nothing (see tests/test_risk.py).
OUTSIDE_FENCE_MIN = 3  # rejected check-ins outside the geofence in one class
SHARED_DEVICE_MIN_PEOPLE = 3  # different trainees on one device across sessions of one institution
SAME_SECOND_MIN_SESSIONS = 3  # one trainee checking in at the identical time of day in this many sessions
MAX_TRAVEL_KMH = 120  # faster than this between two venues is impossible in a city
PASS_RATE_MARGIN_BP = 2500  # a pass rate 25 points above the occupation's norm
PASS_RATE_MIN_CANDIDATES = 10


@dataclass
class Signal:
    kind: str
    title: str
    division_code: str
    institution_id: int | None
    class_id: int | None
    evidence: list[dict] = field(default_factory=list)
    subject: str = ""  # what identifies the case within its kind (ids)

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.kind}|{self.subject}".encode()).hexdigest()[:32]


KINDS = {
    "outside_geofence": gettext_lazy("Check-ins outside the geofence"),
    "shared_device": gettext_lazy("One device for many trainees"),
    "two_classes_at_once": gettext_lazy("A trainee in two classes at the same time"),
    "identical_seconds": gettext_lazy("Check-ins at the identical second"),
    "impossible_travel": gettext_lazy("Impossible travel between venues"),
    "other_province": gettext_lazy("Trainee registered or certified in another province"),
    "overdue_report": gettext_lazy("30-day report overdue"),
    "class_after_listing_lapsed": gettext_lazy("Class opened after the listing lapsed"),
    "quota_exceeded": gettext_lazy("Class enrolled beyond its quota"),
    "pass_rate_high": gettext_lazy("Pass rate far above the occupation's norm"),
}


def _classes(user):
    return scoped(user, TrainingClass.objects.all())


def outside_geofence(user) -> list[Signal]:
    attempts = (CheckInAttempt.objects.filter(session__training_class__in=_classes(user), accepted=False,
                                              distance_m__isnull=False, session__venue__radius_m__isnull=False)
                .filter(distance_m__gt=F("session__venue__radius_m") + F("accuracy_m")))
    per_class = (attempts.values("session__training_class_id", "session__training_class__division_id",
                                 "session__training_class__institution_id")
                 .annotate(n=Count("pk"), far=Max("distance_m")).filter(n__gte=OUTSIDE_FENCE_MIN))
    return [Signal("outside_geofence", _("%(n)d check-in attempts outside the geofence, up to %(far)d m away") % {
        "n": row["n"], "far": row["far"]}, row["session__training_class__division_id"],
        row["session__training_class__institution_id"], row["session__training_class_id"],
        [{"attempts": row["n"], "farthest_m": round(row["far"])}], subject=str(row["session__training_class_id"]))
        for row in per_class]


def shared_device(user) -> list[Signal]:
    rows = (Attendance.objects.filter(session__training_class__in=_classes(user)).exclude(device_id="")
            .values("device_id", "session__training_class__institution_id", "session__training_class__division_id")
            .annotate(people=Count("enrolment_id", distinct=True), sessions=Count("session_id", distinct=True))
            .filter(people__gte=SHARED_DEVICE_MIN_PEOPLE))
    return [Signal("shared_device", _("Device %(device)s checked in %(people)d different trainees over %(sessions)d sessions")
                   % {"device": row["device_id"][:12], "people": row["people"], "sessions": row["sessions"]},
                   row["session__training_class__division_id"], row["session__training_class__institution_id"], None,
                   [{"device": row["device_id"], "people": row["people"], "sessions": row["sessions"]}],
                   subject=f"{row['session__training_class__institution_id']}|{row['device_id']}") for row in rows]


def _attendance_by_person(user):
    """Check-ins (with time and venue) of every trainee who checked in to two or more classes."""
    classes = _classes(user)
    people = (Enrolment.objects.filter(training_class__in=classes).values("person_id")
              .annotate(n=Count("training_class_id", distinct=True)).filter(n__gte=2).values("person_id"))
    rows = (Attendance.objects.filter(enrolment__person_id__in=people, checked_in_at__isnull=False)
            .values_list("enrolment__person_id", "session__training_class_id", "session__training_class__division_id",
                         "session__training_class__institution_id", "session__starts_at", "session__ends_at",
                         "checked_in_at", "session__venue__lat", "session__venue__lon")
            .order_by("enrolment__person_id", "checked_in_at"))
    grouped = defaultdict(list)
    for row in rows.iterator(chunk_size=5000):
        grouped[row[0]].append(row)
    return grouped


def _km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def two_classes_and_travel(user) -> list[Signal]:
    found: list[Signal] = []
    for person_id, rows in _attendance_by_person(user).items():
        for a, b in zip(rows, rows[1:]):
            if a[1] == b[1]:
                continue
            if a[4] < b[5] and b[4] < a[5]:  # the two sessions overlap in time
                found.append(Signal("two_classes_at_once", _("A trainee attended sessions of two classes that overlap in time"),
                                    b[2], b[3], b[1], [{"person": person_id, "classes": [a[1], b[1]],
                                                        "times": [a[6].isoformat(), b[6].isoformat()]}],
                                    subject=f"{person_id}|{a[1]}|{b[1]}"))
            if None not in (a[7], a[8], b[7], b[8]):
                hours = max((b[6] - a[6]).total_seconds() / 3600, 1 / 60)
                km = _km(a[7], a[8], b[7], b[8])
                if km / hours > MAX_TRAVEL_KMH:
                    found.append(Signal("impossible_travel", _("Checked in %(km).0f km apart within %(min).0f minutes") % {
                        "km": km, "min": hours * 60}, b[2], b[3], b[1], [{"person": person_id, "km": round(km, 1),
                                                                       "minutes": round(hours * 60)}],
                        subject=f"{person_id}|{a[6].isoformat()}"))
    return found


def identical_seconds(user) -> list[Signal]:
    """A trainee whose check-ins fall on the same time of day to the second, session after session:
    a script, not a person. One GROUP BY in the database (local time, truncated to the second)."""
    tz = timezone.get_current_timezone()
    rows = (Attendance.objects.filter(session__training_class__in=_classes(user), checked_in_at__isnull=False).order_by()
            .annotate(h=ExtractHour("checked_in_at", tzinfo=tz), m=ExtractMinute("checked_in_at", tzinfo=tz),
                      s=ExtractSecond("checked_in_at", tzinfo=tz))
            .values("enrolment_id", "enrolment__training_class_id", "enrolment__training_class__division_id",
                    "enrolment__training_class__institution_id", "h", "m", "s")
            .annotate(n=Count("pk")).filter(n__gte=SAME_SECOND_MIN_SESSIONS))
    found = []
    for row in rows:
        clock = f"{int(row['h']):02d}:{int(row['m']):02d}:{int(row['s']):02d}"
        found.append(Signal("identical_seconds", _("Checked in at %(clock)s exactly in %(n)d sessions") % {
            "clock": clock, "n": row["n"]}, row["enrolment__training_class__division_id"],
            row["enrolment__training_class__institution_id"], row["enrolment__training_class_id"],
            [{"enrolment": row["enrolment_id"], "time": clock, "sessions": row["n"]}], subject=str(row["enrolment_id"])))
    return found


def other_province(user) -> list[Signal]:
    """Shanxi 六(三): 在外省取得证书的不予补贴 — a trainee enrolled in classes of two provinces."""
    classes = _classes(user)
    people = Enrolment.objects.filter(training_class__in=classes).values("person_id")
    spread = (Enrolment.objects.filter(person_id__in=people).exclude(status=Enrolment.Status.WITHDRAWN).order_by()
              .values("person_id").annotate(first=Min(Substr("training_class__division_id", 1, 2)),
                                            last=Max(Substr("training_class__division_id", 1, 2)))
              .exclude(first=F("last")))
    found = []
    for row in spread:
        mine = (Enrolment.objects.filter(person_id=row["person_id"], training_class__in=classes)
                .values_list("training_class_id", "training_class__division_id", "training_class__institution_id").first())
        found.append(Signal("other_province", _("The trainee also enrolled in a class of another province"),
                            mine[1], mine[2], mine[0], [{"person": row["person_id"], "provinces": [row["first"], row["last"]]}],
                            subject=str(row["person_id"])))
    return found


def overdue_reports(user, today: date | None = None) -> list[Signal]:
    """Classes whose 30-day report is overdue. Only classes that ended more than the shortest
    report period ago can be overdue (a working-day period is never shorter than the same number
    of calendar days), so the per-class deadline is computed for those alone."""
    from dte.training.selectors import reports_pending_among

    today = today or timezone.localdate()
    shortest = min((d.days for code in PACK_CODES for d in [get_pack(code).deadlines(today).get("training_report")] if d),
                   default=0)
    candidates = _classes(user).filter(end_date__lt=today - timedelta(days=shortest))
    return [Signal("overdue_report", _("The 30-day report was due on %(date)s") % {"date": r.deadline},
                   r.training_class.division_id, r.training_class.institution_id, r.training_class.pk,
                   [{"deadline": r.deadline.isoformat(), "days_overdue": -r.days_left}], subject=str(r.training_class.pk))
            for r in reports_pending_among(candidates, today) if r.state == "overdue"]


def class_after_lapse(user) -> list[Signal]:
    """A class that started after its institution's listing was suspended or removed, or enrolled
    more trainees than its quota allows."""
    from dte.catalogue.models import InstitutionListing

    found = []
    lapsed = (InstitutionListing.objects.filter(kind=InstitutionListing.Kind.TRAINING,
                                                status__in=(InstitutionListing.Status.SUSPENDED, InstitutionListing.Status.REMOVED))
              .values_list("organisation_id", "status_changed_on"))
    lapse_on = {org: on for org, on in lapsed if on}
    for c in _classes(user).filter(institution_id__in=list(lapse_on)).exclude(status="draft").only(
            "pk", "division_id", "institution_id", "start_date"):
        if c.start_date and c.start_date >= lapse_on[c.institution_id]:
            found.append(Signal("class_after_listing_lapsed", _("The class started on %(start)s, after the listing lapsed on %(lapsed)s")
                                % {"start": c.start_date, "lapsed": lapse_on[c.institution_id]}, c.division_id,
                                c.institution_id, c.pk, [{"start": c.start_date.isoformat(),
                                                          "lapsed": lapse_on[c.institution_id].isoformat()}], subject=str(c.pk)))
    over = (_classes(user).annotate(enrolled=Count("enrolments", filter=~Q(enrolments__status=Enrolment.Status.WITHDRAWN)))
            .filter(enrolled__gt=F("capacity"), capacity__gt=0))
    for c in over.only("pk", "division_id", "institution_id", "capacity"):
        found.append(Signal("quota_exceeded", _("%(n)d enrolled against %(cap)d places") % {"n": c.enrolled, "cap": c.capacity},
                            c.division_id, c.institution_id, c.pk, [{"enrolled": c.enrolled, "capacity": c.capacity}],
                            subject=str(c.pk)))
    return found


def high_pass_rates(user) -> list[Signal]:
    """An evaluation institution whose pass rate for an occupation and level is far above the
    norm of all candidates of that occupation and level in the province (lenient assessment;
    广西人社厅通知 二(三): 不得……不评价直接发证)."""
    from dte.assessment.models import Candidate, ExamSession
    from dte.assessment.selectors import SAT

    sessions = scoped(user, ExamSession.objects.all())
    fields = ("session__evaluation_institution_id", "session__evaluation_institution__division_id",
              "session__occupation_id", "session__level")
    mine = (Candidate.objects.filter(session__in=sessions, status__in=SAT).values(*fields)
            .annotate(sat=Count("pk"), passed=Count("pk", filter=Q(passed=True))).filter(sat__gte=PASS_RATE_MIN_CANDIDATES))
    found = []
    norms: dict[tuple, tuple[int, int]] = {}
    for row in mine:
        province = row["session__evaluation_institution__division_id"][:2]
        norm_key = (province, row["session__occupation_id"], row["session__level"])
        if norm_key not in norms:
            norms[norm_key] = tuple(Candidate.objects.filter(
                status__in=SAT, session__occupation_id=norm_key[1], session__level=norm_key[2],
                session__evaluation_institution__division__code__startswith=province,
            ).aggregate(sat=Count("pk"), passed=Count("pk", filter=Q(passed=True))).values())
        norm_sat, norm_passed = norms[norm_key]
        others_sat, others_passed = norm_sat - row["sat"], norm_passed - row["passed"]
        if others_sat < PASS_RATE_MIN_CANDIDATES:
            continue  # no norm to compare with: the institution is (nearly) all there is
        rate_bp, norm_bp = row["passed"] * 10000 // row["sat"], others_passed * 10000 // others_sat
        if rate_bp - norm_bp >= PASS_RATE_MARGIN_BP:
            found.append(Signal("pass_rate_high", _("Pass rate %(rate).0f%% against %(norm).0f%% for the same occupation and level elsewhere") % {
                "rate": rate_bp / 100, "norm": norm_bp / 100}, row["session__evaluation_institution__division_id"],
                row["session__evaluation_institution_id"], None,
                [{"sat": row["sat"], "passed": row["passed"], "rate_bp": rate_bp, "norm_bp": norm_bp,
                  "norm_candidates": others_sat}],
                subject=f"{row['session__evaluation_institution_id']}|{row['session__occupation_id']}|{row['session__level']}"))
    return found


DETECTORS = (outside_geofence, shared_device, two_classes_and_travel, identical_seconds, other_province,
             overdue_reports, class_after_lapse, high_pass_rates)
DETECTOR_OF = {"outside_geofence": outside_geofence, "shared_device": shared_device,
               "two_classes_at_once": two_classes_and_travel, "impossible_travel": two_classes_and_travel,
               "identical_seconds": identical_seconds, "other_province": other_province, "overdue_report": overdue_reports,
               "class_after_listing_lapsed": class_after_lapse, "quota_exceeded": class_after_lapse,
               "pass_rate_high": high_pass_rates}


def risk_signals(user, *, include_reviewed: bool = False) -> list[Signal]:
    """Every signal in the user's jurisdiction, open ones only unless asked."""
    from ..models import SignalReview

    signals = [s for detect in DETECTORS for s in detect(user)]
    if not include_reviewed:
        reviewed = set(SignalReview.objects.filter(key__in=[s.key for s in signals]).values_list("key", flat=True))
        signals = [s for s in signals if s.key not in reviewed]
    return sorted(signals, key=lambda s: (s.kind, s.division_code, s.subject))


def risk_weights(user, target: str) -> dict[str, float]:
    """Weights for the risk-weighted draw: 1 + the number of open signals on the class or institution."""
    weights: dict[str, float] = defaultdict(lambda: 1.0)
    for s in risk_signals(user):
        subject = s.class_id if target == "classes" else s.institution_id
        if subject is not None:
            weights[str(subject)] += 1.0
    return dict(weights)


def _open_signal(user, key: str, kind: str) -> Signal:
    """The open signal with this key, recomputed by its own detector only (not all ten)."""
    from .errors import SupervisionError

    detector = DETECTOR_OF.get(kind)
    signal = next((s for s in detector(user) if s.key == key), None) if detector else None
    if signal is None:
        raise SupervisionError(_("This signal is no longer open in your jurisdiction."))
    return signal


def signal_dismiss(user, key: str, *, kind: str, reason: str):
    """Dismiss with a reason (audited); the signal stops showing."""
    from django.db import transaction

    from dte.audit.services import audit_record

    from ..models import SignalReview
    from .errors import SupervisionError
    from .inspections import INSPECTOR_ROLES

    if user.role not in INSPECTOR_ROLES:
        raise SupervisionError(_("Only bureau officers decide on risk signals."))
    if not (reason or "").strip():
        raise SupervisionError(_("Give the reason for dismissing the signal."))
    signal = _open_signal(user, key, kind)
    with transaction.atomic():
        review = SignalReview.objects.create(key=key, kind=signal.kind, division_id=signal.division_code,
                                             decision=SignalReview.Decision.DISMISSED, reason=reason.strip()[:255], by=user)
        audit_record("supervision.signal.dismiss", obj=review, after={"kind": signal.kind, "title": signal.title,
                     "evidence": signal.evidence, "reason": review.reason}, division_code=signal.division_code,
                     organisation_id=signal.institution_id)
    return review


def signal_inspect(user, key: str, *, signal_kind: str, kind: str, planned_on: date):
    """Turn a signal into an inspection of its institution (and class)."""
    from django.db import transaction

    from dte.organisations.models import Organisation

    from ..models import SignalReview
    from .errors import SupervisionError
    from .inspections import inspection_open

    signal = _open_signal(user, key, signal_kind)
    if signal.institution_id is None:
        raise SupervisionError(_("This signal names no institution to inspect."))
    training_class = TrainingClass.objects.filter(pk=signal.class_id).first() if signal.class_id else None
    with transaction.atomic():
        inspection = inspection_open(user, institution=Organisation.objects.get(pk=signal.institution_id), kind=kind,
                                     planned_on=planned_on, training_class=training_class, signal_key=key)
        SignalReview.objects.create(key=key, kind=signal.kind, division_id=signal.division_code,
                                    decision=SignalReview.Decision.INSPECTION, inspection=inspection,
                                    reason=signal.title[:255], by=user)
    return inspection
