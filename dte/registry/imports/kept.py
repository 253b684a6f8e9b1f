"""The validation's result, kept for the commit (issue 12 item 1): every row whose own checks passed,
parsed, and each new-person eligibility decision the validation quoted, in a file beside the upload in
the default storage (encrypted at rest, like the upload), removed once the commit is done."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from datetime import date

from django.core.files import File

from .. import rules
from ..models import RosterImport
from .reading import RowResult


def kept_name(roster: RosterImport) -> str:
    """Where the validation keeps its parsed rows (the default storage: encrypted at rest, like the upload)."""
    return f"registry/imports/kept/roster-{roster.pk}.tsv"


def kept_names_before(roster: RosterImport) -> list[str]:
    """Where earlier versions kept the result in another format (a CSV): never read now — the commit
    validates the source again — only removed with the kept result."""
    return [f"registry/imports/kept/roster-{roster.pk}.csv"]


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


TABS = {"D": 4, "R": 10}  # tabs in each kind of line


class KeptRows:
    """Writes the rows whose own checks passed ("R" lines) and each new-person eligibility decision the
    validation quoted ("D" lines, before the first row that needs it) to a spooled file, then stores it.

    Tab-separated lines, no quoting (issue 12 item 1: a third of the cost of the csv module's): no field of a
    kept row can hold a tab or a line break — a row with a control character fails its own checks, the other
    fields are digits, codes, dates and hex — and JSON writes both escaped. Each block written is counted
    against that, so a field that broke it would stop the validation rather than shift the columns."""

    BLOCK = 5000  # lines written at a time

    def __init__(self, eligibility: rules.RosterEligibility | None):
        self.eligibility = eligibility
        self.spool = tempfile.TemporaryFile()
        self.lines: list[str] = []
        self.tabs = 0

    def add(self, r: RowResult) -> None:
        lines = self.lines
        if self.eligibility is not None and self.eligibility.fresh:
            for key in self.eligibility.fresh:
                status, graduation, birth = key
                decision = self.eligibility.decisions.get(key)
                if decision is not None:
                    lines.append(f"D\t{status}\t{_iso(graduation)}\t{_iso(birth)}\t{json.dumps(decision, ensure_ascii=False)}")
                    self.tabs += TABS["D"]
            self.eligibility.fresh.clear()
        d = r.data
        graduation = d["graduation_date"]
        lines.append(f"R\t{r.line}\t{d['name']}\t{d['id_number']}\t{d['phone']}\t{d['division']}\t{d['status']}\t"
                     f"{_iso(graduation)}\t{d['birth_date'].isoformat()}\t{d['gender']}\t"
                     f"{d['id_index']}")
        self.tabs += TABS["R"]
        if len(lines) >= self.BLOCK:
            self._flush()

    def _flush(self) -> None:
        if not self.lines:
            return
        block = "\n".join(self.lines) + "\n"
        if block.count("\n") != len(self.lines) or block.count("\t") != self.tabs:
            raise ValueError("a kept field holds a tab or a line break")
        self.spool.write(block.encode("utf-8"))
        self.lines, self.tabs = [], 0

    def save(self, storage, name: str) -> None:
        self._flush()
        self.spool.seek(0)
        if storage.exists(name):
            storage.delete(name)
        storage.save(name, File(self.spool))
        self.spool.close()

    def discard(self) -> None:
        self.spool.close()


def kept_rows(handle, eligibility: rules.RosterEligibility | None) -> Iterator[RowResult]:
    """The kept rows again as RowResults (parsed, own checks passed), seeding the kept decisions; equal
    decisions (most rows of a roster share one) become one object, which the commit writes as JSON once."""
    same: dict[str, dict] = {}
    for line in io.TextIOWrapper(handle, encoding="utf-8", newline="\n"):
        record = line.rstrip("\n").split("\t")
        if record[0] == "D":
            if eligibility is not None:
                text = record[4]
                decision = same.get(text)
                if decision is None:
                    decision = same[text] = json.loads(text)
                eligibility.decisions[(record[1], _day(record[2]), _day(record[3]))] = decision
            continue
        (line_number, name, id_number, phone, division, status, graduation, birth, gender, id_index) = record[1:]
        yield RowResult(int(line_number), [], data={
            "name": name, "id_number": id_number, "phone": phone, "division": division, "status": status,
            "graduation_date": _day(graduation), "birth_date": _day(birth), "gender": gender, "id_index": id_index,
        }, parsed_ok=True)
