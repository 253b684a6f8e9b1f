"""Deadline arithmetic in calendar days and statutory working days.

Convention (one, everywhere): the start day is not counted. "Within N days of D"
ends on add_days(D, N); "N working days after D" ends on add_working_days(D, N),
the N-th working day after D. A deadline that crosses a year with no arrangement
entered is computed on weekends only and marked provisional — never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


class CalendarRangeError(ValueError):
    pass


@dataclass(frozen=True)
class Deadline:
    date: date
    provisional: bool = False
    unit: str = "calendar"  # calendar | working
    unknown_years: tuple[int, ...] = ()

    def __str__(self) -> str:
        return f"{self.date.isoformat()}{' (provisional)' if self.provisional else ''}"


@dataclass
class WorkCalendar:
    """Holidays and make-up workdays for the years that have an arrangement."""

    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)
    known_years: set[int] = field(default_factory=set)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_days(self, start: date, days: int) -> Deadline:
        _check(start, days)
        return Deadline(start + timedelta(days=days), unit="calendar")

    def add_working_days(self, start: date, days: int) -> Deadline:
        _check(start, days)
        day, counted, unknown = start, 0, set()
        while counted < days:
            day += timedelta(days=1)
            if day.year not in self.known_years:
                unknown.add(day.year)
            if self.is_working_day(day):
                counted += 1
        return Deadline(day, provisional=bool(unknown), unit="working", unknown_years=tuple(sorted(unknown)))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if end < start)."""
        sign = 1 if end >= start else -1
        low, high = (start, end) if sign == 1 else (end, start)
        count, day = 0, low
        while day < high:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return sign * count


def _check(start: date, days: int) -> None:
    if not isinstance(start, date):
        raise CalendarRangeError(f"start must be a date, got {start!r}")
    if days < 0:
        raise CalendarRangeError(f"number of days must be 0 or more, got {days}")
    if start.year + days // 200 + 1 > 9999:
        raise CalendarRangeError(f"{start} + {days} days is outside the calendar (year 9999).")
