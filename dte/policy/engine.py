"""Dated, cited parameters and the decision a rule set returns.

Pure Python: no Django. A parameter is a history of dated values, each citing the
document clause it comes from. Changing a value means adding a new dated value;
history is never edited, so a quote for an old date stays reproducible.
Money is integer fen everywhere; rates are integer basis points (10000 = 100 %).
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import yaml

try:  # the C loader is ~10x faster; parameter files are read once per process anyway
    _YamlLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _YamlLoader = yaml.SafeLoader

OVERRIDE_CITATION = "假设情形（--parameters 覆盖值）"
# Where a value comes from (issue 13 item 9): the province's own document, the national
# measures 人社厅发〔2021〕71号 taken as baseline, or a decision recorded for the policy owner.
SOURCES = ("document", "national_baseline", "owner_decision")
UNDATED_FROM = date(1900, 1, 1)


class ParameterError(ValueError):
    """A parameter file or an override is malformed."""


@dataclass(frozen=True)
class DatedValue:
    value: Any
    effective_from: date  # None only for an undated what-if value before it is placed
    citation: str
    published: date | None = None
    note: str = ""
    source: str = "document"


@dataclass
class Parameter:
    name: str
    description: str = ""
    unit: str = ""
    values: list[DatedValue] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.values.sort(key=lambda v: v.effective_from)
        self._starts = [v.effective_from for v in self.values]

    def at(self, on: date) -> DatedValue | None:
        """The value in force on `on` (the latest one whose effective_from <= on)."""
        index = bisect.bisect_right(self._starts, on)
        return self.values[index - 1] if index else None

    def with_value(self, dated: DatedValue) -> "Parameter":
        """A copy with one more dated value on top (what-if or a newly published value)."""
        return Parameter(self.name, self.description, self.unit, [*self.values, dated])


class ParameterSet:
    """All parameters of one pack. Snapshots per date are cached so a million cases
    resolve each parameter once, not a million times."""

    def __init__(self, parameters: dict[str, Parameter]):
        self.parameters = parameters
        self._snapshots: dict[date, dict[str, DatedValue | None]] = {}
        self._untraced: dict[tuple, BoundParameters] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.parameters

    def names(self) -> list[str]:
        return sorted(self.parameters)

    def snapshot(self, on: date) -> dict[str, DatedValue | None]:
        snap = self._snapshots.get(on)
        if snap is None:
            snap = {name: p.at(on) for name, p in self.parameters.items()}
            self._snapshots[on] = snap
        return snap

    def at(self, name: str, on: date, trace: list | None = None) -> Any:
        return self.bind(on, trace).get(name)

    def bind(self, on: date, trace: list | None = None, facts_on: date | None = None) -> "BoundParameters":
        if trace is not None:
            return BoundParameters(self.snapshot(on), on, trace, facts_on)
        # Without a trace a binding is never written to: one per pair of dates serves every case.
        key = (on, facts_on)
        bound = self._untraced.get(key)
        if bound is None:
            bound = self._untraced[key] = BoundParameters(self.snapshot(on), on, None, facts_on)
        return bound

    def merged(self, other: "ParameterSet") -> "ParameterSet":
        """Parameters of `other` replace same-named ones here (a province over the baseline)."""
        return ParameterSet({**self.parameters, **other.parameters})

    def with_overrides(self, overrides: dict[str, DatedValue]) -> "ParameterSet":
        unknown = sorted(set(overrides) - set(self.parameters))
        if unknown:
            raise ParameterError(
                f"未知参数 {', '.join(unknown)}；可用参数见 `dte policy explain`。"
                f" (unknown parameter(s): {', '.join(unknown)})"
            )
        merged = dict(self.parameters)
        for name, dated in overrides.items():
            if dated.effective_from is None:
                # An undated what-if value sits on top of the history: in force from the
                # latest published value on, so it wins for every date the pack covers.
                starts = [v.effective_from for v in merged[name].values]
                dated = replace(dated, effective_from=max(starts, default=UNDATED_FROM))
            merged[name] = merged[name].with_value(dated)
        return ParameterSet(merged)


class BoundParameters:
    """Parameters resolved for one date. `get` records each value used in the trace."""

    __slots__ = ("_snap", "on", "facts_on", "trace", "_seen")

    def __init__(self, snapshot: dict[str, DatedValue | None], on: date, trace: list | None, facts_on: date | None = None):
        self._snap = snapshot
        self.on = on  # the date whose parameter values apply
        self.facts_on = facts_on or on  # the date who is covered is judged on (the training's)
        self.trace = trace
        self._seen: set[str] | None = set() if trace is not None else None

    def dated(self, name: str) -> DatedValue | None:
        try:
            dated = self._snap[name]
        except KeyError:
            raise ParameterError(f"pack has no parameter {name!r}") from None
        if self.trace is not None:
            self._record(name, dated.value if dated else None, dated)
        return dated

    def get(self, name: str, default: Any = None) -> Any:
        # One dictionary lookup when no trace is kept: a simulation calls this ~10 times a case.
        try:
            dated = self._snap[name]
        except KeyError:
            raise ParameterError(f"pack has no parameter {name!r}") from None
        if self.trace is not None:
            self._record(name, dated.value if dated else None, dated)
        return default if dated is None else dated.value

    def peek(self, name: str) -> DatedValue | None:
        """The dated value without recording it (to decide how to read a parameter)."""
        return self._snap.get(name)

    def cell(self, name: str, *keys: str) -> Any:
        """One cell of a table parameter; the trace records only that cell, not the table."""
        try:
            dated = self._snap[name]
        except KeyError:
            raise ParameterError(f"pack has no parameter {name!r}") from None
        value = dated.value if dated else None
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if self.trace is not None:
            self._record(name + "".join(f"[{k}]" for k in keys), value, dated)
        return value

    def _record(self, label: str, value: Any, dated: DatedValue | None) -> None:
        """Put a value used into the trace, once per label (a parameter or one table cell)."""
        if self.trace is None or label in self._seen:
            return
        self._seen.add(label)
        self.trace.append(
            {
                "parameter": label,
                "value": value,
                "citation": dated.citation if dated else "",
                "effective_from": dated.effective_from.isoformat() if dated else None,
            }
        )

    def citation(self, name: str) -> str:
        dated = self._snap.get(name)
        return dated.citation if dated else ""


# --- results -----------------------------------------------------------------

PAYEES = ("institution", "person")
#: refuse = no subsidy; reduce = less than the full amount; pending = amount cannot be
#: computed yet (standard not published); info = explanation with no money effect.
EFFECTS = ("refuse", "reduce", "pending", "info")


@dataclass(frozen=True)
class Item:
    kind: str
    amount_fen: int
    payee: str
    citation: str
    onward_payee: str | None = None  # e.g. Yunnan: paid to the institution, which pays the trainee
    note: str = ""


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    citation: str
    effect: str = "refuse"


@dataclass
class Decision:
    province: str
    on: date
    eligible: bool
    items: list[Item]
    reasons: list[Reason]
    trace: list[dict] = field(default_factory=list)
    reference_dates: dict = field(default_factory=dict)

    @property
    def total_fen(self) -> int:
        return sum(item.amount_fen for item in self.items)

    def to_dict(self) -> dict:
        return {
            "province": self.province,
            "on": self.on.isoformat(),
            "eligible": self.eligible,
            "items": [_compact(_flat(item)) for item in self.items],
            "total_fen": self.total_fen,
            "reasons": [_flat(reason) for reason in self.reasons],
            "reference_dates": {k: v.isoformat() if v else None for k, v in self.reference_dates.items()},
            "trace": self.trace,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, default=str)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _flat(obj) -> dict:
    """`dataclasses.asdict` for Item and Reason, whose fields are all plain values (str, int, None):
    the same dict without asdict's recursive deep copy, which cost more than deciding the case
    (issue 10: 100,000 trainees' claims)."""
    names = _FIELDS.get(type(obj))
    if names is None:
        names = _FIELDS[type(obj)] = tuple(f.name for f in fields(obj))
    return {name: getattr(obj, name) for name in names}


def _compact(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "")}


