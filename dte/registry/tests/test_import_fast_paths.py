"""Issue 12 item 1, the second round of speed work: every fast path gives what its general path gives.

- bulk_write builds COPY text itself (not psycopg's write_row): values with characters COPY escapes,
  JSON with quotes, backslashes and non-ASCII, NULLs, dates and choices come back as written;
- the foreign keys checked per statement during the import are deferred again afterwards;
- the streamed result sheet's fast path (no per-cell escaping test) and the result sheet's formula check
  read back as openpyxl's own workbook of the same rows through safe_row;
- the kept result (tab-separated) refuses a field that would shift its columns.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from openpyxl import Workbook, load_workbook

from dte.privacy.spreadsheet import safe_row
from dte.registry import bulk_write
from dte.registry.import_files import ResultSheet
from dte.registry.imports.kept import KeptRows
from dte.registry.imports.reading import RowResult
from dte.registry.models import Enrolment, Person
from dte.registry.xlsx_stream import ILLEGAL, StreamingXlsx

from .factories import PersonFactory, TrainingClassFactory, id_index_of, id_number

pytestmark = pytest.mark.django_db
ODD_TEXTS = ["back\\slash", "tab\tinside", "new\nline", "carriage\rreturn", "\\N", "李四", "", "x" * 60, "quote\"'"]


def test_rows_insert_writes_every_value_back_as_given():
    klass = TrainingClassFactory()
    organisation = klass.institution
    names = ODD_TEXTS[:-1] + ["end"]
    numbers = [id_number() for _ in names]
    rows = [(name, number, id_index_of(number), f"139{i:08d}", f"p{i}", date(2001, 5, i + 1), "F",
             "140105", Person.Status.GRADUATE, None if i % 2 else date(2024, 6, 30), organisation.pk)
            for i, (name, number) in enumerate(zip(names, numbers))]
    columns = ["name", "id_number", "id_index", "phone", "phone_index", "birth_date", "gender", "division_id",
               "employment_status", "graduation_date", "registered_by_id"]
    PersonFactory()  # the division row
    with transaction.atomic():
        ids = bulk_write.rows_insert(Person, columns, rows, want_ids=True)
        decision = {"eligible": True, "reasons": [{"message": "引号\"、反斜杠\\、换行\n和制表\t"}], "later": []}
        bulk_write.rows_insert(Enrolment, ["training_class_id", "person_id", "source", "status", "eligible", "eligibility"],
                               [(klass.pk, pk, Enrolment.Source.IMPORT, Enrolment.Status.ENROLLED, i % 2 == 0,
                                 decision if i % 3 else {}) for i, pk in enumerate(ids)])
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    for pk, row in zip(ids, rows):
        p = people[pk]
        assert (p.name, p.id_number, p.id_index, p.phone, p.phone_index, p.birth_date, p.gender, p.division_id,
                p.employment_status, p.graduation_date, p.registered_by_id) == row
    with connection.cursor() as cursor:  # sealed at rest, not written as given
        cursor.execute(f"SELECT id_number FROM {Person._meta.db_table} WHERE id = %s", [ids[0]])
        assert cursor.fetchone()[0] != numbers[0]
    enrolments = {e.person_id: e for e in Enrolment.objects.filter(training_class=klass)}
    for i, pk in enumerate(ids):
        e = enrolments[pk]
        assert (e.source, e.status, e.eligible, e.eligibility) == (
            Enrolment.Source.IMPORT, Enrolment.Status.ENROLLED, i % 2 == 0, decision if i % 3 else {})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SET CONSTRAINTS: PostgreSQL only")
def test_foreign_keys_are_checked_per_statement_inside_the_block_and_deferred_after():
    klass = TrainingClassFactory()
    insert = (f"INSERT INTO {Enrolment._meta.db_table} (training_class_id, person_id, source, status, eligibility, "
              "enrolled_at) VALUES (%s, 987654321, 'import', 'enrolled', '{}', now())")
    with transaction.atomic():
        with bulk_write.foreign_keys_checked_per_statement(Person, Enrolment):
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(insert, [klass.pk])  # refused at once: no such person
        # a failure inside the block (an import rolled back to its savepoint) leaves them deferred as well
        with pytest.raises(RuntimeError), transaction.atomic(), \
                bulk_write.foreign_keys_checked_per_statement(Person, Enrolment):
            raise RuntimeError("the import failed")
        with connection.cursor() as cursor:
            cursor.execute(insert, [klass.pk])  # deferred again: accepted until the constraints are checked
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)


def _read(content: bytes) -> list[list]:
    """The cells as openpyxl reads them, trailing empty cells left out (openpyxl pads a row to the width of
    the sheet's declared dimension, which the streamed sheet does not declare)."""
    rows = []
    for row in load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    return rows


def _random_rows(count: int) -> list[list]:
    rng = random.Random(12)
    pieces = ["a", "李", " ", "\t", "&", "<b>", "=", "+1", "-", "@x", "a\x01b", "\n", "'", "\u3000"]
    rows = []
    for _ in range(count):
        row = []
        for _column in range(7):
            kind = rng.random()
            if kind < 0.6:
                row.append("".join(rng.choice(pieces) for _ in range(rng.randrange(0, 4))))
            elif kind < 0.7:
                row.append(None)
            elif kind < 0.8:
                row.append(datetime(2024, 6, rng.randrange(1, 30)))
            elif kind < 0.9:
                row.append(rng.randrange(10**11))
            else:
                row.append("学员" + str(rng.randrange(1000)))
        rows.append(row)
    return rows


def test_result_sheet_fast_paths_read_back_as_openpyxl_writes_the_same_rows():
    rows = _random_rows(400) + [["张三", "11010519900307001X", "13800138000", "140105", "毕业生", "2024-06-30", "通过"]]
    ours = ResultSheet(as_csv=False)
    for row in rows:
        ours.append(row)
    content = ours.finish().read()
    theirs = Workbook(write_only=True)
    sheet = theirs.create_sheet("校验结果")
    for row in rows:
        # what the slow path always did: formula-safe, characters XML cannot carry dropped
        sheet.append([ILLEGAL.sub("", v) if isinstance(v, str) else v for v in safe_row(row)])
    buffer = io.BytesIO()
    theirs.save(buffer)
    assert _read(content) == _read(buffer.getvalue())


def test_streamed_sheet_keeps_whitespace_at_the_ends_of_a_text():
    buffer = io.BytesIO()
    stream = StreamingXlsx(buffer)
    stream.append([" lead", "tail ", "\u3000全角", "in side"])
    stream.close()
    assert _read(buffer.getvalue()) == [[" lead", "tail ", "\u3000全角", "in side"]]


def test_kept_rows_refuse_a_field_that_would_shift_the_columns():
    kept = KeptRows(None)
    data = {"name": "王一", "id_number": "11010519900307001X", "phone": "13800138000", "division": "140105",
            "status": "graduate", "graduation_date": None, "birth_date": date(1990, 3, 7), "gender": "F",
            "id_index": "ab"}
    kept.add(RowResult(2, [], data=dict(data)))
    kept.add(RowResult(3, [], data={**data, "name": "王\t二"}))
    with pytest.raises(ValueError):
        kept._flush()
    kept.discard()
