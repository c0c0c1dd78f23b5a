"""Working days and deadlines (tickets/calendar/sla.py), with expectations worked out by hand on a calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tickets.calendar.sla import WorkingCalendar

ICT = timezone(timedelta(hours=7))

# A calendar whose data file has the same shape as the real one, with one invented swap in 2030
# (no public holiday is near it): Monday 11/3 off, made up on Saturday 16/3.
TEST_YAML = """\
utc_offset: "+07:00"
working_hours: {start: "08:00", end: "17:00"}
default_limits:
  acknowledge_days: 1
  resolve_days: 10
  per_topic: {thue: 15}
substitutions:
  2030:
    days_off:
      - {date: 2030-03-11, name: "Ngày nghỉ hoán đổi", source: "test fixture"}
    working_days:
      - {date: 2030-03-16, source: "test fixture"}
"""


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar.load()


@pytest.fixture
def swapped(tmp_path: Path) -> WorkingCalendar:
    path = tmp_path / "calendar.yaml"
    path.write_text(TEST_YAML, encoding="utf-8")
    return WorkingCalendar.load(path)


def test_real_data_file_has_the_spec_limits(calendar: WorkingCalendar) -> None:
    assert calendar.acknowledge_days == 1
    assert calendar.resolve_days_for(None) == 10
    assert calendar.resolve_days_for("thue") == 10  # per_topic is empty


def test_per_topic_limit(swapped: WorkingCalendar) -> None:
    assert swapped.resolve_days_for("thue") == 15
    assert swapped.resolve_days_for("hai_quan") == 10


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2023, 1, 22), "Tết Nguyên Đán"),
        (date(2024, 2, 10), "Tết Nguyên Đán"),
        (date(2025, 1, 29), "Tết Nguyên Đán"),
        (date(2026, 2, 17), "Tết Nguyên Đán"),
        (date(2027, 2, 6), "Tết Nguyên Đán"),
        (date(2023, 4, 29), "Ngày Giỗ Tổ Hùng Vương"),
        (date(2024, 4, 18), "Ngày Giỗ Tổ Hùng Vương"),
        (date(2025, 4, 7), "Ngày Giỗ Tổ Hùng Vương"),
        (date(2026, 4, 26), "Ngày Giỗ Tổ Hùng Vương"),
        (date(2026, 1, 1), "Tết Dương lịch"),
        (date(2026, 4, 30), "Ngày Chiến thắng"),
        (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
        (date(2026, 9, 2), "Quốc khánh"),
    ],
)
def test_lunar_and_fixed_holidays(calendar: WorkingCalendar, day: date, name: str) -> None:
    assert calendar.holidays_in(day.year)[day] == name
    assert not calendar.is_working_day(day)


def test_weekends_are_skipped(calendar: WorkingCalendar) -> None:
    # Received Friday 2026-03-06: Saturday 7 and Sunday 8 are skipped, day 1 is Monday 9.
    assert calendar.add_working_days(datetime(2026, 3, 6, 10, 0), 1) == datetime(2026, 3, 9, 17, 0)
    # Received on a Saturday: counting still starts on the next working day.
    assert calendar.add_working_days(datetime(2026, 3, 7, 9, 0), 1) == datetime(2026, 3, 9, 17, 0)
    # Received Monday evening: the receipt day is never counted, whatever the hour.
    assert calendar.add_working_days(datetime(2026, 3, 9, 20, 0), 2) == datetime(2026, 3, 11, 17, 0)


def test_deadline_across_tet_2026(calendar: WorkingCalendar) -> None:
    # Lunar new year 2026 is Tuesday 17/2. The package gives Mon 16/2 (giao thừa) to Fri 20/2 (mùng 4) off;
    # 21–22/2 is a weekend. Received Friday 13/2, so day 1 is Monday 23/2:
    # 23, 24, 25, 26, 27/2 are days 1–5, then 2, 3, 4, 5, 6/3 are days 6–10 -> Friday 6/3 at 17:00.
    assert calendar.add_working_days(datetime(2026, 2, 13, 9, 30), 10) == datetime(2026, 3, 6, 17, 0)


def test_gio_to_2026_and_30_4(calendar: WorkingCalendar) -> None:
    # Giỗ Tổ 2026 is Sunday 26/4, compensated on Monday 27/4; 30/4 (Thu) and 1/5 (Fri) are off.
    # Received Friday 24/4: 27/4 off, Tue 28/4 day 1, Wed 29/4 day 2, 30/4–3/5 off, Mon 4/5 day 3.
    assert not calendar.is_working_day(date(2026, 4, 27))
    assert calendar.add_working_days(datetime(2026, 4, 24, 11, 0), 3) == datetime(2026, 5, 4, 17, 0)


def test_30_4_and_1_5_2025_with_the_package_swap(calendar: WorkingCalendar) -> None:
    # 2025: 30/4 (Wed) and 1/5 (Thu) off, Friday 2/5 off by swap with Saturday 26/4 (worked).
    # Received Tuesday 29/4: 30/4, 1/5, 2/5, 3/5, 4/5 are not worked -> day 1 is Monday 5/5.
    assert calendar.is_working_day(date(2025, 4, 26))
    assert calendar.add_working_days(datetime(2025, 4, 29, 15, 0), 1) == datetime(2025, 5, 5, 17, 0)


def test_national_day_and_its_adjacent_day(calendar: WorkingCalendar) -> None:
    # 2027: Thursday 2/9 and the adjacent Friday 3/9. Received Wednesday 1/9 -> day 1 is Monday 6/9.
    assert calendar.add_working_days(datetime(2027, 9, 1, 10, 0), 1) == datetime(2027, 9, 6, 17, 0)
    # 2023: 2/9 was a Saturday: Friday 1/9 is the adjacent day and Monday 4/9 the compensation day.
    assert not calendar.is_working_day(date(2023, 9, 1))
    assert not calendar.is_working_day(date(2023, 9, 4))
    assert calendar.is_working_day(date(2023, 9, 5))


def test_substitution_days_from_the_data_file(swapped: WorkingCalendar, calendar: WorkingCalendar) -> None:
    # Without the swap, Friday 8/3/2030 + 1 is Monday 11/3; with it, Monday is off -> Tuesday 12/3.
    assert calendar.add_working_days(datetime(2030, 3, 8, 10, 0), 1) == datetime(2030, 3, 11, 17, 0)
    assert swapped.add_working_days(datetime(2030, 3, 8, 10, 0), 1) == datetime(2030, 3, 12, 17, 0)
    # The make-up Saturday 16/3 is worked: Friday 15/3 + 1 is that Saturday, not Monday 18/3.
    assert swapped.add_working_days(datetime(2030, 3, 15, 10, 0), 1) == datetime(2030, 3, 16, 17, 0)
    assert not swapped.is_working_day(date(2030, 3, 17))  # the Sunday stays off
    assert swapped.holidays_in(2030)[date(2030, 3, 11)] == "Ngày nghỉ hoán đổi"


@pytest.mark.parametrize(
    ("swaps", "message"),
    [
        ("  2030:\n    working_days:\n      - {date: 2030-03-16}\n", "no legal source"),
        ("  2031:\n    working_days:\n      - {date: 2030-03-16, source: x}\n", "listed under 2031"),
    ],
)
def test_substitutions_are_checked(tmp_path: Path, swaps: str, message: str) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(TEST_YAML.split("substitutions:")[0] + "substitutions:\n" + swaps, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        WorkingCalendar.load(path)


def test_unquoted_hours_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    # Unquoted, YAML 1.1 reads 17:00 as the base-60 number 1020.
    path.write_text(TEST_YAML.replace('end: "17:00"', "end: 17:00"), encoding="utf-8")
    with pytest.raises(ValueError, match="quote times"):
        WorkingCalendar.load(path)


def test_warning_at_80_percent(calendar: WorkingCalendar) -> None:
    # Received Monday 2/3/2026 10:00, 10 working days -> deadline Monday 16/3 17:00 (no holiday between).
    # Working time: 7 h on 2/3 plus 10 days x 9 h = 97 h; 80 % is 77.6 h. After 2/3 (7 h), 70.6 h remain:
    # 7 full days (3, 4, 5, 6, 9, 10, 11/3 = 63 h) and 7.6 h of Thursday 12/3 -> 08:00 + 7 h 36 min = 15:36.
    start = datetime(2026, 3, 2, 10, 0)
    deadline = calendar.add_working_days(start, 10)
    assert deadline == datetime(2026, 3, 16, 17, 0)
    assert calendar.warning_at(start, deadline) == datetime(2026, 3, 12, 15, 36)
    assert calendar.warning_at(start, deadline, fraction=1.0) == deadline


def test_working_days_between(calendar: WorkingCalendar) -> None:
    monday = datetime(2026, 3, 9, 8, 0)
    assert calendar.working_days_between(monday, monday) == 0
    assert calendar.working_days_between(monday, monday - timedelta(hours=5)) == 0
    assert calendar.working_days_between(monday, datetime(2026, 3, 9, 17, 0)) == 1
    # Friday 13:00–17:00 (4 h) plus Monday 08:00–12:30 (4.5 h) = 8.5 h of a 9-hour day.
    assert calendar.working_days_between(datetime(2026, 3, 6, 13, 0), datetime(2026, 3, 9, 12, 30)) == 8.5 / 9
    # Across Tết 2026 only Friday 13/2 and Monday 23/2 are worked.
    assert calendar.working_days_between(datetime(2026, 2, 13, 8, 0), datetime(2026, 2, 23, 17, 0)) == 2


@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
    first=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
    extra=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
)
def test_working_days_between_is_monotonic(
    calendar: WorkingCalendar, start: datetime, first: timedelta, extra: timedelta
) -> None:
    earlier = calendar.working_days_between(start, start + first)
    later = calendar.working_days_between(start, start + first + extra)
    assert 0 <= earlier <= later <= (first + extra) / timedelta(hours=9)


def test_aware_input_keeps_its_tzinfo(calendar: WorkingCalendar) -> None:
    # 10:00 in Hồ Chí Minh City, given in local time and in UTC: the same deadline, 17:00 local.
    local = datetime(2026, 3, 2, 10, 0, tzinfo=ICT)
    utc = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert calendar.add_working_days(local, 10) == datetime(2026, 3, 16, 17, 0, tzinfo=ICT)
    deadline = calendar.add_working_days(utc, 10)
    assert deadline.tzinfo is UTC
    assert (deadline.hour, deadline.minute) == (10, 0)
    warning = calendar.warning_at(utc, deadline)
    assert warning.tzinfo is UTC and warning == datetime(2026, 3, 12, 15, 36, tzinfo=ICT)
    # Late on Monday in UTC is already Tuesday in Vietnam, so Tuesday is the receipt day.
    assert calendar.add_working_days(datetime(2026, 3, 2, 20, 0, tzinfo=UTC), 1) == datetime(
        2026, 3, 4, 17, 0, tzinfo=ICT
    )


def test_invalid_arguments(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        calendar.add_working_days(datetime(2026, 3, 2, 10, 0), 0)
    with pytest.raises(ValueError):
        calendar.warning_at(datetime(2026, 3, 2), datetime(2026, 3, 3), fraction=1.5)
