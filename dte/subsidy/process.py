"""Process settings of the money path, read from the province pack.

A pack may set a period as a parameter (`publicity_period`, `employment_evidence_window`,
`onward_confirmation_period`, each `{days, unit}`) or a claim deadline (`deadline_subsidy_claim`,
Tianjin 津人社办发〔2022〕94号 附件4 一(二)). Where the documents name a step but give no period
(Tianjin 附件4 一(三)/二(二) "审核、汇总、公示" without a length; Shanxi 五(四) "培训后就业" without
a window; Yunnan 四(四)3 "再由培训机构发放到补贴对象" without a time limit) the platform's default
below applies and is shown with that wording, so it is never mistaken for a document's figure.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from dte.policy.packs.base import NATIONAL_FILE, PACKS_DIR, Deadline
from dte.policy.services import pack_for_division
from dte.workdays.services import add_period


@dataclass(frozen=True)
class Period:
    days: int
    unit: str  # calendar | working
    citation: str
    from_document: bool

    def end(self, start: date) -> date:
        return add_period(start, self.days, self.unit).date


DEFAULTS = {
    "publicity_period": (5, "working", "津人社办发〔2022〕94号 附件4 一(三)、二(二)（审核、汇总、公示；文件未规定公示期，平台默认5个工作日）"),
    "employment_evidence_window": (180, "calendar", "晋人社厅发〔2024〕27号 五(四)（培训后就业；文件未规定期限，平台默认培训结束后180日）"),
    "onward_confirmation_period": (30, "calendar", "云人社通〔2023〕39号 四(四)3（再由培训机构发放到补贴对象；文件未规定期限，平台默认30日内确认）"),
}


def period(division_code: str, name: str, on: date) -> Period:
    pack = pack_for_division(division_code)
    if pack is not None and name in pack.parameters:
        p = pack.parameters.bind(on, None)
        value = p.get(name)
        if value:
            return Period(int(value["days"]), value["unit"], p.citation(name), True)
    days, unit, citation = DEFAULTS[name]
    return Period(days, unit, citation, False)


@dataclass(frozen=True)
class ClaimDeadline(Deadline):
    """The pack's claim deadline — period, anchor, clause and the items it binds (`binds`) — with its due date."""

    def due(self, anchor_date: date) -> date:
        return add_period(anchor_date, self.days, self.unit).date


def claim_deadline(division_code: str, on: date) -> ClaimDeadline | None:
    """The pack's deadline for claiming (Tianjin: 30 days after the level exam, for the training-fee
    claim only: 附件4 一(二)), or None."""
    pack = pack_for_division(division_code)
    if pack is None:
        return None
    deadline = pack.deadlines(on).get("subsidy_claim")
    if deadline is None or deadline.direction != "after":
        return None
    return ClaimDeadline(**asdict(deadline))


@lru_cache(maxsize=None)
def pack_version(code: str) -> str:
    """A fingerprint of everything that decides an amount: the national and province parameter
    files and the rule modules. Stored on every claim line."""
    digest = hashlib.sha256()
    for path in (NATIONAL_FILE, PACKS_DIR / code / "parameters.yaml", PACKS_DIR / code / "rules.py",
                 PACKS_DIR / "common.py", PACKS_DIR / "base.py"):
        if Path(path).exists():
            digest.update(Path(path).read_bytes())
    return f"{code}-{digest.hexdigest()[:16]}"
