"""A policy-change simulation as officials run it from the web (issue 13 item 11): choose a pack,
change some of its parameters in ¥ / % / days / years / yes-no, run it over a population as a
background job, see the counts and the full list of who gains and who loses, export it to Excel.

The rules are the pack's (dte/policy/packs): each case is decided twice — once with the parameters in
force (the pack plus the subsidy standards officials entered in the catalogue) and once with the
changed values on top — through the same `pack.quote` the calculator and the claims use. The
synthetic population is `population.demo_chunk` (the CLI's `--demo`); the real population is the
enrolments the official may see, their cases built by `dte.subsidy.facts.build_cases` (the one place
claims build cases), so a simulated change reads the same facts a claim would.
"""

from __future__ import annotations

import heapq
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterator

from django.utils.translation import gettext as _
from openpyxl import Workbook

from dte.catalogue.models import Level
from dte.privacy.spreadsheet import safe_row

from .cases import CaseError, parse_case
from .engine import DatedValue, ParameterError, parse_overrides
from .occupations import load_occupations
from .packs import get_pack
from .services import PolicyInputError, pack_for, parameters_with
from .population import CHUNK_SIZE, demo_chunk

# Parameters a person can change on the page (the structured ones — tables, mappings, lists — stay in packs).
EDITABLE_UNITS = ("fen", "basis_points", "days", "years", "bool")
POPULATIONS = ("demo", "registry")
MAX_DEMO_CASES = 1_000_000
LIST_LIMIT = 20_000  # changed cases kept in the job result for the page; the Excel file has all of them
# Notes written for pack authors, not for the page: units (分, 基点), "null = …", the table form of a standard.
_AUTHOR_NOTES = (re.compile(r"[（(](分|基点)[^）)]*[）)]"), re.compile(r"[；;]\s*null\s*=.*$"),
                 re.compile(r"[：:]\s*一个金额，或.*$"))


@dataclass(frozen=True)
class EditableParameter:
    name: str
    unit: str
    label: str
    value: object  # stored form: fen, basis points, days, years, bool; None = not set
    citation: str


def editable_parameters(province: str, on: date | None = None) -> list[EditableParameter]:
    """The pack's simple parameters with the value in force on `on`, including official standards."""
    from dte.catalogue.selectors import overrides_with_official_standards

    pack = pack_for(province)
    on = on or date.today()
    params = parameters_with(pack, overrides_with_official_standards(pack.code, on, None))
    out = []
    for name in params.names():
        parameter = params.parameters[name]
        if parameter.unit not in EDITABLE_UNITS:
            continue
        current = parameter.at(on)
        value = current.value if current else None
        if isinstance(value, (dict, list)):
            continue  # e.g. a per-occupation table of standards: not a single number
        label = parameter.description
        for note in _AUTHOR_NOTES:
            label = note.sub("", label)
        label = label.strip() or name
        out.append(EditableParameter(name, parameter.unit, label, value, current.citation if current else ""))
    return out


def shown_value(unit: str, value) -> str:
    """A parameter's value as a person reads it: ¥, %, days, years, yes/no."""
    if value is None:
        return _("not set")
    if unit == "fen":
        return f"¥{value / 100:,.2f}"
    if unit == "basis_points":
        return f"{value / 100:g}%"
    if unit == "bool":
        return _("yes") if value else _("no")
    if unit == "days":
        return _("%(n)s days") % {"n": value}
    if unit == "years":
        return _("%(n)s years") % {"n": value}
    return str(value)


def changed_values(province: str, submitted: dict, on: date | None = None) -> dict:
    """Only the parameters whose submitted value differs from the one in force: {name: stored value}."""
    current = {p.name: p.value for p in editable_parameters(province, on)}
    return {name: value for name, value in submitted.items() if name in current and value != current[name]}


def _parameter_sets(pack, on: date | None, changes: dict):
    from dte.catalogue.selectors import overrides_with_official_standards

    base = overrides_with_official_standards(pack.code, on, None) or {}
    base = {name: v if isinstance(v, DatedValue) else parse_overrides({name: v})[name] for name, v in base.items()}
    try:
        what_if = parse_overrides(changes or {})
    except ParameterError as error:
        raise PolicyInputError(str(error)) from None
    return parameters_with(pack, base), parameters_with(pack, {**base, **what_if})


# --- populations -------------------------------------------------------------------------------------


