"""What the registry asks the province packs: eligibility at enrolment, forbidden claims,
the cross-province clause and the class-opening deadlines. The packs stay pure; this
module turns database rows into case facts and pack answers into dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dte.catalogue.selectors import overrides_with_official_standards
from dte.policy.services import PolicyInputError, pack_for_division, policy_quote
from dte.workdays.services import add_period, calendar_for

# Reasons that can only be settled after training (certificates, exams, days, class
# employment, published amounts): at enrolment they are shown as "later", not as refusals.
AFTER_TRAINING_CODES = frozenset({
    "TRAINING_CERTIFICATE_MISSING", "LEVEL_CERTIFICATE_MISSING", "EXAM_NOT_PASSED", "CERTIFICATE_OTHER_PROVINCE",
    "HOURS_MISSING", "HOURS_BELOW_REQUIREMENT", "STANDARD_NOT_PUBLISHED", "TRAINING_DAYS_MISSING",
    "CLASS_EMPLOYMENT_UNKNOWN", "EMPLOYMENT_RATE_BELOW_THRESHOLD", "CAPPED", "ONLINE_HOURS_OVER_CAP",
})
# The class-opening deadline is called differently in each pack (Tianjin: 开班申请; Yunnan: 开班材料).
OPENING_DEADLINE_KEYS = ("class_opening_application", "class_materials")
REVIEW_DEADLINE_KEYS = ("class_review",)
# Who reviews a class-opening application: Tianjin — 市人社局 (附件4 一(二)); Yunnan — the
# county bureau where the institution is (四(四) 1、2), with the province above it.
PROVINCE_REVIEW_ONLY = {"tianjin": "津人社办发〔2022〕94号 附件4 一(二)"}


class PolicyUnavailable(LookupError):
    pass


def pack_of(division_code: str):
    pack = pack_for_division(division_code)
    if pack is None:
        raise PolicyUnavailable(f"no policy pack for division {division_code}")
    return pack


def cross_province_citation(division_code: str, on: date) -> str:
    pack = pack_of(division_code)
    return pack.parameters.bind(on, None).citation("cross_province_training_forbidden")


def forbidden_claims_in(text: str, division_code: str, on: date) -> list[tuple[str, str]]:
    return pack_of(division_code).find_forbidden_claims(text, on)


def online_cap(division_code: str, on: date) -> tuple[int | None, str]:
    return pack_of(division_code).online_cap(on)


# --- eligibility ---------------------------------------------------------------------


def history_of(person, exclude_class_id=None) -> list[dict]:
    """The subsidies this person has claimed or been paid in the province of the class — every
    active claim line there, including lines still in review (dte.subsidy.facts, the same history
    the claim itself is checked against) — as the pack's history entries."""
    from dte.subsidy.facts import history_for_people

    from .models import TrainingClass

    division = TrainingClass.objects.filter(pk=exclude_class_id).values_list("division_id", flat=True).first() \
        or person.division_id
    return history_for_people([person.pk], str(division)[:2] + "0000", exclude_class_id=exclude_class_id).get(person.pk, [])


def case_for(*, status: str, graduation_date: date | None, birth_date: date | None, training_class, history=(),
             facts: dict | None = None, enrolment_date: date | None = None) -> dict:
    """A blank status stays blank (issue 13 item 1: no "unemployed" default that a pack
    would accept); the person's separate facts (employed, retired, school) go alongside."""
    k = training_class
    return {
        "trainee": {
            "status": status or None,
            "birth_date": birth_date.isoformat() if birth_date else None,
            "graduation_date": graduation_date.isoformat() if graduation_date else None,
            **(facts or {}),
        },
        "course": {
            "occupation_code": k.occupation.code,
            "level": k.level,
            "mode": k.mode,
            "institution_province": k.institution.division_id[:2],
            "start_date": k.start_date.isoformat(),
            "end_date": k.end_date.isoformat(),
            "enrolment_date": enrolment_date.isoformat() if enrolment_date else None,
        },
        "history": list(history),
    }


_LOAD = object()  # "read the catalogue's standards now" (one quote); a roster import passes them in once


def evaluate(case: dict, training_class, overrides=_LOAD) -> dict:
    """The pack's decision at enrolment: {"eligible", "pack", "on", "reasons", "later"}."""
    k = training_class
    if overrides is _LOAD:
        overrides = overrides_with_official_standards(k.division_id, k.start_date)
    try:
        decision = policy_quote(k.division_id, case, on=k.start_date, overrides=overrides)
    except PolicyInputError as error:
        return {"eligible": False, "pack": "", "on": k.start_date.isoformat(), "later": [],
                "reasons": [{"code": "CASE_INVALID", "message": str(error), "citation": "", "effect": "refuse"}]}
    data = decision.to_dict()
    now, later = [], []
    for reason in data["reasons"]:
        if reason["code"] in AFTER_TRAINING_CODES:
            later.append({"code": reason["code"], "message": reason["message"]})
        elif reason["code"] == "MODE_NOT_SUBSIDISED" and k.mode == "market":
            now.append({**reason, "effect": "info"})
        else:
            now.append(reason)
    # a fact missing now (status, graduation date) is not a pass at enrolment either
    eligible = not any(r["effect"] in ("refuse", "pending") for r in now)
    return {"eligible": eligible, "pack": data["province"], "on": data["on"], "reasons": now, "later": later}


