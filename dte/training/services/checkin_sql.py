"""The check-in hot path's two round trips, as SQL built once per database connection (issue 12, item 2:
≥ 1,000 accepted check-ins/s over HTTP). The profile showed Django building the ORM queries costing
more than PostgreSQL running them, so the statements are composed here from the models' own metadata
(tables, columns, field conversions) and only the parameters change per check-in.

- `own_session_and_enrolment`: ONE SELECT — the session with its venue and the caller's enrolment in the
  session's class. For trainees only: their scope on Enrolment (Enrolment.access_scope.owner =
  person__user_id, dte/organisations/scoping.py) is exactly the "own enrolment" condition the query already
  has, so it is the same rows as `scoped(user, …)`; every other role goes through the ORM and `scoped`.
- `record_accepted` (PostgreSQL): ONE statement in the caller's transaction — insert the attendance row
  (ON CONFLICT of attendance_once_per_session: already checked in), the attempt row (the evidence, accepted
  or refused as a duplicate), add the trainee to the session's device/IP counts (CheckInCount, upsert) and
  raise the shared-device/IP flag when a count reaches its threshold. Tests compare it with the portable
  ORM path in attendance.py on the same data.

On PostgreSQL both statements are sent with server-side parameters and prepared once per database connection
(psycopg's prepared-statement cache on Django's connection): PostgreSQL then parses and plans them once instead
of on every check-in, which was about half of its CPU per check-in. Django's own cursors bind on the client and
never prepare, so nothing else changes. Behind a pooler that cannot keep prepared statements (PgBouncer in
transaction mode before 1.21), set DTE_CHECKIN_PREPARED = False: the same statements then go through Django's
cursor as before.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.db import connections, models

from dte.registry.models import Enrolment, Person

from ..models import Attendance, AttendanceFlag, CheckInAttempt, CheckInCount, Session, Venue

class VenueFence(NamedTuple):
    """A venue's fence as the checks read it (dte/training/checks.py): a Venue's attributes of the same names."""

    id: int
    lat: float | None
    lon: float | None
    radius_m: int | None
    polygon: list | None
    max_accuracy_m: int
    uses_rotating_qr: bool


class SessionFacts(NamedTuple):
    """What a check-in reads of its session (a Session's attributes of the same names, `venue` a VenueFence), built
    from one row without a model instance: two fewer instances and their init signals per check-in."""

    id: int
    training_class_id: int
    starts_at: datetime
    ends_at: datetime
    delivery: str
    venue_id: int | None
    early_open_minutes: int
    late_after_minutes: int
    qr_secret: str
    venue: VenueFence | None

    @property
    def pk(self) -> int:
        return self.id


# the columns read, in the tuples' order (a row fills them by position)
SESSION_FIELDS = SessionFacts._fields[:-1]  # all but `venue`
VENUE_FIELDS = VenueFence._fields
ALREADY = "本次课已签到"  # stored with the attempt (and written by SQL): one language, not a bilingual literal


def _converters(connection, model, names, alias):
    """Per column, the conversions Django's compiler would apply to it (e.g. JSON, SQLite datetimes)."""
    out = []
    for name in names:
        field = model._meta.get_field(name)  # an attname (venue_id) finds its field too
        col = field.get_col(alias)
        out.append(tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


@lru_cache(maxsize=8)
def _lookup_plan(alias: str):
    connection = connections[alias]
    q = connection.ops.quote_name
    s_cols = [Session._meta.get_field(n).column for n in SESSION_FIELDS]
    v_cols = [Venue._meta.get_field(n).column for n in VENUE_FIELDS]
    enrolment, person = Enrolment._meta, Person._meta
    sql = (
        f"SELECT {', '.join('s.' + q(c) for c in s_cols)}, {', '.join('v.' + q(c) for c in v_cols)}, "
        f"(SELECT e.{q(enrolment.pk.column)} FROM {q(enrolment.db_table)} e INNER JOIN {q(person.db_table)} p "
        f"ON p.{q(person.pk.column)} = e.{q(enrolment.get_field('person').column)} "
        f"WHERE e.{q(enrolment.get_field('training_class').column)} = s.{q(Session._meta.get_field('training_class').column)} "
        f"AND p.{q(person.get_field('user').column)} = %s AND e.{q(enrolment.get_field('status').column)} = %s LIMIT 1) "
        f"FROM {q(Session._meta.db_table)} s LEFT OUTER JOIN {q(Venue._meta.db_table)} v "
        f"ON v.{q(Venue._meta.pk.column)} = s.{q(Session._meta.get_field('venue').column)} "
        f"WHERE s.{q(Session._meta.pk.column)} = %s"
    )
    return sql, _converters(connection, Session, SESSION_FIELDS, "s"), _converters(connection, Venue, VENUE_FIELDS, "v")


def _convert(values, converters, connection):
    out = []
    for value, funcs in zip(values, converters):
        for func in funcs:
            value = func(value, None, connection)
        out.append(value)
    return out


PREPARE_THRESHOLD = 5  # psycopg's default, for server-side-binding cursors only (Django's own bind on the client)


def _prepared(connection) -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "DTE_CHECKIN_PREPARED", True)


def _fetchone(connection, sql: str, params: list | dict):
    """One row of `sql`: on PostgreSQL a prepared statement of this connection (see the module's docstring)."""
    if not _prepared(connection):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()  # as Django's cursor does before each statement
    cursor = _kept_cursor(connection)
    with connection.wrap_database_errors:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()


def _kept_cursor(connection):
    """A server-side-binding cursor kept with the database connection it was opened on (Django's connections are
    per thread): its result loaders are made once, not on every check-in. A new connection gets a new cursor."""
    import psycopg

    raw = connection.connection
    kept = getattr(connection, "_dte_checkin_cursor", None)
    if kept is None or kept.connection is not raw or kept.closed:
        if raw.prepare_threshold is None:  # Django's default (poolers): affects only server-side-binding cursors
            raw.prepare_threshold = PREPARE_THRESHOLD
        kept = connection._dte_checkin_cursor = psycopg.Cursor(raw)
    return kept


def own_session_and_enrolment(session_id: int, user_id: int, alias: str = "default") -> tuple[SessionFacts | None, int | None]:
    """(the session with its venue, or None; the trainee's enrolled enrolment id in its class, or None)."""
    connection = connections[alias]
    sql, s_conv, v_conv = _lookup_plan(alias)
    row = _fetchone(connection, sql, [user_id, Enrolment.Status.ENROLLED, session_id])
    if row is None:
        return None, None
    n = len(SESSION_FIELDS)
    venue_values = row[n:n + len(VENUE_FIELDS)]
    venue = None if venue_values[0] is None else VenueFence(*_convert(venue_values, v_conv, connection))
    return SessionFacts(*_convert(row[:n], s_conv, connection), venue), row[-1]


def _columns(model, exclude=()):
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in exclude]