# --- loading -------------------------------------------------------------------


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"{where}: '{value}' 不是 ISO 日期 (YYYY-MM-DD)") from None


def parameters_from_mapping(data: dict, source: str, default_source: str = "document") -> ParameterSet:
    """Build a ParameterSet from the `parameters:` mapping of a pack file."""
    parameters: dict[str, Parameter] = {}
    for name, spec in (data or {}).items():
        if not isinstance(spec, dict) or "values" not in spec:
            raise ParameterError(f"{source}: parameter {name} needs a 'values' list")
        values = []
        for i, raw in enumerate(spec["values"] or []):
            where = f"{source}: {name}.values[{i}]"
            if "value" not in raw or not raw.get("citation"):
                raise ParameterError(f"{where} needs 'value' and 'citation'")
            source = raw.get("source", default_source)
            if source not in SOURCES:
                raise ParameterError(f"{where}: source must be one of {', '.join(SOURCES)}")
            values.append(
                DatedValue(
                    value=raw["value"],
                    effective_from=_as_date(raw.get("effective_from"), where),
                    citation=str(raw["citation"]),
                    published=_as_date(raw["published"], where) if raw.get("published") else None,
                    note=str(raw.get("note", "")),
                    source=source,
                )
            )
        parameters[name] = Parameter(name, spec.get("description", ""), spec.get("unit", ""), values)
    return ParameterSet(parameters)


