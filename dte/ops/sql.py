"""Filters over many ids sent as ONE array parameter on PostgreSQL (the subsidy claims' facts, the roster
import's lookup of people by blind index): psycopg adapts a list element by element, and binding tens of
thousands of ids one by one costs more than the query. Elsewhere (SQLite) a plain IN list."""

from __future__ import annotations

from django.db import connection
from django.db.models.expressions import RawSQL

ARRAY_TYPES = ("bigint", "varchar")


def id_array(ids) -> str:
    """Integer ids as one PostgreSQL array literal for a `%s::bigint[]` parameter."""
    return "{" + ",".join([str(int(i)) for i in ids]) + "}"


def _text_array(values) -> str:
    """Strings as one array literal: each element double-quoted, its backslashes and quotes escaped (the
    PostgreSQL array input syntax, "Array Value Input"), so no value can end the literal early."""
    return "{" + ",".join(['"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values]) + "}"


def ids_in(field: str, ids, *, of: str = "bigint") -> dict:
    """Keyword arguments for filter(): `field IN ids`, on PostgreSQL as `IN (SELECT unnest(<one array>))`.
    `of` is the array's element type: bigint (primary and foreign keys) or varchar (e.g. blind indexes)."""
    if of not in ARRAY_TYPES:
        raise ValueError(f"ids_in: element type must be one of {', '.join(ARRAY_TYPES)}, not {of!r}")
    ids = list(ids)
    if connection.vendor == "postgresql":
        literal = id_array(ids) if of == "bigint" else _text_array(ids)
        return {f"{field}__in": RawSQL(f"SELECT unnest(%s::{of}[])", [literal])}
    return {f"{field}__in": ids}
