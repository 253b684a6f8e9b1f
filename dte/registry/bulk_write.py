"""Writing many rows at once inside the caller's transaction (roster imports, issue 12 item 1).

On PostgreSQL rows go in with COPY (psycopg 3's `cursor.copy`), several times faster than INSERT;
primary keys are taken from the table's sequence first, so the caller knows them without RETURNING.
Elsewhere (SQLite) Django's bulk_create. Values are given per field *attname* as Python values;
encrypted fields (dte.privacy.fields) are sealed here through the field itself, so the rows are
encrypted at rest on both paths. Fields not given get their model default, `auto_now_add` the time
of the call. Database errors (e.g. a unique blind index taken by a concurrent import) come out as
Django's IntegrityError on both paths.
"""

from __future__ import annotations

import contextlib
import json
import re
from enum import Enum
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from django.db import connection
from django.db.models import JSONField
from django.db.models.fields import DateField
from django.utils import timezone

from dte.privacy import crypto
from dte.privacy.fields import EncryptedTextField


def copy_supported() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def foreign_keys_checked_per_statement(*models):
    """The tables' deferred foreign keys checked as each statement ends inside the block, not all at COMMIT
    (PostgreSQL SET CONSTRAINTS; elsewhere nothing): the same checks, done while the next part of a COPY is
    still being built rather than after the last one, when the writer has nothing left to do but wait
    (issue 12 item 1). Deferred again after the block; a failure rolls the setting back with the work."""
    if not copy_supported():
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype = 'f' "
                       "AND condeferrable AND condeferred ORDER BY conname", [[m._meta.db_table for m in models]])
        names = ", ".join(quote(name) for (name,) in cursor.fetchall())
        if names:
            cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
    yield
    if names:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")


def rows_insert(model, attnames: list[str], rows: list[tuple], *, want_ids: bool = False) -> list[int] | None:
    """Insert `rows` (tuples in the order of `attnames`); returns their primary keys if `want_ids`."""
    if not rows:
        return [] if want_ids else None
    if copy_supported():
        return _copy(model, attnames, rows, want_ids)
    objs = [model(**dict(zip(attnames, row))) for row in rows]
    model.objects.bulk_create(objs, batch_size=2000)
    if want_ids:
        return [obj.pk for obj in objs]
    return None


STREAM = 1000  # rows built and sent at a time inside one COPY


def _copy(model, attnames: list[str], rows: list[tuple], want_ids: bool) -> list[int] | None:
    """COPY in text format, built column by column (issue 12 item 1): each column's values are turned into
    COPY text by one comprehension for the column's types (a constant once) and the rows joined from the
    columns — psycopg's write_row, which dumps every value through its adapter, cost more than the rest of
    the commit's Python together. The rows are built and sent STREAM at a time, so the server inserts one
    part while the next is encrypted and formatted here."""
    meta = model._meta
    now = timezone.now()
    given = {name: position for position, name in enumerate(attnames)}
    quote = connection.ops.quote_name
    columns, plan = [], []  # the columns written, and how each one's text is made: (kind, position or text, field)
    for field in meta.concrete_fields:
        if field.primary_key and field.attname not in given:
            continue  # from the sequence below, or the column's default
        columns.append(field.column)
        if field.attname in given:
            kind = "sealed" if isinstance(field, EncryptedTextField) else "json" if isinstance(field, JSONField) else "value"
            plan.append((kind, given[field.attname], field))
            continue
        if isinstance(field, DateField) and (getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)):
            default = now
        else:
            default = field.get_default()
            if isinstance(field, EncryptedTextField) and default not in (None, ""):
                default = field.get_db_prep_save(default, connection)
            elif isinstance(field, JSONField) and default is not None:
                default = json.dumps(default, cls=field.encoder)
        plan.append(("constant", _copy_text(default), field))
    json_texts: dict[int, str] = {}  # JSON text per value object, across the parts
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor  # the psycopg cursor under Django's wrapper
        ids = None
        if want_ids:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, meta.pk.column, len(rows)])
            ids = [value for (value,) in cursor.fetchall()]
            columns.insert(0, meta.pk.column)
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for start in range(0, len(rows), STREAM):
                part = rows[start:start + STREAM]
                texts = [[str(value) for value in ids[start:start + STREAM]]] if ids is not None else []
                for kind, position, field in plan:
                    if kind == "constant":
                        texts.append([position] * len(part))
                        continue
                    values = [row[position] for row in part]
                    if kind == "sealed":
                        # sealed a column at a time (crypto.encrypt_many: key and nonces fetched once), exactly
                        # what EncryptedTextField.get_prep_value does per value, without the layers
                        wanted = [number for number, value in enumerate(values) if value not in (None, "")]
                        tokens = crypto.encrypt_many([str(values[number]) for number in wanted], field.purpose)
                        for number, token in zip(wanted, tokens):
                            values[number] = token
                    texts.append(_json_text(values, field.encoder, json_texts) if kind == "json" else _column_text(values))
                copy.write(("\n".join(map("\t".join, zip(*texts))) + "\n").encode())
    return ids


# COPY's text format (PostgreSQL manual, COPY, "Text Format"): NULL is \N; a backslash, newline, carriage
# return or tab inside a value is written as \\, \n, \r, \t.
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_SPECIAL = re.compile("[\\\\\n\r\t]")


def _escape(text: str) -> str:
    return text.translate(_ESCAPES) if _SPECIAL.search(text) else text


def _copy_text(value) -> str:
    """One value as COPY text: what psycopg's text dumpers write for these types."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return _escape(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is float or kind is Decimal:
        return str(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, Enum):  # Django's TextChoices/IntegerChoices members
        return _copy_text(value.value)
    if isinstance(value, str):
        return _escape(str.__str__(value))
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"bulk_write: no COPY text for {kind.__name__}")


def _column_text(values: list) -> list[str]:
    """A column's values as COPY text: a column of text without any character to escape (checked in one
    search over the whole column) goes as it is; anything else value by value, each distinct value
    turned into text once (a column holds few distinct dates, flags and choices)."""
    kinds = set(map(type, values))
    if kinds == {str} and not _SPECIAL.search("".join(values)):
        return values
    if kinds & {int, float, Decimal}:  # 1 == 1.0 == True: no memo across such values
        return [_copy_text(value) for value in values]
    memo: dict = {}
    return [memo[value] if value in memo else memo.setdefault(value, _copy_text(value)) for value in values]


def _json_text(values: list, encoder, texts: dict[int, str]) -> list[str]:
    """JSON values as COPY text, each distinct value object encoded once (rows often share one decision);
    non-ASCII characters as themselves, not \\u escapes (the same jsonb value, nothing to escape for COPY)."""
    out = []
    for value in values:
        if value is None:
            out.append("\\N")
            continue
        key = id(value)
        if key not in texts:
            texts[key] = _escape(json.dumps(value, cls=encoder, ensure_ascii=False))
        out.append(texts[key])
    return out
