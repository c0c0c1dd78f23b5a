"""The `calendar_days` table: the ticket calendar's working days, written out for SQL to count.

The migration fills it from `data/calendars/`; after an official change of days off (a new swap in the
data file), `refresh` rewrites it.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, insert

from tickets.db import Database
from tickets.models import CalendarDay
from tickets.sla import WorkingCalendar

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


def refresh(database: Database, calendar: WorkingCalendar) -> int:
    """Rewrite the table from `calendar`; returns the number of days."""
    rows = calendar_rows(calendar)
    with database.session() as session:
        session.execute(delete(CalendarDay))
        session.execute(insert(CalendarDay), rows)
    return len(rows)