def evaluate_person(person, training_class, overrides=_LOAD) -> dict:
    case = case_for(status=person.employment_status, graduation_date=person.graduation_date, birth_date=person.birth_date,
                    training_class=training_class, history=history_of(person, exclude_class_id=training_class.pk),
                    facts=person.trainee_facts())
    return evaluate(case, training_class, overrides)


class RosterEligibility:
    """Eligibility at enrolment for a whole roster (issue 12 item 1): the catalogue's standards are read once
    per job, not once per row, and a new person's decision — a function of the pack, the class and the case,
    whose only per-person facts are status, graduation date and birth date (no history, no other facts yet) —
    is quoted once per distinct triple. `known` seeds decisions kept from the validation, so the commit
    quotes nothing again. People already in the registry are evaluated one by one (their history differs)."""

    MEMO_MAX = 50_000  # distinct triples kept at a time (a decision is a few hundred bytes)

    def __init__(self, training_class, known: dict | None = None):
        self.training_class = training_class
        self._overrides = _LOAD
        self.decisions: dict[tuple, dict] = dict(known or {})
        self.fresh: list[tuple] = []  # keys quoted since the caller last took them (to keep them)

    @property
    def overrides(self):
        if self._overrides is _LOAD:
            k = self.training_class
            self._overrides = overrides_with_official_standards(k.division_id, k.start_date)
        return self._overrides

    def new_person(self, status: str, graduation_date: date | None, birth_date: date | None) -> dict:
        key = (status, graduation_date, birth_date)
        decision = self.decisions.get(key)
        if decision is None:
            if len(self.decisions) >= self.MEMO_MAX:
                self.decisions.clear()
            case = case_for(status=status, graduation_date=graduation_date, birth_date=birth_date,
                            training_class=self.training_class)
            decision = self.decisions[key] = evaluate(case, self.training_class, self.overrides)
            self.fresh.append(key)
        return decision

    def people(self, persons) -> dict[int, dict]:
        """The decisions for people already in the registry, their history read in one query
        (the same history as history_of: the class's province, this class left out)."""
        from dte.subsidy.facts import history_for_people

        k = self.training_class
        persons = list(persons)
        if not persons:
            return {}
        history = history_for_people([p.pk for p in persons], str(k.division_id)[:2] + "0000", exclude_class_id=k.pk)
        decisions = {}
        for person in persons:
            case = case_for(status=person.employment_status, graduation_date=person.graduation_date,
                            birth_date=person.birth_date, training_class=k, history=history.get(person.pk, []),
                            facts=person.trainee_facts())
            decisions[person.pk] = evaluate(case, k, self.overrides)
        return decisions


# --- class-opening deadlines ---------------------------------------------------------------


@dataclass(frozen=True)
class DueDate:
    date: date
    days: int
    unit: str
    citation: str
    provisional: bool = False


def latest_day_before(start: date, days: int, unit: str) -> tuple[date, bool]:
    """The latest day D with add_period(D, days, unit) <= start (start day not counted)."""
    if unit == "calendar":
        return start - timedelta(days=days), False
    calendar = calendar_for(start - timedelta(days=days * 3 + 40), start)
    day, counted = start, 0
    while counted < days:
        counted += calendar.is_working_day(day)
        day -= timedelta(days=1)
    provisional = any(y not in calendar.known_years for y in range(day.year, start.year + 1))
    return day, provisional


def opening_due(division_code: str, start: date) -> DueDate | None:
    """When the opening application must be in, from the pack's deadline (None: no limit)."""
    deadlines = pack_of(division_code).deadlines(start)
    for key in OPENING_DEADLINE_KEYS:
        d = deadlines.get(key)
        if d is not None and d.direction == "before":
            due, provisional = latest_day_before(start, d.days, d.unit)
            return DueDate(due, d.days, d.unit, d.citation, provisional)
    return None


def review_due(division_code: str, submitted: date) -> DueDate | None:
    deadlines = pack_of(division_code).deadlines(submitted)
    for key in REVIEW_DEADLINE_KEYS:
        d = deadlines.get(key)
        if d is not None and d.direction == "after":
            deadline = add_period(submitted, d.days, d.unit)
            return DueDate(deadline.date, d.days, d.unit, d.citation, deadline.provisional)
    return None
