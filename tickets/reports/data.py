"""What a dialogue-session report holds: plain values, computed by `tickets.reports.stats` and
`tickets.reports.clusters`, shown by the console's dashboard and written as PDF and XLSX by `tickets.reports.render`.

Durations are in working days; rates are fractions in [0, 1]; None where nothing was there to measure
(a rate over zero tickets).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]|\d{2}))?$")


@dataclass(frozen=True)
class Period:
    """A reporting period: `start` inclusive, `end` exclusive, both local (Asia/Ho_Chi_Minh) dates."""

    label: str  # "2026", "2026-H1", "2026-Q3", "2026-05", or "2026-01-15..2026-02-14"
    start: date
    end: date

    @classmethod
    def parse(cls, text: str) -> Period:
        """`YYYY`, `YYYY-H1`/`H2`, `YYYY-Q1`..`Q4` or `YYYY-MM`; ValueError (Vietnamese) otherwise."""
        match = _PERIOD.match(text.strip())
        if not match:
            raise ValueError(f"Kỳ báo cáo không hợp lệ: {text!r} (ví dụ: 2026, 2026-H1, 2026-Q3, 2026-05).")
        year, part = int(match.group(1)), match.group(2)
        if part is None:
            return cls(f"{year}", date(year, 1, 1), date(year + 1, 1, 1))
        if part[0] == "H":
            first = 1 if part == "H1" else 7
            return cls(f"{year}-{part}", date(year, first, 1), _month_after(year, first + 5))
        if part[0] == "Q":
            first = 3 * (int(part[1]) - 1) + 1
            return cls(f"{year}-{part}", date(year, first, 1), _month_after(year, first + 2))
        month = int(part)
        if not 1 <= month <= 12:
            raise ValueError(f"Tháng không hợp lệ: {text!r}.")
        return cls(f"{year}-{month:02d}", date(year, month, 1), _month_after(year, month))

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        """A custom period from `first` to `last`, both days included."""
        if last < first:
            raise ValueError("Ngày kết thúc phải sau ngày bắt đầu.")
        return cls(f"{first.isoformat()}..{last.isoformat()}", first, date.fromordinal(last.toordinal() + 1))

    @classmethod
    def between_days(cls, first: str, last: str) -> Period:
        """`between` from two ISO dates as typed ("2026-01-15"); ValueError (Vietnamese) for anything else."""
        try:
            start, end = date.fromisoformat(first), date.fromisoformat(last)
        except ValueError:
            raise ValueError(
                f"Ngày không hợp lệ: {first!r}, {last!r} (viết dạng năm-tháng-ngày, ví dụ 2026-01-31)."
            ) from None
        return cls.between(start, end)

    def previous(self) -> Period:
        """The period of the same length just before this one (the month, quarter, half-year or year before)."""
        if re.match(r"^\d{4}(-(H[12]|Q[1-4]|\d{2}))?$", self.label):
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
            year, month = self.start.year, self.start.month - months
            while month < 1:
                year, month = year - 1, month + 12
            start = date(year, month, 1)
            return Period(_label(start, months), start, self.start)
        days = (self.end - self.start).days
        start = date.fromordinal(self.start.toordinal() - days)
        return Period.between(start, date.fromordinal(self.start.toordinal() - 1))

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def title(self) -> str:
        """The period in Vietnamese, for page and report titles."""
        return f"từ {self.start:%d/%m/%Y} đến {self.last_day:%d/%m/%Y}"


def _month_after(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def _label(start: date, months: int) -> str:
    if months == 12:
        return f"{start.year}"
    if months == 6:
        return f"{start.year}-H{1 if start.month == 1 else 2}"
    if months == 3:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


@dataclass(frozen=True)
class Filters:
    """Restrict every figure to one department, topic, channel and/or place (None: all). A place is a current
    commune-level unit ("Phường Sài Gòn"), or the district a ticket filed before 1 July 2025 named."""

    department: str | None = None
    topic: str | None = None
    channel: str | None = None
    ward: str | None = None


def ratio(part: int | None, whole: int | None) -> float | None:
    """part / whole as a rate; None over nothing."""
    return None if not whole else (part or 0) / whole


@dataclass(frozen=True)
class Spread:
    """Working days from receipt over a set of tickets: median, 90th percentile (nearest rank) and maximum."""

    median: float | None
    p90: float | None
    longest: float | None


@dataclass(frozen=True)
class Measures:
    """The counts of one period that the headline metrics are computed from (`tickets.reports.metrics`)."""

    received: int
    resolved: int
    backlog: int  # open at the end of the period
    overdue: int  # open past their deadline at the end of the period, or resolved after it within the period
    on_time: int  # resolved within their deadline
    rated: int  # resolved and rated
    rating_mean: float | None  # 1-5, over the rated tickets resolved in the period
    rated_4_plus: int
    reopened: int  # resolved tickets reopened at least once
    transferred: int  # received tickets transferred at least once
    backlog_age: Spread  # of the backlog, at the end of the period
    acknowledge: Spread  # to the acknowledgement, over the tickets received
    resolution: Spread  # to the resolution, over the tickets resolved
    topical_conversations: int  # conversations with a topical question in the period
    self_served: int  # of those, answered by the bot with no negative feedback and no ticket


@dataclass(frozen=True)
class Summary:
    """The headline figures of one period by metric name (`tickets.reports.metrics.METRICS`), read as
    attributes: `summary.on_time_rate`."""

    values: Mapping[str, float | None]

    def __getattr__(self, name: str) -> float | None:
        if name.startswith("__") or name == "values":  # copying and pickling look for these before `values` is set
            raise AttributeError(name)
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class BreakdownRow:
    """One topic, department, channel or place in the period."""

    key: str  # the code ("thue", "CUC_THUE", "telegram", "Phường Sài Gòn"); "" for tickets without one
    label: str  # what a reader sees ("Thuế", "Cục Thuế Thành phố Hồ Chí Minh", "Telegram", "Quận 1")
    received: int
    resolved: int
    overdue: int
    on_time_rate: float | None
    satisfaction_mean: float | None


@dataclass(frozen=True)
class MonthRow:
    """One calendar month of the period, for the trend chart."""

    month: str  # "2026-05"
    received: int
    resolved: int


@dataclass(frozen=True)
class DepartmentScore:
    """One department's row of the scoreboard; `score` in [0, 100], `rank` 1 for the best."""

    department: str
    name: str
    received: int
    resolved: int
    overdue: int
    on_time_rate: float | None
    satisfaction_mean: float | None
    reopen_rate: float | None
    transfer_rate: float | None
    score: float | None  # None when the department resolved nothing in the period
    rank: int | None


