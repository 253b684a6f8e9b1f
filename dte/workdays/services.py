"""The working-day calendar from the database; seeding it from chinesecalendar."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from .calendar import Deadline, WorkCalendar
from .models import CalendarDay, CalendarYear


def calendar_for(start: date, end: date | None = None) -> WorkCalendar:
    """Load the arrangement for the years a computation may touch."""
    last_year = (end or start).year + 2  # a deadline of weeks rarely crosses more than one year
    years = set(
        CalendarYear.objects.filter(year__gte=start.year, year__lte=last_year).values_list("year", flat=True)
    )
    cal = WorkCalendar(known_years=years)
    for day, kind in CalendarDay.objects.filter(year_id__in=years).values_list("date", "kind"):
        (cal.holidays if kind == CalendarDay.Kind.HOLIDAY else cal.workdays).add(day)
    return cal


def add_working_days(start: date, days: int) -> Deadline:
    return calendar_for(start).add_working_days(start, days)


def add_days(start: date, days: int) -> Deadline:
    return WorkCalendar().add_days(start, days)


def add_period(start: date, days: int, unit: str) -> Deadline:
    """Deadline for a policy period given as {days, unit: calendar|working}."""
    if unit == "working":
        return add_working_days(start, days)
    if unit == "calendar":
        return add_days(start, days)
    raise ValueError(f"unknown period unit {unit!r}: use 'calendar' or 'working'")


def working_days_remaining(today: date, deadline: date) -> int:
    return calendar_for(min(today, deadline), max(today, deadline)).working_days_between(today, deadline)


@transaction.atomic
def calendar_year_enter(year: int, holidays: dict[date, str], workdays: dict[date, str], *, notice: str = "",
                        source: str = CalendarYear.Source.MANUAL) -> CalendarYear:
    """Enter (or replace) one year's arrangement: holiday dates off, make-up dates on."""
    wrong = [d for d in [*holidays, *workdays] if d.year != year]
    if wrong:
        raise ValueError(f"dates {', '.join(map(str, wrong))} are not in {year}")
    both = set(holidays) & set(workdays)
    if both:
        raise ValueError(f"dates {', '.join(map(str, sorted(both)))} cannot be both holiday and workday")
    record, _ = CalendarYear.objects.update_or_create(year=year, defaults={"source": source, "notice": notice})
    record.days.all().delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, year=record, kind=CalendarDay.Kind.HOLIDAY, name=n) for d, n in holidays.items()]
        + [CalendarDay(date=d, year=record, kind=CalendarDay.Kind.WORKDAY, name=n) for d, n in workdays.items()]
    )
    return record


def calendar_seed_from_package() -> list[int]:
    """Copy chinesecalendar's arrangements (2004–its last year) into the database,
    leaving years an administrator entered by hand untouched."""
    import chinese_calendar

    manual = set(CalendarYear.objects.filter(source=CalendarYear.Source.MANUAL).values_list("year", flat=True))
    by_year: dict[int, tuple[dict, dict]] = {}
    for day, name in chinese_calendar.holidays.items():
        by_year.setdefault(day.year, ({}, {}))[0][day] = str(name)
    for day, name in chinese_calendar.workdays.items():
        if day.weekday() >= 5:  # only weekend days that become workdays matter
            by_year.setdefault(day.year, ({}, {}))[1][day] = str(name)
    seeded = []
    for year, (holidays, workdays) in sorted(by_year.items()):
        if year in manual:
            continue
        calendar_year_enter(year, holidays, workdays, source=CalendarYear.Source.PACKAGE, notice="chinesecalendar")
        seeded.append(year)
    return seeded
