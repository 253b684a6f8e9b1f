"""Registry of policy packs. Adding a province = a new folder + one line in PACK_MODULES
(see README.md in this folder)."""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from .base import PolicyPack

PACK_MODULES = {
    "tibet": "dte.policy.packs.tibet",
    "shanxi": "dte.policy.packs.shanxi",
    "guangxi": "dte.policy.packs.guangxi",
    "tianjin": "dte.policy.packs.tianjin",
    "yunnan": "dte.policy.packs.yunnan",
}


class UnknownPack(LookupError):
    pass


@lru_cache(maxsize=None)
def get_pack(code: str) -> PolicyPack:
    """A pack by its code ("shanxi"), its division code ("140000") or two-digit prefix ("14")."""
    code = (code or "").strip().lower()
    if code not in PACK_MODULES:
        by_division = {p.division_code[:2]: name for name, p in ((n, _load(n)) for n in PACK_MODULES)}
        code = by_division.get(code[:2], code) if code.isdigit() else code
    if code not in PACK_MODULES:
        raise UnknownPack(f"未知省份 {code!r}；可用: {', '.join(PACK_MODULES)}")
    return _load(code)


def _load(code: str) -> PolicyPack:
    return import_module(PACK_MODULES[code]).PACK


def all_packs() -> list[PolicyPack]:
    return [_load(code) for code in PACK_MODULES]
