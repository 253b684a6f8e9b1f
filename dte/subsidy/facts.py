"""Every case the province pack sees for a subsidy is built HERE, from the facts where they
happen: the registry (person, class), training (attended days, credited hours, completion),
assessment (exam results), credentials (level certificates), this app's employment records and
the province's claim-line history. Adapting to a change in any of them is this one module.

Batch-oriented: one query per kind of fact for all enrolments given, so the same code serves a
class claim and the 100,000-trainee benchmark (bench/subsidy_claims.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from django.utils import timezone

from dte.ops.sql import ids_in  # one array parameter on PostgreSQL
from dte.policy.cases import hours_json  # credited hours exactly, in tenths (not truncated)
from dte.registry.models import Enrolment

from .models import ACTIVE_STATUSES, ClaimLine, EmploymentRecord

# Enrolments whose trainees a claim is made for: completed the class (the institution's
# completion assessment decided it, dte.training.services.completion).
CLAIMABLE_ENROLMENTS = (Enrolment.Status.COMPLETED,)


@dataclass
class CaseFacts:
    enrolment: Enrolment
    case: dict
    exam_date: date | None = None
    notes: list[str] = field(default_factory=list)


# --- facts from other apps (one function each; tests replace them) ----------------------------


def exam_outcomes_for_people(person_ids: list[int]) -> dict:
    from dte.assessment.selectors import exam_outcomes_for_people as outcomes

    return outcomes(person_ids)


def level_certificates_for_people(person_ids: list[int]) -> dict[int, list[dict]]:
    """Valid level certificates per person: occupation code, level, issued_on, issuer's province."""
    from dte.credentials.models import LevelCertificate

    found: dict[int, list[dict]] = defaultdict(list)
    rows = (LevelCertificate.objects.filter(person_id__in=person_ids, status="valid")
            .values_list("person_id", "occupation__code", "level", "issued_on", "issuer__division_id"))
    for person_id, code, level, issued_on, issuer_division in rows:
        found[person_id].append({"occupation_code": code, "level": level, "issued_on": issued_on,
                                 "province": str(issuer_division)[:2]})
    return found


def _training_facts(classes: dict, enrolments: list[Enrolment], stage_end: date | None) -> dict[int, dict]:
    """Attended days (distinct dates with an attended session) and credited hours per enrolment.
    Shanxi 五(四) pays per training day; Tianjin 附件3 requires hours. A class without recorded
    sessions gives no days and no hours (the pack then says which fact is missing)."""
    from dte.training.models import ATTENDED, Attendance, CompletionDecision, Session, TrainingCertificate
    from dte.training.selectors import class_summaries

    ids = [e.pk for e in enrolments]
    with_sessions = set(Session.objects.filter(training_class_id__in=list(classes)).order_by().values_list("training_class_id", flat=True).distinct())
    facts = {e.pk: {"days": None, "hours_total": None, "hours_online": None, "completed": False} for e in enrolments}
    attended = Attendance.objects.filter(enrolment_id__in=ids, status__in=ATTENDED)
    if stage_end:
        attended = attended.filter(session__starts_at__date__lte=stage_end)
    days: dict[int, set] = defaultdict(set)
    for enrolment_id, starts_at in attended.values_list("enrolment_id", "session__starts_at"):
        days[enrolment_id].add(timezone.localtime(starts_at).date())
    by_class: dict[int, list[Enrolment]] = defaultdict(list)
    for e in enrolments:
        by_class[e.training_class_id].append(e)
        if e.training_class_id in with_sessions:
            facts[e.pk]["days"] = len(days[e.pk])
    for class_id in with_sessions:
        sessions = list(Session.objects.filter(training_class_id=class_id).order_by("starts_at", "pk"))
        if stage_end:
            sessions = [s for s in sessions if timezone.localtime(s.starts_at).date() <= stage_end]
        for summary in class_summaries(classes[class_id], enrolments=by_class[class_id], sessions=sessions):
            facts[summary.enrolment.pk]["hours_total"] = hours_json(summary.hours["total"])
            facts[summary.enrolment.pk]["hours_online"] = hours_json(summary.hours["online"])
    completed = set(CompletionDecision.objects.filter(enrolment_id__in=ids, completed=True).values_list("enrolment_id", flat=True))
    completed |= set(TrainingCertificate.objects.filter(enrolment_id__in=ids, status="valid").values_list("enrolment_id", flat=True))
    for enrolment_id in completed:
        facts[enrolment_id]["completed"] = True
    return facts


