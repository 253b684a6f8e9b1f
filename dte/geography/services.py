"""Loading the division table shipped with the platform (see scripts/build_divisions.py)."""

import csv
from pathlib import Path

from django.db import transaction

from .models import NATIONAL_CODE, Division

DATA_FILE = Path(__file__).parent / "data" / "divisions.csv"


@transaction.atomic
def divisions_load(path: Path = DATA_FILE) -> int:
    """Create or update the jurisdiction tree; returns the number of divisions."""
    Division.objects.update_or_create(
        code=NATIONAL_CODE, defaults={"name": "中华人民共和国", "level": Division.Level.NATIONAL, "parent": None}
    )
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    existing = set(Division.objects.values_list("code", flat=True))
    for row in rows:  # file order is parent-first
        defaults = {"name": row["name"], "level": row["level"], "parent_id": row["parent"] or NATIONAL_CODE}
        if row["code"] in existing:
            Division.objects.filter(code=row["code"]).update(**defaults)
        else:
            Division.objects.create(code=row["code"], **defaults)
    return len(rows) + 1
