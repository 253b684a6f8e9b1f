"""Reference data for the catalogues, loaded by `dte setup`.

- The 14 occupations from dte/policy/data/occupations.yaml (the policy app's loader).
- Tianjin's 数字经济技术技能人才培训补贴标准目录 (津人社办发〔2022〕94号 附件3) from the
  Tianjin policy pack's dated `subsidy_standards` parameter (hours, fen per level).

Both are idempotent. Facts the documents do not give (directions, a 2022 code) are left
empty; a value an official already filled in is never blanked by a re-load.
"""

from __future__ import annotations

from django.db import transaction

from dte.geography.models import Division
from dte.policy.occupations import load_occupations
from dte.policy.packs import get_pack

from .models import Level, Occupation, SubsidyStandard
from .selectors import STANDARDS_TABLE

TIANJIN = "120000"


@transaction.atomic
def occupations_load() -> int:
    """Create or update the occupations by code; returns how many there are."""
    for item in load_occupations():
        occupation, created = Occupation.objects.get_or_create(
            code=item.code,
            defaults={
                "classification_2022": item.classification_2022,
                "name": item.name,
                "name_en": item.name_en,
                "field": item.field,
                "directions": list(item.directions),
            },
        )
        if created:
            continue
        occupation.name, occupation.name_en, occupation.field = item.name, item.name_en, item.field
        if item.classification_2022:
            occupation.classification_2022 = item.classification_2022
        if item.directions:
            occupation.directions = list(item.directions)
        occupation.save()
    return len(load_occupations())


def pack_standard_rows(pack_code: str) -> list[dict]:
    """Every cell of every dated value of a pack's standards table, as row dicts."""
    parameter = get_pack(pack_code).parameters.parameters.get(STANDARDS_TABLE)
    rows = []
    for dated in parameter.values if parameter else ():
        if not isinstance(dated.value, dict):
            continue
        for code, levels in dated.value.items():
            for level, cell in (levels or {}).items():
                rows.append({
                    "occupation_code": code,
                    "level": level,
                    "hours_required": cell.get("hours"),
                    "amount_fen": cell.get("amount_fen"),
                    "effective_from": dated.effective_from,
                    "published": dated.published,
                    "citation": dated.citation,
                })
    return rows


@transaction.atomic
def standards_load(pack_code: str = "tianjin", province_code: str = TIANJIN) -> int:
    """Load a pack's published standards table into SubsidyStandard (by date, idempotent)."""
    province = Division.objects.get(code=province_code)
    occupations = {o.code: o for o in Occupation.objects.all()}
    count = 0
    for row in pack_standard_rows(pack_code):
        occupation = occupations.get(row["occupation_code"])
        if occupation is None or row["level"] not in Level.values:
            raise ValueError(f"{pack_code}: unknown occupation/level {row['occupation_code']}/{row['level']}")
        SubsidyStandard.objects.update_or_create(
            province=province, occupation=occupation, level=row["level"], effective_from=row["effective_from"],
            defaults={
                "hours_required": row["hours_required"],
                "amount_fen": row["amount_fen"],
                "citation": row["citation"][:128],
                "published": row["published"],
            },
        )
        count += 1
    return count


def reference_data() -> str:
    occupations = occupations_load()
    standards = standards_load() if Division.objects.filter(code=TIANJIN).exists() else 0
    return f"catalogue: {occupations} occupations, {standards} Tianjin subsidy standards (津人社办发〔2022〕94号 附件3)"
