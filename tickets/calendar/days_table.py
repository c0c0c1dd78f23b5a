"""The `calendar_days` table: the ticket calendar's working days, written out for SQL to count.

The migration fills it from `data/calendars/`; an official change of days off (a new swap in the data file)
comes with a migration that rewrites it from `calendar_rows`.
"""

from __future__ import annotations

from datetime import date, timedelta

from tickets.calendar.sla import WorkingCalendar

FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2045, 12, 31)


def calendar_rows(calendar: WorkingCalendar, first: date = FIRST_DAY, last: date = LAST_DAY) -> list[dict]:
    """One row per day: whether it is worked and the working days counted from `first` up to it."""
    rows, index, day = [], 0, first
    while day <= last:
        working = calendar.is_working_day(day)
        index += working
        rows.append({"day": day, "working": working, "working_index": index})
        day += timedelta(days=1)
    return rows
