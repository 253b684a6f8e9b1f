"""The validation's result, kept for the commit (issue 12 item 1): every row whose own checks passed,
parsed, and each new-person eligibility decision the validation quoted, in a file beside the upload in
the default storage (encrypted at rest, like the upload), removed once the commit is done."""

from __future__ import annotations

import csv
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
    return f"registry/imports/kept/roster-{roster.pk}.csv"


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


KEPT_FIELDS = ("name", "id_number", "phone", "division", "status", "graduation_date", "birth_date", "gender", "id_index")


class KeptRows:
    """Writes the rows whose own checks passed ("R" lines) and each new-person eligibility decision the
    validation quoted ("D" lines, before the first row that needs it) to a spooled CSV, then stores it."""

    def __init__(self, eligibility: rules.RosterEligibility | None):
        self.eligibility = eligibility
        self.spool = tempfile.TemporaryFile()
        self.text = io.TextIOWrapper(self.spool, encoding="utf-8", newline="")
        self.writer = csv.writer(self.text)

    def add(self, r: RowResult) -> None:
        if self.eligibility is not None and self.eligibility.fresh:
            for key in self.eligibility.fresh:
                status, graduation, birth = key
                decision = self.eligibility.decisions.get(key)
                if decision is not None:
                    self.writer.writerow(["D", status, _iso(graduation), _iso(birth), json.dumps(decision, ensure_ascii=False)])
            self.eligibility.fresh.clear()
        d = r.data
        self.writer.writerow(["R", r.line, d["name"], d["id_number"], d["phone"], d["division"], d["status"],
                              _iso(d["graduation_date"]), _iso(d["birth_date"]), d["gender"], d["id_index"]])

    def save(self, storage, name: str) -> None:
        self.text.flush()
        self.spool.seek(0)
        if storage.exists(name):
            storage.delete(name)
        storage.save(name, File(self.spool))
        self.text.close()

    def discard(self) -> None:
        self.text.close()


def kept_rows(handle, eligibility: rules.RosterEligibility | None) -> Iterator[RowResult]:
    """The kept rows again as RowResults (parsed, own checks passed), seeding the kept decisions."""
    for record in csv.reader(io.TextIOWrapper(handle, encoding="utf-8", newline="")):
        if record[0] == "D":
            if eligibility is not None:
                eligibility.decisions[(record[1], _day(record[2]), _day(record[3]))] = json.loads(record[4])
            continue
        (line, name, id_number, phone, division, status, graduation, birth, gender, id_index) = record[1:]
        yield RowResult(int(line), [], data={
            "name": name, "id_number": id_number, "phone": phone, "division": division, "status": status,
            "graduation_date": _day(graduation), "birth_date": _day(birth), "gender": gender, "id_index": id_index,
        }, parsed_ok=True)
