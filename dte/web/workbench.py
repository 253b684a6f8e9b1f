"""Workbench tiles per role. Each domain app may define `workbench.tiles(user)`
returning a list of Tile; the home page shows those the user's role gets."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, cached_property
from importlib import import_module, util
from typing import Any

from django.conf import settings
from django.db.models import QuerySet


class Tile:
    """A workbench tile. `count` and `description` may be given as callables: they are
    evaluated only when shown, so the per-app navigation (which uses only titles and
    links of the same tiles, on every page) runs none of the counting queries."""

    def __init__(self, title: str, url: str, description: str | Callable[[], str] = "",
                 count: int | None | Callable[[], int | None] = None, order: int = 100):
        self.title, self.url, self.order = title, url, order
        self._description, self._count = description, count

    @cached_property
    def description(self) -> str:
        return self._description() if callable(self._description) else self._description

    @cached_property
    def count(self) -> int | None:
        return self._count() if callable(self._count) else self._count

    def __repr__(self) -> str:
        return f"Tile({self.title!r}, {self.url!r})"


class ScopedCount:
    """A tile's count whose SQL depends only on the user's scope (`scope_key`): `build(user)` gives the queryset
    through scoped() (or its disjoint scoped_parts, added up), with filters that are constants or the markers
    TODAY/NOW of dte/reporting/compiled.py. Its COUNT is compiled once per figure and scope and then executed
    directly: building and compiling a count costs ≈ 0.4 ms of Python, four times its execution, and the
    workbench shows some twenty of them. A count whose SQL reads anything of the user that scope_key does not
    name (role, organisation, division prefix; the user's pk for owner roles only) must stay a plain callable.
    TODAY is today's local date when the count runs (Statement.rows)."""

    def __init__(self, figure: str, user, build: Callable[[Any], QuerySet | list[QuerySet]]):
        self.figure, self.user, self.build = figure, user, build

    def _compile(self):
        from dte.reporting.compiled import compile_queryset

        built = self.build(self.user)
        parts = [compile_queryset(qs.order_by().values("pk")).wrap("SELECT COUNT(*) FROM ({sql}) c", width=1)
                 for qs in (built if isinstance(built, list) else [built])]
        return _scalars(parts, " + ")

    def statement(self):
        """The compiled COUNT(s)."""
        from dte.organisations.scoping import scope_key
        from dte.reporting.compiled import statement

        key = scope_key(self.user)
        personal = len(key) > 1 and key[1] is not None  # an owner's scope (a trainee's): their own pk is in it
        # compiled for this page and not kept: thousands of trainees must not push the officials' statements
        # out of the shared store (dte/reporting/compiled.py, MAX_STATEMENTS)
        return self._compile() if personal else statement(("workbench", self.figure, key), self._compile)

    def __call__(self) -> int:
        (row,) = self.statement().rows() or [(0,)]
        return sum(int(n) for n in row)


scoped_count = ScopedCount  # as the apps' tiles write it: count=scoped_count(figure, user, build)


def count_together(tiles: list[Tile]) -> None:
    """Runs the ScopedCounts of these tiles not yet counted as ONE statement (their one-row COUNTs side by
    side) and gives each tile its figure: one round trip for the page instead of one per tile."""
    pending = [tile for tile in tiles if isinstance(tile._count, ScopedCount) and "count" not in tile.__dict__]
    if len(pending) < 2:
        return
    (row,) = _scalars([tile._count.statement() for tile in pending], ", ").rows()
    for tile, n in zip(pending, row):
        tile.__dict__["count"] = int(n)  # what the cached_property keeps


def _scalars(statements: list, separator: str):
    """One-value statements as scalar subqueries of ONE select: added up (" + ") or side by side (", "); an
    empty one (nothing in scope) is 0. Not reporting's one_row: a FROM list of some twenty subqueries sends
    PostgreSQL's planner searching join orders (≈ 5 ms), scalar subqueries are planned one by one."""
    from dte.reporting.compiled import Statement

    sqls, params, today_at, now_at = [], [], [], []
    for found in statements:
        if found.sql is None:
            sqls.append("0")
            continue
        today_at += [len(params) + i for i in found.today_at]
        now_at += [len(params) + i for i in found.now_at]
        params += found.params
        sqls.append(f"({found.sql})")
    return Statement("SELECT " + separator.join(sqls or ["0"]), tuple(params), statements[0].using if statements else "default",
                     1 if separator == " + " else len(sqls), tuple(today_at), tuple(now_at))


@cache
def _workbench_modules() -> list:
    """The apps' workbench modules, looked up once per process (a miss searches the file system: ≈ 0.2 ms)."""
    return [import_module(f"{app}.workbench") for app in settings.DTE_APPS
            if app != "dte.web" and util.find_spec(f"{app}.workbench")]


def tiles_for(user) -> list[Tile]:
    tiles: list[Tile] = []
    for module in _workbench_modules():
        tiles.extend(module.tiles(user))
    return sorted(tiles, key=lambda t: (t.order, str(t.title)))
