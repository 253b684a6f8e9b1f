"""Workbench tiles per role. Each domain app may define `workbench.tiles(user)`
returning a list of Tile; the home page shows those the user's role gets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cached_property
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


def scoped_count(figure: str, user, build: Callable[[Any], QuerySet | list[QuerySet]],
                 today: date | None = None) -> Callable[[], int]:
    """A tile's count whose SQL depends only on the user's scope (`scope_key`): `build(user)` gives the queryset
    through scoped() (or its disjoint scoped_parts, added up), with filters that are constants or the markers
    TODAY/NOW of dte/reporting/compiled.py. Its COUNT is compiled once per figure and scope and then executed
    directly: building and compiling a count costs ≈ 0.4 ms of Python, four times its execution, and the
    workbench shows some twenty of them. Counts that read anything else of the user (their own pk outside
    the scope rules, their organisation's tokens) must stay plain callables. `today` replaces TODAY
    (default: timezone.localdate())."""
    from dte.organisations.scoping import scope_key
    from dte.reporting.compiled import Statement, compile_queryset, one_row, statement

    def compiled():
        built = build(user)
        parts = [compile_queryset(qs.order_by().values("pk")).wrap("SELECT COUNT(*) FROM ({sql}) c", width=1)
                 for qs in (built if isinstance(built, list) else [built])]
        return one_row(parts) if parts else Statement(None, (), "default", 1)  # the user sees none of them

    def count() -> int:
        (row,) = statement(("workbench", figure, scope_key(user)), compiled).rows(today=today) or [(0,)]
        return sum(int(n) for n in row)
    return count


def tiles_for(user) -> list[Tile]:
    tiles: list[Tile] = []
    for app in settings.DTE_APPS:
        if app != "dte.web" and util.find_spec(f"{app}.workbench"):
            tiles.extend(import_module(f"{app}.workbench").tiles(user))
    return sorted(tiles, key=lambda t: (t.order, str(t.title)))
