"""What the PostgreSQL benchmarks share: their database, created (or re-created) from DATABASE_URL, and the CPU
time of this connection's backend process (beside the process's own CPU it tells where time went under load)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the PostgreSQL database named in `url` if it is missing (dropped first when `fresh`)."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    if not cfg["ENGINE"].endswith("postgresql"):
        sys.exit("DATABASE_URL must be PostgreSQL for this benchmark")
    dsn = dict(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"], password=cfg["PASSWORD"] or None)
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}"')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def backend_cpu() -> float | None:
    """CPU seconds used so far by Django's connection's PostgreSQL backend, when the server runs on this machine
    (/proc); None otherwise."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