def _training_facts_set_based(classes: dict, enrolments: list, stage_end: date | None) -> dict[int, dict]:
    """The same facts as `_training_facts`, for many classes at once, summed in the database.

    Attended days: distinct local dates of a trainee's attended records (up to the stage end), as
    `_training_facts` counts them. Credited hours, in the two forms of one rule kept side by side in
    dte.training.selectors: a trainee whose attended records (in the class's sessions up to the stage
    end) are all credited in full gets the database's sum (credited_hours_summed, the SQL form of
    credited_hours); any other trainee — a make-up, an online session, an early check-out — gets
    class_summaries itself on their records. One aggregate query for all trainees (no attendance
    record travels to Python for the common case), one for the others' records, one each for
    completion decisions and training certificates.
    tests/test_claims_set_based.py proves both forms equal to `_training_facts`."""
    from dte.training.models import ATTENDED, Attendance, CompletionDecision, Session, TrainingCertificate
    from dte.training.selectors import class_summaries, credited_hours_summed

    ids = [e.pk for e in enrolments]
    facts = {e.pk: {"days": None, "hours_total": None, "hours_online": None, "completed": False} for e in enrolments}
    tz = timezone.get_current_timezone()
    sessions_of: dict[int, list] = defaultdict(list)  # class id → its sessions up to the stage end
    with_sessions: set[int] = set()
    for s in Session.objects.filter(training_class_id__in=list(classes)).order_by("training_class_id", "starts_at", "pk"):
        with_sessions.add(s.training_class_id)
        if not stage_end or s.starts_at.astimezone(tz).date() <= stage_end:
            sessions_of[s.training_class_id].append(s)
    # per trainee and class of the session (a record in another class's session — not the trainee's own
    # class — sends the trainee to the rule itself, which counts its day but not its hours)
    of_ids = ids_in("enrolment_id", ids)  # one array parameter for the three queries over these enrolments
    sums = credited_hours_summed(Attendance.objects.filter(**of_ids), stage_end)
    class_of = {e.pk: e.training_class_id for e in enrolments}
    days, hours, rest = {}, {}, set()
    for enrolment_id, class_id, n_days, n_hours, others in sums:
        if others or class_id != class_of[enrolment_id] or enrolment_id in days:
            rest.add(enrolment_id)
        days[enrolment_id], hours[enrolment_id] = n_days, n_hours or 0
    by_class: dict[int, list] = defaultdict(list)
    for e in enrolments:
        if e.training_class_id in with_sessions:
            if e.pk in rest:
                by_class[e.training_class_id].append(e)
            else:
                facts[e.pk].update(days=days.get(e.pk, 0), hours_total=hours_json(hours.get(e.pk, 0)), hours_online=0)
    if by_class:  # the others: their days from their records, and the hours rule itself
        from collections import namedtuple

        columns = ("session_id", "enrolment_id", "status", "source", "checked_in_at", "checked_out_at", "online_minutes")
        Record = namedtuple("Record", columns)
        records: dict[int, dict] = defaultdict(dict)  # class id → {(session id, enrolment id): record}
        attended_days: dict[int, set] = defaultdict(set)
        rest_class = {e.pk: class_id for class_id, members in by_class.items() for e in members}
        rows = (Attendance.objects.filter(**ids_in("enrolment_id", list(rest_class)), status__in=ATTENDED).order_by()
                .values_list(*columns, "session__starts_at"))
        for *row, starts_at in rows.iterator(chunk_size=20000):
            record = Record(*row)
            records[rest_class[record.enrolment_id]][(record.session_id, record.enrolment_id)] = record
            day = starts_at.astimezone(tz).date()
            if not stage_end or day <= stage_end:
                attended_days[record.enrolment_id].add(day)
        for class_id, members in by_class.items():
            for summary in class_summaries(classes[class_id], enrolments=members, sessions=sessions_of[class_id],
                                           records=records[class_id]):
                facts[summary.enrolment.pk].update(days=len(attended_days[summary.enrolment.pk]),
                                                   hours_total=hours_json(summary.hours["total"]),
                                                   hours_online=hours_json(summary.hours["online"]))
    completed = set(CompletionDecision.objects.filter(**of_ids, completed=True).values_list("enrolment_id", flat=True))
    completed |= set(TrainingCertificate.objects.filter(**of_ids, status="valid")
                     .values_list("enrolment_id", flat=True))
    for enrolment_id in completed:
        facts[enrolment_id]["completed"] = True
    return facts


def employment_facts(enrolment_ids: Iterable[int]) -> dict[int, EmploymentRecord]:
    """The latest employment record of each enrolment (a correction supersedes the earlier one)."""
    latest: dict[int, EmploymentRecord] = {}
    for record in EmploymentRecord.objects.filter(**ids_in("enrolment_id", enrolment_ids)).order_by("enrolment_id", "pk"):
        latest[record.enrolment_id] = record
    return latest


def history_for_people(person_ids: Iterable[int], province_code: str, exclude_claim_id: int | None = None,
                       exclude_class_id: int | None = None) -> dict[int, list[dict]]:
    """Every active claim line of these persons in the province — including lines still in review —
    as the pack's history entries. This is what the per-person limits are checked against."""
    rows = ClaimLine.objects.filter(person_id__in=list(person_ids), claim__province_id=province_code, status__in=ACTIVE_STATUSES)
    if exclude_claim_id:
        rows = rows.exclude(claim_id=exclude_claim_id)
    if exclude_class_id:
        rows = rows.exclude(claim__training_class_id=exclude_class_id)
    found: dict[int, list[dict]] = defaultdict(list)
    for person_id, item, ref, code, level, amount in rows.values_list("person_id", "item", "reference_date", "occupation_code",
                                                                      "level", "amount_fen").order_by("pk"):
        found[person_id].append({"date": ref.isoformat(), "kind": item, "occupation_code": code, "level": level,
                                 "amount_fen": amount})
    return found


