"""PolicyPack: a province's parameters on top of the national baseline, plus its rules.

A rule is a plain function `rule(case, p) -> Reason | list[Reason] | None` over the facts
of one case and the parameters bound to one date. A pack lists its eligibility rules and
one subsidy rule; `quote` runs them and assembles the Decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Callable

from ..cases import Case
from ..engine import BoundParameters, Decision, Item, ParameterSet, Reason, load_parameter_file

PACKS_DIR = Path(__file__).resolve().parent
NATIONAL_FILE = PACKS_DIR / "national" / "parameters.yaml"

Rule = Callable[[Case, BoundParameters], "Reason | list[Reason] | None"]
SubsidyRule = Callable[[Case, BoundParameters], "tuple[list[Item], list[Reason]]"]


@dataclass(frozen=True)
class Deadline:
    key: str
    days: int
    unit: str  # 'calendar' | 'working'
    anchor: str  # the event the period counts from, e.g. 'training_end'
    direction: str  # 'after' the anchor or 'before' it
    citation: str
    # the claim items (Item.kind) the period binds, as the parameter names them; empty: every item
    items: tuple[str, ...] = ()

    def binds(self, item: str) -> bool:
        return not self.items or item in self.items


@dataclass(frozen=True)
class TitleRecognition:
    level: str
    title: str
    basis: str  # 'direct' recognition, 'may_apply' for review, or 'reference' in a review
    citation: str
    after_review: str = ""  # Tianjin: a 高级工程师 who passes review is 数字经济卓越工程师


class PolicyPack:
    """National defaults; a province subclass sets its identity, rules and parameter file."""

    code = "national"
    name = "全国基线"
    division_code = ""
    eligibility_rules: tuple[Rule, ...] = ()
    subsidy_rule: SubsidyRule | None = None

    @property
    def parameter_file(self) -> Path:
        return PACKS_DIR / self.code / "parameters.yaml"

    @cached_property
    def parameters(self) -> ParameterSet:
        # The national file is the baseline of 人社厅发〔2021〕71号: its values are not in any
        # province's own document, and say so (issue 13 item 9).
        national = load_parameter_file(NATIONAL_FILE, "national_baseline")
        if self.code == "national":
            return national
        return national.merged(load_parameter_file(self.parameter_file))

    # --- the decision ------------------------------------------------------------

    def quote(self, case: Case, on: date | None = None, params: ParameterSet | None = None, trace: bool = True) -> Decision:
        on = on or case.reference_date()
        parameter_set = params or self.parameters
        facts_on = case.eligibility_date() or on
        p = parameter_set.bind(on, [] if trace else None, facts_on)
        dates = {"parameters": on, "eligibility": facts_on, **case.reference_dates()}
        if p.trace is not None:
            p.trace.extend({"reference_date": k, "date": v.isoformat()} for k, v in dates.items() if v)
        if p.peek("home_province") is None:
            return Decision(self.code, on, False, [], [self._not_in_force(parameter_set, on)], p.trace or [], dates)
        eligible, items, reasons = self._decide(case, p)
        return Decision(self.code, on, eligible, items, reasons, p.trace or [], dates)

    def outcome(self, case: Case, on: date | None = None, params: ParameterSet | None = None) -> tuple[bool, list[Item], list[Reason]]:
        """What `quote` decides — eligible, items, reasons — without building the Decision, its
        dates or a trace: the simulation's path for a million cases (same rules, same reasons)."""
        eligibility = case.eligibility_date()
        on = on or eligibility or case.reference_date()
        parameter_set = params or self.parameters
        p = parameter_set.bind(on, None, eligibility or on)
        if p.peek("home_province") is None:
            return False, [], [self._not_in_force(parameter_set, on)]
        return self._decide(case, p)

    def _decide(self, case: Case, p: BoundParameters) -> tuple[bool, list[Item], list[Reason]]:
        reasons: list[Reason] = []
        for rule in self.eligibility_rules:
            result = rule(case, p)
            if result is not None:  # most rules pass; a rule returns one Reason or a list of them
                if isinstance(result, Reason):
                    reasons.append(result)
                else:
                    reasons.extend(result)
        items: list[Item] = []
        eligible, blocked = True, False  # a plain loop: cheaper than two any() scans a case
        for reason in reasons:
            if reason.effect == "refuse":
                eligible, blocked = False, True
            elif reason.effect == "pending":
                blocked = True
        if not blocked and self.subsidy_rule is not None:
            items, more = type(self).subsidy_rule(case, p)
            for reason in more:
                reasons.append(reason)
                if reason.effect == "refuse":
                    eligible = False
        return eligible, items if eligible else [], reasons

    def _not_in_force(self, parameter_set: ParameterSet, on: date) -> Reason:
        """Before the province's document took effect none of its rules apply."""
        first = parameter_set.parameters["home_province"].values[0]
        return Reason(
            "POLICY_NOT_IN_FORCE",
            f"{on.isoformat()} {self.name}实施方案尚未施行（自 {first.effective_from.isoformat()} 起施行）。",
            first.citation,
        )

    # --- facts other apps ask about ---------------------------------------------

    def _bound(self, on: date | None, params: ParameterSet | None = None) -> BoundParameters:
        return (params or self.parameters).bind(on or date.today(), None)

    def online_cap(self, on: date | None = None) -> tuple[int | None, str]:
        """Maximum online share in basis points (5000 = 50 %), or None where no cap is stated."""
        p = self._bound(on)
        return p.get("online_cap_bp"), p.citation("online_cap_bp")

    def required_hours(self, occupation_code: str, level: str, on: date | None = None) -> tuple[int | None, str]:
        p = self._bound(on)
        cell = p.cell("subsidy_standards", occupation_code, level)  # as common.required_hours reads it
        hours = cell.get("hours") if isinstance(cell, dict) else None
        return hours, p.citation("subsidy_standards") if hours is not None else ""

    def deadlines(self, on: date | None = None) -> dict[str, Deadline]:
        p = self._bound(on)
        found = {}
        for name in self.parameters.names():
            if name.startswith("deadline_"):
                value = p.get(name)
                if value:
                    key = name.removeprefix("deadline_")
                    found[key] = Deadline(key, value["days"], value["unit"], value["anchor"], value["direction"], p.citation(name),
                                          tuple(value.get("items") or ()))
        return found

    def forbidden_claims(self, on: date | None = None) -> list[tuple[str, str]]:
        p = self._bound(on)
        return [(phrase, p.citation("forbidden_claims")) for phrase in p.get("forbidden_claims") or ()]

    def find_forbidden_claims(self, text: str, on: date | None = None) -> list[tuple[str, str]]:
        """Forbidden advertising claims (包过, 不过退费, …) occurring in `text`."""
        return [(phrase, citation) for phrase, citation in self.forbidden_claims(on) if phrase in (text or "")]

    def forbidden_certificate_words(self, on: date | None = None) -> list[tuple[str, str]]:
        p = self._bound(on)
        return [(word, p.citation("forbidden_certificate_words")) for word in p.get("forbidden_certificate_words") or ()]

    def find_forbidden_certificate_words(self, text: str, on: date | None = None) -> list[tuple[str, str]]:
        return [(w, c) for w, c in self.forbidden_certificate_words(on) if w in (text or "")]

    def title_for_level(self, level: str, on: date | None = None) -> TitleRecognition | None:
        p = self._bound(on)
        entry = (p.get("title_recognition") or {}).get(level)
        if not entry:
            return None
        return TitleRecognition(level, entry["title"], entry["basis"], p.citation("title_recognition"), entry.get("after_review", ""))

    def continuing_education_hours(self, case: Case, on: date | None = None) -> tuple[int | Decimal, str]:
        """Training hours that count as this year's continuing-education 专业课 hours, exact to the
        tenth the attendance credits (an int when whole, else a Decimal: common.hours_text prints it)."""
        p = self._bound(on or case.reference_date())
        rule = p.get("continuing_education") or {}
        if not rule.get("counts"):
            return 0, ""
        if rule.get("requires_training_certificate") and not case.course.training_certificate:
            return 0, p.citation("continuing_education")
        return case.course.hours_total or 0, p.citation("continuing_education")

    def describe(self) -> dict:
        from ..engine import describe

        return {
            "code": self.code,
            "name": self.name,
            "division_code": self.division_code,
            "parameters": list(describe(self.parameters)),
        }