def demo_population(province: str, size: int, seed: int) -> tuple[int, Iterator[tuple[dict, dict]]]:
    """The CLI's synthetic population (`dte policy simulate --demo N --seed S`)."""
    label = _("Synthetic case %(n)s")

    def cases():
        for chunk_index, start in enumerate(range(0, size, CHUNK_SIZE)):
            for case in demo_chunk(province, seed, chunk_index, min(CHUNK_SIZE, size - start)):
                yield {"ref": case["id"], "who": label % {"n": case["id"].rsplit("-", 1)[-1]}, "where": ""}, case
    return size, cases()


def registry_population(user, province: str, batch: int = 500) -> tuple[int, Iterator[tuple[dict, dict]]]:
    """Enrolments the user may see in classes of the pack's province, with the facts a claim would read."""
    from dte.organisations.scoping import scoped
    from dte.registry.models import Enrolment
    from dte.subsidy.facts import build_cases

    pack = get_pack(province)
    qs = (scoped(user, Enrolment.objects.all())
          .filter(training_class__division__code__startswith=pack.division_code[:2])
          .exclude(status__in=(Enrolment.Status.WITHDRAWN, Enrolment.Status.APPLIED)).order_by("pk"))
    total = qs.count()
    ids = list(qs.values_list("pk", flat=True))

    def cases():
        for start in range(0, len(ids), batch):
            enrolments = list(Enrolment.objects.filter(pk__in=ids[start:start + batch]).select_related(
                "person", "training_class__occupation", "training_class__institution").order_by("pk"))
            for facts in build_cases(enrolments):
                e = facts.enrolment
                yield ({"ref": f"E{e.pk}", "who": f"{e.person.name} {e.person.masked_id_number}",
                        "where": f"{e.training_class.title} · {e.training_class.institution.name}"}, facts.case)
    return total, cases()


# --- the run -------------------------------------------------------------------------------------------


def _reasons(decision) -> str:
    return "；".join(r.message for r in decision.reasons if r.effect == "refuse")


def simulation_run(*, province: str, changes: dict, population: str, size: int = 1000, seed: int = 1,
                   on: date | None = None, user=None, progress: Callable | None = None) -> tuple[dict, object]:
    """Decide every case with the parameters in force and with `changes`; returns (result, xlsx file).
    The result has the counts and up to LIST_LIMIT changed cases (largest change first); the file
    lists every case whose amount or eligibility changes."""
    pack = pack_for(province)
    if population not in POPULATIONS:
        raise PolicyInputError(f"unknown population {population!r}")
    if population == "demo":
        if not 1 <= size <= MAX_DEMO_CASES:
            raise PolicyInputError(f"人群规模须在 1 至 {MAX_DEMO_CASES} 之间。")
        total, cases = demo_population(pack.code, size, seed)
    else:
        total, cases = registry_population(user, pack.code)
    before, after = _parameter_sets(pack, on, changes)
    editable = {p.name: p for p in editable_parameters(pack.code, on)}
    changes_shown = [{"label": editable[name].label if name in editable else name,
                      "before": shown_value(editable[name].unit, editable[name].value) if name in editable else "",
                      "after": shown_value(editable[name].unit, value) if name in editable else str(value)}
                     for name, value in sorted(changes.items())]
    counts = {"cases": 0, "invalid": 0, "eligible_before": 0, "eligible_after": 0, "total_before_fen": 0,
              "total_after_fen": 0, "gainers": 0, "losers": 0, "unchanged": 0, "newly_eligible": 0,
              "no_longer_eligible": 0, "gain_fen": 0, "loss_fen": 0}
    occupation_names = {o.code: o.name for o in load_occupations()}
    level_names = {code: str(label) for code, label in Level.choices}
    sheet = _ChangeSheet()
    kept: list[tuple] = []  # min-heap of (|change|, sequence, row): the LIST_LIMIT largest changes for the page
    changed_total = 0
    report = progress or (lambda *args, **kwargs: None)
    report(0, total, _("Simulating"), force=True)
    for who, raw in cases:
        counts["cases"] += 1
        try:
            case = parse_case(raw)
        except CaseError:
            counts["invalid"] += 1
            continue
        a = pack.quote(case, on=on, params=before, trace=False)
        b = pack.quote(case, on=on, params=after, trace=False)
        delta = b.total_fen - a.total_fen
        counts["eligible_before"] += a.eligible
        counts["eligible_after"] += b.eligible
        counts["total_before_fen"] += a.total_fen
        counts["total_after_fen"] += b.total_fen
        counts["newly_eligible"] += b.eligible and not a.eligible
        counts["no_longer_eligible"] += a.eligible and not b.eligible
        if delta > 0:
            counts["gainers"] += 1
            counts["gain_fen"] += delta
        elif delta < 0:
            counts["losers"] += 1
            counts["loss_fen"] -= delta
        else:
            counts["unchanged"] += 1
        if delta or a.eligible != b.eligible:
            code = case.course.occupation_code
            row = {**who, "occupation": f"{code} {occupation_names.get(code, '')}".strip(),
                   "level": level_names.get(case.course.level, case.course.level),
                   "before_fen": a.total_fen, "after_fen": b.total_fen, "delta_fen": delta,
                   "eligible_before": a.eligible, "eligible_after": b.eligible,
                   "reasons_before": _reasons(a), "reasons_after": _reasons(b)}
            changed_total += 1
            sheet.append(row)  # streamed to disk: memory stays flat however many change
            entry = (abs(delta), -changed_total, row)
            if len(kept) < LIST_LIMIT:
                heapq.heappush(kept, entry)
            elif entry[:2] > kept[0][:2]:
                heapq.heapreplace(kept, entry)
        if counts["cases"] % 1000 == 0:
            report(counts["cases"], total, _("Simulating"))
    changed = [row for _size, _seq, row in sorted(kept, key=lambda e: (-e[0], -e[1]))]
    counts["net_change_fen"] = counts["total_after_fen"] - counts["total_before_fen"]
    result = {"province": pack.code, "province_name": pack.name, "population": population, "size": total,
              "seed": seed if population == "demo" else None, "on": on.isoformat() if on else None,
              "changes": changes, "changes_shown": changes_shown, "counts": counts, "changed_total": changed_total,
              "changed": changed, "truncated": changed_total > LIST_LIMIT}
    report(counts["cases"], total, _("Simulation finished"), force=True)
    return result, sheet.finish(result)


