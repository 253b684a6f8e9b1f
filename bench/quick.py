"""`make bench`: every benchmark of this folder at a small size, one after the other (issue 12 item 6).

Quick runs check that each script still works end to end and print its figures beside its same-run
reference; they are too small for the goals (see bench/README.md for the full sizes). PostgreSQL
databases are named bench_quick_<script> (created when missing; each script empties or reuses its own
as its docstring says), Redis 127.0.0.1:6379. A failing script is reported and the others still run;
the exit status is the number of failures.

  .venv/bin/python bench/quick.py [NAME ...]      # e.g. `bench/quick.py verify_http scale_out`
  PG=postgres://postgres@127.0.0.1:5432 make bench
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG = os.environ.get("PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def pg(name: str) -> dict:
    return {"DATABASE_URL": f"{PG}/bench_quick_{name}"}


# (name, command, extra environment, databases to create first); SQLite-only scripts get no DATABASE_URL.
QUICK = [
    ("policy_simulate", [PY, "bench/policy_simulate.py", "20000", "--province", "shanxi", "--workers", "2",
                         "--vector-rounds", "1"], {}),
    ("demo_generate", [PY, "bench/demo_generate.py", "1"], {"DATABASE_URL": ""}),
    ("registry_import", [PY, "bench/registry_import.py", "--rows", "2000", "--format", "csv"], pg("registry")),
    ("subsidy_claims", [PY, "bench/subsidy_claims.py", "--trainees", "500"], pg("subsidy")),
    ("supervision_signals", [PY, "bench/supervision_signals.py", "2000"], pg("supervision")),
    ("reporting_dashboard", ["SETUP", PY, "bench/reporting_dashboard.py", "sx_province"], pg("reporting")),
    ("verify_http", [PY, "bench/verify_http.py", "--seconds", "2", "--rounds", "1", "--connections", "2",
                     "--certificates", "40"], {**pg("verify"), "REDIS_URL": "redis://127.0.0.1:6379/9"}),
    ("checkin_burst", [PY, "bench/checkin_burst.py", "--trainees", "200", "--rounds", "1", "--connections", "4",
                       "--workers", "2"], {**pg("checkin"), "REDIS_URL": "redis://127.0.0.1:6379/11"}),
    ("scale_out", [PY, "bench/scale_out.py", "--quick"], {**pg("scale"), "REDIS_URL": "redis://127.0.0.1:6379/10"}),
]


def create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    wanted = set(sys.argv[1:])
    failures, summary = 0, []
    for name, command, extra in QUICK:
        if wanted and name not in wanted:
            continue
        if not (ROOT / "bench" / f"{name}.py").exists():
            summary.append((name, "missing", 0.0))
            continue
        env = dict(os.environ, **extra)
        if not env.get("DATABASE_URL"):
            env.pop("DATABASE_URL", None)
        elif env["DATABASE_URL"].startswith("postgres"):
            create_database(env["DATABASE_URL"])
        print(f"\n===== {name}: {' '.join(c for c in command if c != 'SETUP')}", flush=True)
        started = time.perf_counter()
        if command[0] == "SETUP":  # the dashboard reads an existing registry: a small demo set first
            command = command[1:]
            subprocess.run([str(Path(PY).parent / "dte"), "setup", "--demo-scale", "1"], cwd=ROOT, env=env,
                           check=True, stdout=subprocess.DEVNULL)
        result = subprocess.run(command, cwd=ROOT, env=env)
        seconds = time.perf_counter() - started
        failures += result.returncode != 0
        summary.append((name, "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})", seconds))
    print("\n===== make bench (quick sizes)")
    for name, status, seconds in summary:
        print(f"  {name:22} {status:18} {seconds:6.1f} s")
    return failures


if __name__ == "__main__":
    sys.exit(main())
