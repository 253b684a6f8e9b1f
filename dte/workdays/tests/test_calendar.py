from datetime import date

import pytest

from dte.workdays.calendar import CalendarRangeError, WorkCalendar
from dte.workdays.models import CalendarYear
from dte.workdays.services import (
    add_days,
    add_working_days,
    calendar_seed_from_package,
    calendar_year_enter,
    working_days_remaining,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    calendar_seed_from_package()


@pytest.mark.parametrize(
    "start, days, expected",
    [
        # The vectors: National Day 2025 (Oct 1–8 off, Sep 28 and Oct 11 worked).
        (date(2025, 9, 26), 10, date(2025, 10, 16)),
        # Spring Festival 2026 (Feb 15–23 off, Feb 14 and Feb 28 worked).
        (date(2026, 2, 13), 10, date(2026, 3, 5)),
        # Mid-Autumn + National Day 2026 (Sep 25, Oct 1–7 off, Sep 20 and Oct 10 worked).
        (date(2026, 9, 18), 10, date(2026, 10, 9)),
        (date(2025, 9, 26), 0, date(2025, 9, 26)),
    ],
)
def test_working_day_vectors(seeded, start, days, expected):
    deadline = add_working_days(start, days)
    assert deadline.date == expected
    assert deadline.provisional is False


def test_start_day_is_not_counted(seeded):
    # Monday 2025-11-03 + 1 working day is Tuesday, not Monday itself.
    assert add_working_days(date(2025, 11, 3), 1).date == date(2025, 11, 4)
    assert add_days(date(2025, 11, 3), 30).date == date(2025, 12, 3)


def test_year_without_arrangement_is_provisional_not_an_error(seeded):
    deadline = add_working_days(date(2027, 9, 24), 10)  # weekends only: Fri + 10 working days
    assert deadline.date == date(2027, 10, 8)
    assert deadline.provisional is True
    assert deadline.unknown_years == (2027,)


def test_administrator_enters_a_new_year(seeded):
    calendar_year_enter(
        2027,
        holidays={date(2027, 10, d): "国庆节" for d in range(1, 8)},
        workdays={date(2027, 9, 26): "国庆节"},
        notice="国办发明电〔2026〕X号",
    )
    deadline = add_working_days(date(2027, 9, 24), 10)
    assert deadline.provisional is False
    # Sep 26 (Sun) worked, Sep 27–30, Oct 1–7 off, Oct 8, 11, 12, 13 → 10th working day is Oct 14.
    assert deadline.date == date(2027, 10, 14)
    assert CalendarYear.objects.get(year=2027).source == CalendarYear.Source.MANUAL


def test_seeding_keeps_manual_years(seeded):
    calendar_year_enter(2026, holidays={}, workdays={}, notice="manual correction")
    calendar_seed_from_package()
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.MANUAL


def test_entering_dates_of_another_year_is_refused(seeded):
    with pytest.raises(ValueError, match="not in 2028"):
        calendar_year_enter(2028, holidays={date(2027, 1, 1): "元旦"}, workdays={})


def test_remaining_working_days_counts_back_and_forth(seeded):
    assert working_days_remaining(date(2025, 9, 26), date(2025, 10, 16)) == 10
    assert working_days_remaining(date(2025, 10, 16), date(2025, 9, 26)) == -10


def test_bad_input_is_a_clear_error():
    calendar = WorkCalendar()
    with pytest.raises(CalendarRangeError, match="0 or more"):
        calendar.add_working_days(date(2025, 1, 1), -1)
    with pytest.raises(CalendarRangeError, match="outside the calendar"):
        calendar.add_days(date(9999, 12, 1), 400)