class _ChangeSheet:
    """The whole list of gainers and losers as .xlsx, written row by row as the run goes (amounts in ¥,
    every text cell formula-safe), then a summary sheet."""

    def __init__(self):
        self.wb = Workbook(write_only=True)
        self.ws = self.wb.create_sheet(_("Who gains and who loses"))
        self.ws.append(safe_row([_("Case"), _("Person"), _("Class"), _("Occupation"), _("Level"), _("Before (¥)"),
                                 _("After (¥)"), _("Change (¥)"), _("Eligible before"), _("Eligible after"),
                                 _("Refusal before"), _("Refusal after")]))
        self.yes, self.no = _("yes"), _("no")

    def append(self, row: dict) -> None:
        self.ws.append(safe_row([row["ref"], row["who"], row["where"], row["occupation"], row["level"],
                                 row["before_fen"] / 100, row["after_fen"] / 100, row["delta_fen"] / 100,
                                 self.yes if row["eligible_before"] else self.no,
                                 self.yes if row["eligible_after"] else self.no,
                                 row["reasons_before"], row["reasons_after"]]))

    def finish(self, result: dict):
        summary = self.wb.create_sheet(_("Summary"))
        c = result["counts"]
        for label, value in ((_("Province"), result["province_name"]), (_("Cases"), c["cases"]),
                             (_("Invalid cases"), c["invalid"]), (_("Eligible before"), c["eligible_before"]),
                             (_("Eligible after"), c["eligible_after"]), (_("Total before (¥)"), c["total_before_fen"] / 100),
                             (_("Total after (¥)"), c["total_after_fen"] / 100), (_("Gain"), c["gainers"]),
                             (_("Lose"), c["losers"]), (_("Unchanged"), c["unchanged"])):
            summary.append(safe_row([label, value]))
        for change in result["changes_shown"]:
            summary.append(safe_row([_("Changed parameter"), change["label"], change["before"], change["after"]]))
        handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        self.wb.save(handle)
        handle.seek(0)
        return handle


def simulation_start(*, province: str, changes: dict, population: str, size: int = 1000, seed: int = 1,
                     on: date | None = None, by) -> object:
    """Queue the simulation as a background job (runs in-process without REDIS_URL). Officials only."""
    from dte.jobs.services import job_start
    from dte.organisations.permissions import require_permission

    require_permission(by, "policy.simulate")
    pack = pack_for(province)
    if population not in POPULATIONS:
        raise PolicyInputError(f"unknown population {population!r}")
    if population == "demo" and not 1 <= size <= MAX_DEMO_CASES:
        raise PolicyInputError(f"人群规模须在 1 至 {MAX_DEMO_CASES} 之间。")
    _parameter_sets(pack, on, changes)  # refuse malformed values now, not in the worker
    return job_start("policy.simulate", user=by, params={
        "province": pack.code, "changes": changes, "population": population, "size": size, "seed": seed,
        "on": on.isoformat() if on else None})
