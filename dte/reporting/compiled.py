"""Compiled statements: the SQL of a scoped queryset, built and compiled once per scope and reused.

Building a Django queryset and compiling it to SQL (scoping, joins, expressions) costs 0.2–1 ms of
Python per statement: more than PostgreSQL spends on most dashboard figures of a prefecture. The SQL of a
figure depends only on the figure, the user's scope (`organisations.scoping.scope_key`: the access rules
are still applied by scoped(), once), the year filter and the active time zone, so each is compiled once
per process and then executed directly (issue 12 item 4: a prefecture's dashboard at 1 M people spent
13.7 ms of Python CPU beside 8.3 ms in PostgreSQL; now 1.5 ms beside 6.7 ms, load average ≈ 6–10).

Rows come back as the database driver returns them: no model instances and no field converters, so
compile only querysets whose columns are text or numbers (callers apply int() where PostgreSQL returns
numeric). Values that change from call to call (today's date, the current time) are passed to the
queryset as the markers TODAY and NOW and replaced by the real values at every execution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

TODAY = date(1, 1, 2)  # never a real parameter: the year filter accepts 2000–2100 only
NOW = datetime(1, 1, 2, tzinfo=UTC)
MAX_STATEMENTS = 1024  # per process; the whole cache is dropped when full (scopes × years × figures)

_statements: dict[tuple, Statement] = {}


@dataclass(frozen=True)
class Statement:
    """One SQL statement and its parameters; `sql` None when the queryset is empty for this scope
    (`width` zeros for a one-row aggregate, no rows otherwise)."""

    sql: str | None
    params: tuple
    using: str
    width: int
    today_at: tuple[int, ...] = ()
    now_at: tuple[int, ...] = ()

    def rows(self, today: date | None = None, now: datetime | None = None) -> list[tuple]:
        if self.sql is None:
            return []
        params = list(self.params)
        ops = connections[self.using].ops
        if self.today_at:
            value = ops.adapt_datefield_value(today or timezone.localdate())
            for index in self.today_at:
                params[index] = value
        if self.now_at:
            value = ops.adapt_datetimefield_value(now or timezone.now())
            for index in self.now_at:
                params[index] = value
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()

    def wrap(self, template: str, width: int) -> Statement:
        """This statement as the subquery `{sql}` of `template`, which returns `width` columns and takes no
        parameters of its own (this statement's stay in place)."""
        if self.sql is None:
            return Statement(None, (), self.using, width)
        return Statement(template.replace("{sql}", self.sql), self.params, self.using, width, self.today_at, self.now_at)


def compile_queryset(queryset: QuerySet) -> Statement:
    query = queryset.query
    width = len(query.values_select) + len(query.annotation_select) if query.values_select or query.annotation_select else 1
    try:
        sql, params = query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # scoped() gave none(): nothing to run
        return Statement(None, (), queryset.db, width)
    ops = connections[queryset.db].ops
    today, now = ops.adapt_datefield_value(TODAY), ops.adapt_datetimefield_value(NOW)
    return Statement(sql, tuple(params), queryset.db, width,
                     today_at=tuple(i for i, p in enumerate(params) if type(p) is type(today) and p == today),
                     now_at=tuple(i for i, p in enumerate(params) if type(p) is type(now) and p == now))


def one_row(statements: list[Statement]) -> Statement:
    """Several one-row aggregates (no GROUP BY) as ONE statement returning one row: their columns side
    by side. An empty one (a scope that sees nothing of that model) counts as zeros."""
    parts, params, today_at, now_at = [], [], [], []
    for n, statement in enumerate(statements):
        if statement.sql is None:
            parts.append(f"(SELECT {', '.join(f'0 AS c{i}' for i in range(statement.width))}) AS f{n}")
            continue
        today_at += [len(params) + i for i in statement.today_at]
        now_at += [len(params) + i for i in statement.now_at]
        params += statement.params
        parts.append(f"({statement.sql}) AS f{n}")
    return Statement(f"SELECT * FROM {', '.join(parts)}", tuple(params), statements[0].using,
                     sum(s.width for s in statements), tuple(today_at), tuple(now_at))


def statement(key: tuple, build) -> Statement:
    """The statement cached under `key` (which must name everything its SQL depends on besides the
    scope key's parts: see module docstring), built with `build()` the first time."""
    key = (*key, timezone.get_current_timezone_name())
    found = _statements.get(key)
    if found is None:
        if len(_statements) >= MAX_STATEMENTS:
            _statements.clear()
        found = _statements[key] = build()
    return found


def statements_clear() -> None:
    _statements.clear()
