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


def _copy(model, attnames: list[str], rows: list[tuple], want_ids: bool) -> list[int] | None:
    """COPY in text format, the data built a column at a time (issue 12 item 1): each column's values are
    turned into COPY text by one comprehension for the column's types (a constant once), and the rows
    joined from the columns; psycopg's write_row, which dumps every value through its adapter, cost more
    than the rest of the commit's Python together."""
    meta = model._meta
    now = timezone.now()
    given = {name: position for position, name in enumerate(attnames)}
    quote = connection.ops.quote_name
    n = len(rows)
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor  # the psycopg cursor under Django's wrapper
        columns, texts = [], []  # the columns written, and each one's COPY text per row
        if want_ids:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, meta.pk.column, n])
            ids = [value for (value,) in cursor.fetchall()]
            columns.append(meta.pk.column)
            texts.append([str(value) for value in ids])
        else:
            ids = None
        for field in meta.concrete_fields:
            if field.primary_key and field.attname not in given:
                continue  # from the sequence above, or the column's default
            columns.append(field.column)
            if field.attname in given:
                values = [row[given[field.attname]] for row in rows]
                if isinstance(field, EncryptedTextField):
                    # sealed a column at a time (crypto.encrypt_many: key and nonces fetched once), exactly
                    # what EncryptedTextField.get_prep_value does per value, without the layers
                    wanted = [number for number, value in enumerate(values) if value not in (None, "")]
                    tokens = crypto.encrypt_many([str(values[number]) for number in wanted], field.purpose)
                    for number, token in zip(wanted, tokens):
                        values[number] = token
                    texts.append(_column_text(values))
                elif isinstance(field, JSONField):
                    texts.append(_json_text(values, field.encoder))
                else:
                    texts.append(_column_text(values))
            else:
                if isinstance(field, DateField) and (getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)):
                    default = now
                else:
                    default = field.get_default()
                    if isinstance(field, EncryptedTextField) and default not in (None, ""):
                        default = field.get_db_prep_save(default, connection)
                    elif isinstance(field, JSONField) and default is not None:
                        default = json.dumps(default, cls=field.encoder)
                texts.append([_copy_text(default)] * n)
        data = ("\n".join(map("\t".join, zip(*texts))) + "\n").encode()
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            copy.write(data)
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


def _json_text(values: list, encoder) -> list[str]:
    """JSON values as COPY text, each distinct value object encoded once (rows often share one decision);
    non-ASCII characters as themselves, not \\u escapes (the same jsonb value, nothing to escape for COPY)."""
    texts: dict[int, str] = {}
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