def history_by_province(person_ids: Iterable[int], provinces: Iterable[str]) -> dict[tuple[int, str], list[dict]]:
    """`history_for_people` for several provinces in one query: {(person id, province code): entries}."""
    rows = ClaimLine.objects.filter(**ids_in("person_id", set(person_ids)), claim__province_id__in=list(provinces),
                                    status__in=ACTIVE_STATUSES)
    found: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for person_id, province, item, ref, code, level, amount in rows.values_list(
            "person_id", "claim__province_id", "item", "reference_date", "occupation_code", "level", "amount_fen").order_by("pk"):
        found[(person_id, province)].append({"date": ref.isoformat(), "kind": item, "occupation_code": code, "level": level,
                                             "amount_fen": amount})
    return found


def _exam(outcomes: list, code: str, level: str):
    matching = [o for o in outcomes or () if o.occupation_code == code and o.level == level]
    passed = [o for o in matching if o.passed]
    return (passed or matching or [None])[-1]


def build_cases(enrolments: list[Enrolment], *, stage_end: date | None = None, exclude_claim_id: int | None = None,
                history: dict[int, list[dict]] | None = None, set_based: bool = False,
                claim_date: date | None = None) -> list[CaseFacts]:
    """The pack's case for each enrolment, on the training's dates. `history` may be given
    (already read under the per-person lock); otherwise it is read here. `set_based`: training
    facts of all classes in one pass (the bulk claim path) instead of class by class. `claim_date`:
    the day of the application, for the pack's rules that count to it (Tianjin's living allowance)."""
    if not enrolments:
        return []
    classes = {e.training_class_id: e.training_class for e in enrolments}
    person_ids = [e.person_id for e in enrolments]
    training = (_training_facts_set_based if set_based else _training_facts)(classes, enrolments, stage_end)
    employment = employment_facts(e.pk for e in enrolments)
    outcomes = exam_outcomes_for_people(person_ids)
    certificates = level_certificates_for_people(person_ids)
    if history is None:
        provinces = {str(k.division_id)[:2] + "0000" for k in classes.values()}
        history = {}
        for province in provinces:
            history.update(history_for_people(person_ids, province, exclude_claim_id))
    class_size: dict[int, int] = defaultdict(int)
    class_employed: dict[int, int] = defaultdict(int)
    class_reported: set[int] = set()
    for e in enrolments:
        class_size[e.training_class_id] += 1
        record = employment.get(e.pk)
        if record is not None:
            class_reported.add(e.training_class_id)
            class_employed[e.training_class_id] += record.status == EmploymentRecord.Status.EMPLOYED
    result = []
    tz = timezone.get_current_timezone()  # timezone.localtime's zone, looked up once, not once per trainee
    for e in enrolments:
        k, person, t = e.training_class, e.person, training[e.pk]
        code = k.occupation.code
        exam = _exam(outcomes.get(person.pk), code, k.level)
        certificate = next((c for c in reversed(certificates.get(person.pk, [])) if c["occupation_code"] == code
                            and c["level"] == k.level), None)
        record = employment.get(e.pk)
        end = min(stage_end, k.end_date) if stage_end else k.end_date
        case = {
            "trainee": {
                "status": person.employment_status or None,
                "birth_date": person.birth_date.isoformat() if person.birth_date else None,
                "graduation_date": person.graduation_date.isoformat() if person.graduation_date else None,
                "employed_after_training": None if record is None else record.status == EmploymentRecord.Status.EMPLOYED,
            },
            "course": {
                "occupation_code": code, "level": k.level, "mode": k.mode,
                "institution_province": str(k.institution.division_id)[:2],
                "start_date": k.start_date.isoformat(), "end_date": end.isoformat(),
                "enrolment_date": e.enrolled_at.astimezone(tz).date().isoformat() if e.enrolled_at else None,
                "training_days": t["days"], "hours_total": t["hours_total"], "hours_online": t["hours_online"],
                "training_certificate": t["completed"],
                "level_certificate": {"issued_on": certificate["issued_on"].isoformat(), "province": certificate["province"]}
                if certificate else None,
                "exam": {"theory_passed": exam.theory_passed, "ability_passed": exam.practical_passed} if exam else {},
            },
            "history": history.get(person.pk, []),
        }
        if k.pk in class_reported:
            case["class"] = {"size": class_size[k.pk], "employed_after_training": class_employed[k.pk]}
        if claim_date is not None:
            case["claim_date"] = claim_date.isoformat()
        result.append(CaseFacts(e, case, exam.exam_date if exam else None))
    return result