@dataclass(frozen=True)
class OverdueTicket:
    code: str
    department: str
    department_name: str
    topic: str
    received_at: datetime
    due_at: datetime
    overdue_days: float  # working days past the deadline, at the end of the period or at resolution
    state: str


@dataclass(frozen=True)
class ClusterTicket:
    code: str
    excerpt: str  # the start of the description, at most 200 characters


@dataclass(frozen=True)
class Cluster:
    """A recurring problem: similar tickets of the period grouped by meaning."""

    label: str  # a few words that say what the tickets share
    size: int
    topics: list[str]  # the topic codes in the cluster, most frequent first
    examples: list[ClusterTicket]  # the most representative tickets, at most 3


@dataclass(frozen=True)
class CommitmentRow:
    """A department's commitments made in dialogue sessions, for a period: made in it; kept by their
    deadline, kept after it (in the period); not kept at the period's end, and of those past their deadline."""

    department: str
    department_name: str
    made: int
    kept_on_time: int
    kept_late: int
    open: int
    overdue: int


@dataclass(frozen=True)
class Report:
    """Everything a dialogue session's report and the dashboard show for one period."""

    period: Period
    previous_period: Period
    filters: Filters
    summary: Summary
    previous: Summary
    by_topic: list[BreakdownRow]
    by_department: list[BreakdownRow]
    by_channel: list[BreakdownRow]
    by_ward: list[BreakdownRow]
    months: list[MonthRow]
    scoreboard: list[DepartmentScore]
    overdue: list[OverdueTicket]
    clusters: list[Cluster]
    generated_at: datetime
    score_method: str = field(default="")  # how the scoreboard's score is computed, in Vietnamese
    commitments: list[CommitmentRow] = field(default_factory=list)  # made in dialogue sessions
