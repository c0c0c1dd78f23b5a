"""Working days for ticket deadlines: a calendar of Vietnamese holidays and office hours.

Public holidays, their lunar dates and their weekend compensation days come from the `holidays` package
(`holidays.Vietnam`); official swaps it does not know come from `data/calendars/vietnam.yaml`. Everything
here is pure: the current time is always an argument. Aware datetimes are read in Vietnamese local time
(the data file's UTC offset) and results are returned in the tzinfo of `start`; naive datetimes are taken
to be local time already and results stay naive.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CALENDAR_PATH = REPO_ROOT / "data" / "calendars" / "vietnam.yaml"

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # days, deadlines and periods are counted in the city's time
_ONE_DAY = timedelta(days=1)
_PackageYear = tuple[dict[date, str], frozenset[date]]  # holiday names, make-up working days


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and office hours.

    Attributes:
        day_start: Start of the working day, local time.
        day_end: End of the working day, local time; deadlines fall on it.
        tz: Local time zone, used to read aware datetimes.
        acknowledge_days: Working days allowed to acknowledge a ticket.
        resolve_days: Default working days allowed to resolve a ticket.
        per_topic: Resolution limits that differ from the default, by topic code.
        days_off: Extra days off by official swap, with their display names.
        working_days: Make-up days that are worked although the package would count them as days off.
    """

    day_start: time
    day_end: time
    tz: tzinfo
    acknowledge_days: int
    resolve_days: int
    per_topic: Mapping[str, int] = field(default_factory=dict)
    days_off: Mapping[date, str] = field(default_factory=dict)
    working_days: frozenset[date] = frozenset()
    _years: dict[int, _PackageYear] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path | None = None) -> WorkingCalendar:
        """Reads the calendar's data file.

        Args:
            path: The YAML file; defaults to `data/calendars/vietnam.yaml` in the repository.

        Raises:
            ValueError: The file is incomplete or inconsistent.
        """
        with (path or CALENDAR_PATH).open(encoding="utf-8") as file:
            document = yaml.safe_load(file)
        hours, limits = document["working_hours"], document["default_limits"]
        days_off: dict[date, str] = {}
        working_days: set[date] = set()
        for year, swaps in (document.get("substitutions") or {}).items():
            for entry in (swaps or {}).get("days_off") or []:
                days_off[_entry_date(entry, year)] = str(entry["name"])
            for entry in (swaps or {}).get("working_days") or []:
                working_days.add(_entry_date(entry, year))
        calendar = cls(
            day_start=_parse_time(hours["start"]),
            day_end=_parse_time(hours["end"]),
            tz=datetime.strptime(str(document["utc_offset"]), "%z").tzinfo,  # type: ignore[arg-type]
            acknowledge_days=int(limits["acknowledge_days"]),
            resolve_days=int(limits["resolve_days"]),
            per_topic={str(topic): int(days) for topic, days in (limits.get("per_topic") or {}).items()},
            days_off=days_off,
            working_days=frozenset(working_days),
        )
        if calendar.day_start >= calendar.day_end:
            raise ValueError("working_hours: start must be before end")
        if min([calendar.acknowledge_days, calendar.resolve_days, *calendar.per_topic.values()]) < 1:
            raise ValueError("default_limits: every limit must be at least 1 working day")
        if both := days_off.keys() & working_days:
            raise ValueError(f"substitutions: dates both off and worked: {sorted(both)}")
        return calendar

    def resolve_days_for(self, topic: str | None) -> int:
        """Working days allowed to resolve a ticket of `topic` (the default when the topic has none)."""
        return self.per_topic.get(topic, self.resolve_days) if topic is not None else self.resolve_days

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is worked: a weekday that is no holiday, or an official make-up day."""
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        names, make_up_days = self._package_year(day.year)
        if day in make_up_days:
            return True
        return day.weekday() < 5 and day not in names

    def holidays_in(self, year: int) -> dict[date, str]:
        """The days off of `year` other than plain weekends, with their Vietnamese names, in date order."""
        names = dict(self._package_year(year)[0])
        names.update((day, name) for day, name in self.days_off.items() if day.year == year)
        return {day: names[day] for day in sorted(names) if day not in self.working_days}

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The deadline `days` working days after receipt at `start`.

        The receipt day is not counted: counting starts on the first working day after it, and the
        deadline is the end of the `days`-th working day (`day_end`, local time).
        """
        if days < 1:
            raise ValueError("days must be at least 1")
        day = self._local(start).date()
        for _ in range(days):
            day += _ONE_DAY
            while not self.is_working_day(day):
                day += _ONE_DAY
        return self._restore(datetime.combine(day, self.day_end), start)

    def working_days_between(self, start: datetime, end: datetime) -> float:
        """Working time elapsed from `start` to `end`, in working days.

        Fractional: only office hours of working days count, and a full working day
        (`day_start`–`day_end`, 9 hours by default) is 1.0. It is 0 when `end <= start` and never
        decreases as `end` grows.
        """
        if end <= start:
            return 0.0
        elapsed = sum((hi - lo for lo, hi in self._periods(start, end)), timedelta())
        return elapsed / (datetime.combine(date.min, self.day_end) - datetime.combine(date.min, self.day_start))

    def warning_at(self, start: datetime, deadline: datetime, fraction: float = 0.8) -> datetime:
        """The moment when `fraction` of the working time from `start` to `deadline` has elapsed.

        Working time is measured as in `working_days_between`. Returns `start` when there is no working
        time in between.
        """
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        periods = list(self._periods(start, deadline)) if deadline > start else []
        remaining = sum((hi - lo for lo, hi in periods), timedelta()) * fraction
        for lo, hi in periods:
            if remaining <= hi - lo:
                return self._restore(lo + remaining, start)
            remaining -= hi - lo
        return start

    def _periods(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The office hours of working days within [start, end], as local naive (from, to) pairs."""
        first, last = self._local(start), self._local(end)
        day = first.date()
        while day <= last.date():
            if self.is_working_day(day):
                lo = max(first, datetime.combine(day, self.day_start))
                hi = min(last, datetime.combine(day, self.day_end))
                if hi > lo:
                    yield lo, hi
            day += _ONE_DAY

    def _package_year(self, year: int) -> _PackageYear:
        """The package's holidays of `year` and its make-up working days, cached."""
        if year not in self._years:
            # The next year is populated too: a swap may take a make-up day from the previous year.
            package = holidays.country_holidays("VN", years=(year, year + 1), language="vi")
            names = {day: name for day, name in package.items() if day.year == year}
            make_up = frozenset(day for day in package.weekend_workdays if day.year == year)
            self._years[year] = (names, make_up)
        return self._years[year]

    def _local(self, moment: datetime) -> datetime:
        return moment if moment.tzinfo is None else moment.astimezone(self.tz).replace(tzinfo=None)

    def _restore(self, local: datetime, like: datetime) -> datetime:
        return local if like.tzinfo is None else local.replace(tzinfo=self.tz).astimezone(like.tzinfo)


def _parse_time(value: Any) -> time:
    if not isinstance(value, str):
        raise ValueError(f'working_hours: quote times as strings, e.g. "08:00" (got {value!r})')
    return time.fromisoformat(value)


def _entry_date(entry: Mapping[str, Any], year: Any) -> date:
    day = entry["date"] if isinstance(entry["date"], date) else date.fromisoformat(str(entry["date"]))
    if day.year != int(year):
        raise ValueError(f"substitutions: {day} is listed under {year}")
    if not str(entry.get("source") or "").strip():
        raise ValueError(f"substitutions: {day} has no legal source")
    return day