# Fields whose get_db_prep_save returns a value of exactly these types unchanged (int(), float(), str() of it):
# their values are sent as they are, skipping ~1 µs of Django per field and check-in. Any other type or field
# (an IntegerField, which the PostgreSQL backend wraps as Int4; datetimes, IP addresses, an int in a float
# column) still goes through the field. test_checkin_sql_values.py compares both on each database.
_UNCHANGED = ((models.ForeignKey, (int,)), (models.FloatField, (float,)), (models.CharField, (str,)))


@lru_cache(maxsize=8)
def _preparers(model, exclude=()) -> tuple:
    return tuple((f.attname, f, next((types for kind, types in _UNCHANGED if isinstance(f, kind)), ()))
                 for f in _columns(model, exclude))


def _values(model, row: dict, exclude, connection) -> dict:
    """The values of a `model` row given as {attname: value} (a field left out: its default), as
    `field.get_db_prep_save` gives them, keyed by attname in _columns order — never built as a model instance."""
    values = {}
    for attname, field, unchanged in _preparers(model, exclude):
        value = row[attname] if attname in row else field.get_default()
        values[attname] = value if value is None or type(value) in unchanged else field.get_db_prep_save(value, connection)
    return values


def _param(field, connection, name: str | None = None) -> str:
    """A typed named placeholder (the field's attname unless `name`): the column's type (text for varchar, whose
    length the column itself checks), so that a prepared statement's parameters are typed alike whatever Python
    value (None included) comes first. A name used twice is one parameter ($n): the attendance and the attempt
    rows share their position, device and IP values."""
    db_type = field.cast_db_type(connection)
    return f"CAST(%({name or field.attname})s AS {'text' if db_type.startswith('varchar') else db_type})"


