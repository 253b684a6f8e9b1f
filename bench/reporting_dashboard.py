"""Benchmark: the statistics dashboard on a large registry.

Usage: DATABASE_URL=postgres://…/bench_demo .venv/bin/python bench/reporting_dashboard.py [USERNAME]
Run `bench/demo_generate.py 1000` against the same database first (1,000,000 people).
Prints the time of the dashboard page for a province officer (default sx_province) and for
the platform administrator, cold and warm, with the number of SQL queries.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dte.settings.local")
os.environ["DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from dte.organisations.models import User  # noqa: E402
from dte.registry.models import Person  # noqa: E402


def main() -> None:
    usernames = sys.argv[1:] or ["sx_province", "admin"]
    print(f"database: {connection.vendor}, people: {Person.objects.count():,}")
    for username in usernames:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        for run in ("cold", "warm"):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/reporting/")
                elapsed = time.perf_counter() - started
            print(f"{username:12s} {run}: HTTP {response.status_code} in {elapsed:.2f} s, {len(queries)} queries")


if __name__ == "__main__":
    main()
