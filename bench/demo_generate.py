"""Benchmark: `dte demo` streaming people into the registry.

Usage: .venv/bin/python bench/demo_generate.py [SCALE]   (1 = 1,000 people; default 100)
Uses a fresh SQLite file under var/bench/ unless DATABASE_URL is set (then that database
must be empty or disposable). Prints people/second and peak resident memory.
"""

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    tmp = Path(tempfile.mkdtemp(prefix="dte-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dte.settings.local")
os.environ["DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from dte.demo.generator import PEOPLE_PER_SCALE, demo_generate  # noqa: E402
from dte.geography.services import divisions_load  # noqa: E402
from dte.registry.models import Person  # noqa: E402


def main() -> None:
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    call_command("migrate", verbosity=0)
    divisions_load()
    before = Person.objects.count()
    started = time.perf_counter()
    demo_generate(scale=scale, seed=7)
    elapsed = time.perf_counter() - started
    added = Person.objects.count() - before
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {django.db.connection.vendor}")
    print(f"people requested: {scale * PEOPLE_PER_SCALE:,}  inserted: {added:,}")
    print(f"elapsed: {elapsed:.1f} s  throughput: {added / elapsed:,.0f} people/s")
    print(f"peak RSS: {peak_mb:,.0f} MiB")


if __name__ == "__main__":
    main()
