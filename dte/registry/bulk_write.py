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
    meta = model._meta
    now = timezone.now()
    given = {name: position for position, name in enumerate(attnames)}
    columns, template = [], []  # the row as written, constants filled in once
    placed, sealed, as_json = [], [], []  # (column, position in the given row[, field])
    for field in meta.concrete_fields:
        if field.primary_key and field.attname not in given:
            continue  # from the sequence below, or the column's default
        column = len(columns)
        columns.append(field.column)
        if field.attname in given:
            template.append(None)
            if isinstance(field, EncryptedTextField):
                sealed.append((column, given[field.attname], field))
            elif isinstance(field, JSONField):
                as_json.append((column, given[field.attname], field.encoder))
            else:
                placed.append((column, given[field.attname]))
        elif isinstance(field, DateField) and (getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)):
            template.append(now)
        else:
            default = field.get_default()
            if isinstance(field, EncryptedTextField) and default not in (None, ""):
                default = field.get_db_prep_save(default, connection)
            elif isinstance(field, JSONField) and default is not None:
                default = json.dumps(default, cls=field.encoder)
            template.append(default)
    quote = connection.ops.quote_name
    ids = None
    texts: dict[int, str] = {}  # JSON text per value object: rows often share one decision
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor  # the psycopg cursor under Django's wrapper
        if want_ids:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, meta.pk.column, len(rows)])
            ids = [value for (value,) in cursor.fetchall()]
            columns.insert(0, meta.pk.column)
            template.insert(0, None)
            placed = [(column + 1, position) for column, position in placed]
            sealed = [(column + 1, position, field) for column, position, field in sealed]
            as_json = [(column + 1, position, encoder) for column, position, encoder in as_json]
        # the encrypted columns sealed a column at a time (crypto.encrypt_many: key and nonces fetched once),
        # exactly what EncryptedTextField.get_prep_value does per value, without the layers
        sealed_values = []
        for column, position, field in sealed:
            values = [row[position] for row in rows]
            wanted = [number for number, value in enumerate(values) if value not in (None, "")]
            tokens = crypto.encrypt_many([str(values[number]) for number in wanted], field.purpose)
            for number, token in zip(wanted, tokens):
                values[number] = token
            sealed_values.append((column, values))
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            write = copy.write_row
            for number, row in enumerate(rows):
                out = template.copy()
                if ids is not None:
                    out[0] = ids[number]
                for column, position in placed:
                    out[column] = row[position]
                for column, values in sealed_values:
                    out[column] = values[number]
                for column, position, encoder in as_json:
                    value = row[position]
                    if value is not None:
                        key = id(value)
                        if key not in texts:
                            texts[key] = json.dumps(value, cls=encoder)
                        value = texts[key]
                    out[column] = value
                write(out)
    return ids