@lru_cache(maxsize=8)
def _record_plan(alias: str) -> str:
    connection = connections[alias]
    q = connection.ops.quote_name
    att, attempt, count, flag = (m._meta for m in (Attendance, CheckInAttempt, CheckInCount, AttendanceFlag))
    att_cols = ", ".join(q(f.column) for f in _columns(Attendance))
    att_params = ", ".join(_param(f, connection) for f in _columns(Attendance))
    attempt_fields = _columns(CheckInAttempt, exclude=("accepted", "reason"))
    attempt_cols = ", ".join(q(f.column) for f in attempt_fields)
    attempt_params = ", ".join(_param(f, connection) for f in attempt_fields)
    c_session, c_kind, c_value, c_trainees = (q(count.get_field(n).column) for n in ("session", "kind", "value", "trainees"))
    f_session, f_kind, f_value, f_created, f_resolved = (q(flag.get_field(n).column)
                                                         for n in ("session", "kind", "value", "created_at", "resolved"))
    session_param = _param(att.get_field("session"), connection)
    reaches = ("u.trainees >= CASE WHEN u.kind = CAST(%(device_kind)s AS text) THEN CAST(%(device_threshold)s AS integer) "
               "ELSE CAST(%(ip_threshold)s AS integer) END")
    return (
        f"WITH a AS (INSERT INTO {q(att.db_table)} ({att_cols}) VALUES ({att_params}) "
        f"ON CONFLICT ({q(att.get_field('session').column)}, {q(att.get_field('enrolment').column)}) DO NOTHING "
        f"RETURNING {q(att.pk.column)} AS id), "
        f"t AS (INSERT INTO {q(attempt.db_table)} ({attempt_cols}, {q(attempt.get_field('accepted').column)}, "
        f"{q(attempt.get_field('reason').column)}) SELECT {attempt_params}, EXISTS (SELECT 1 FROM a), "
        f"CASE WHEN EXISTS (SELECT 1 FROM a) THEN '' ELSE CAST(%(already)s AS text) END), "
        f"u AS (INSERT INTO {q(count.db_table)} AS c ({c_session}, {c_kind}, {c_value}, {c_trainees}) "
        f"SELECT {session_param}, k.kind, k.value, 1 FROM a CROSS JOIN (VALUES (CAST(%(device_kind)s AS text), "
        f"{_param(att.get_field('device_id'), connection)}), (CAST(%(ip_kind)s AS text), CAST(%(ip_value)s AS text))) "
        f"AS k (kind, value) WHERE k.value <> '' "
        f"ON CONFLICT ({c_session}, {c_kind}, {c_value}) DO UPDATE SET {c_trainees} = c.{c_trainees} + 1 "
        f"RETURNING c.{c_kind} AS kind, c.{c_value} AS value, c.{c_trainees} AS trainees), "
        f"f AS (INSERT INTO {q(flag.db_table)} ({f_session}, {f_kind}, {f_value}, {f_created}, {f_resolved}) "
        f"SELECT {session_param}, u.kind, u.value, {_param(flag.get_field('created_at'), connection, 'flagged_at')}, "
        f"{_param(flag.get_field('resolved'), connection)} FROM u WHERE {reaches} "
        f"ON CONFLICT ({f_session}, {f_kind}, {f_value}) DO NOTHING) "
        f"SELECT (SELECT id FROM a), (SELECT COUNT(*) FROM u WHERE {reaches})"
    )


def record_accepted(record: dict, attempt: dict, *, ip_threshold: int, at,
                    alias: str = "default") -> tuple[int | None, bool]:
    """PostgreSQL: (the new attendance id, or None when the trainee had already checked in; flagged). `record` and
    `attempt` are the Attendance and CheckInAttempt rows as {attname: value}, as the ORM path builds its models;
    the fields they share carry the same values (one parameter each)."""
    connection = connections[alias]
    params = _values(CheckInAttempt, attempt, ("accepted", "reason"), connection)
    params.update(_values(Attendance, record, (), connection))
    params.update(already=ALREADY, device_kind=AttendanceFlag.Kind.SHARED_DEVICE, ip_kind=AttendanceFlag.Kind.SHARED_IP,
                  ip_value=record["ip"] or "", flagged_at=AttendanceFlag._meta.get_field("created_at").get_db_prep_save(at, connection),
                  resolved=False, ip_threshold=ip_threshold,
                  device_threshold=2)  # shared device: a second trainee; shared IP: the configured number
    attendance_id, flagged = _fetchone(connection, _record_plan(alias), params)
    return attendance_id, bool(flagged)
