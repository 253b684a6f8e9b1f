"""Workbench tiles per role. Each domain app may define `workbench.tiles(user)`
returning a list of Tile; the home page shows those the user's role gets."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module, util

from django.conf import settings


@dataclass(frozen=True)
class Tile:
    title: str
    url: str
    description: str = ""
    count: int | None = None
    order: int = 100


def tiles_for(user) -> list[Tile]:
    tiles: list[Tile] = []
    for app in settings.DTE_APPS:
        if app != "dte.web" and util.find_spec(f"{app}.workbench"):
            tiles.extend(import_module(f"{app}.workbench").tiles(user))
    return sorted(tiles, key=lambda t: (t.order, str(t.title)))
