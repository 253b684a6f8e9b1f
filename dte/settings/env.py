"""Read the environment once, with messages that name the variable and the fix.

Every setting that comes from the environment passes through here so that a
malformed value fails at start-up with `ImproperlyConfigured`, never later.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"环境变量 {name} 未设置 / {name} is not set: set it in the environment (see README, 'Production').")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer: give a whole number, e.g. {name}={default}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default_sqlite: Path) -> dict:
    import dj_database_url

    url = os.environ.get(name) or f"sqlite:///{default_sqlite}"
    if "://" not in url:
        raise ImproperlyConfigured(
            f"{name}={url!r} is not a database URL: use postgres://USER@HOST:5432/NAME or sqlite:///path/to/file.sqlite3."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60)
    except Exception as exc:  # dj_database_url raises several types for bad schemes
        raise ImproperlyConfigured(f"{name}={url!r} cannot be parsed ({exc}); use postgres://… or sqlite:///….") from None
    if config["ENGINE"].endswith("sqlite3"):
        config["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
        config["CONN_MAX_AGE"] = 0
    return config
