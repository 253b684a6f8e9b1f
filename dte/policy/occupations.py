"""The occupation list (data/occupations.yaml), pure Python. The catalogue app loads the
same file into the database; the policy engine only needs lookups by either code form."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "occupations.yaml"
LEVELS = ("junior", "intermediate", "senior")
LEVEL_NAMES = {"junior": "初级", "intermediate": "中级", "senior": "高级"}
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class Occupation:
    code: str
    classification_2022: str
    name: str
    name_en: str
    field: str
    directions: tuple[str, ...]
    levels: tuple[str, ...]
    named_in: tuple[tuple[str, str], ...]  # (province pack code, citation)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c for c in (self.code, self.classification_2022) if c)


@lru_cache(maxsize=1)
def load_occupations() -> tuple[Occupation, ...]:
    with open(DATA_FILE, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return tuple(
        Occupation(
            code=row["code"],
            classification_2022=row.get("classification_2022") or "",
            name=row["name"],
            name_en=row["name_en"],
            field=row["field"],
            directions=tuple(row.get("directions") or ()),
            levels=tuple(row["levels"]),
            named_in=tuple((n["province"], n["citation"]) for n in row.get("named_in") or ()),
        )
        for row in data["occupations"]
    )


@lru_cache(maxsize=1)
def _index() -> dict[str, Occupation]:
    index: dict[str, Occupation] = {}
    for occupation in load_occupations():
        for code in occupation.codes:
            index[code] = occupation
    return index


def find_occupation(code: str) -> Occupation | None:
    """Look an occupation up by its document code or its 2022 classification code."""
    return _index().get((code or "").strip())
