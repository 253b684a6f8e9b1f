"""What the province's policy pack says about the certificate data chain.

The periods are pack parameters (deadline_certificate_data_report, deadline_province_confirmation,
deadline_certificate_issue), e.g. 晋人社厅发〔2024〕27号 四(三): 30 days / 10 days / 30 days;
广西人社厅通知（2023-09-19） 三(三): 30 days / 10 working days / 30 days. Working days come
from the working-day calendar (dte.workdays)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dte.policy.packs.base import PolicyPack
from dte.policy.services import pack_for_division
from dte.workdays.services import add_period


@dataclass(frozen=True)
class ChainDeadline:
    date: date
    provisional: bool
    unit: str
    citation: str


def pack_for(division_code: str) -> PolicyPack:
    return pack_for_division(division_code) or PolicyPack()


def chain_deadline(division_code: str, key: str, start: date) -> ChainDeadline | None:
    """The due date of step `key` counted from `start` (start day not counted), or None where the
    province's pack (and the national baseline) sets no such period."""
    period = pack_for(division_code).deadlines(start).get(key)
    if period is None:
        return None
    deadline = add_period(start, period.days, period.unit)
    return ChainDeadline(deadline.date, deadline.provisional, period.unit, period.citation)
