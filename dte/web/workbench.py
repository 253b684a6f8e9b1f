"""Workbench tiles per role. Each domain app may define `workbench.tiles(user)`
returning a list of Tile; the home page shows those the user's role gets."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from importlib import import_module, util

from django.conf import settings


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


def tiles_for(user) -> list[Tile]:
    tiles: list[Tile] = []
    for app in settings.DTE_APPS:
        if app != "dte.web" and util.find_spec(f"{app}.workbench"):
            tiles.extend(import_module(f"{app}.workbench").tiles(user))
    return sorted(tiles, key=lambda t: (t.order, str(t.title)))