def load_parameter_file(path: Path, default_source: str = "document") -> ParameterSet:
    with open(path, encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=_YamlLoader) or {}
    return parameters_from_mapping(data.get("parameters", {}), path.name, default_source)


def parse_overrides(data: Any) -> dict[str, DatedValue]:
    """What-if values: `{name: value}` or `{name: {value, effective_from, citation}}`,
    optionally wrapped in `{"parameters": {...}}`. Each becomes one more dated value;
    without effective_from it applies on top of the whole history."""
    if isinstance(data, dict) and isinstance(data.get("parameters"), dict):
        data = data["parameters"]
    if not isinstance(data, dict):
        raise ParameterError("参数文件必须是 {参数名: 值} 的映射 (parameter file must be a mapping)")
    overrides = {}
    for name, spec in data.items():
        if isinstance(spec, dict) and "value" in spec:
            where = f"parameters.{name}"
            overrides[name] = DatedValue(
                value=spec["value"],
                effective_from=_as_date(spec["effective_from"], where) if spec.get("effective_from") else None,
                citation=str(spec.get("citation") or OVERRIDE_CITATION),
                published=_as_date(spec["published"], where) if spec.get("published") else None,
                note=str(spec.get("note", "what-if")),
            )
        else:
            overrides[name] = DatedValue(spec, None, OVERRIDE_CITATION, None, "what-if")
    return overrides


def load_overrides_file(path: str | Path) -> dict[str, DatedValue]:
    """Read a YAML or JSON what-if file (JSON is valid YAML)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_YamlLoader)
    except OSError as exc:
        raise ParameterError(f"无法读取参数文件 {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"参数文件 {path} 不是合法的 YAML/JSON: {exc}") from None
    return parse_overrides(data)


def describe(parameter_set: ParameterSet) -> Iterable[dict]:
    """Every parameter with its full history, for `explain`, the API and the web page."""
    for name in parameter_set.names():
        p = parameter_set.parameters[name]
        yield {
            "name": name,
            "description": p.description,
            "unit": p.unit,
            "history": [
                {
                    "value": v.value,
                    "effective_from": v.effective_from.isoformat(),
                    "published": v.published.isoformat() if v.published else None,
                    "citation": v.citation,
                    "note": v.note,
                    "source": v.source,
                }
                for v in p.values
            ],
        }
