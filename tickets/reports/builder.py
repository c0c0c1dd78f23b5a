"""A whole dialogue-session report: the figures of `tickets.reports.stats` for a period and the one before, the
department scoreboard, the overdue tickets and the recurring problems."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from knowledge.catalog import Catalog
from nlu.places import unit_named
from tickets.reports import stats
from tickets.reports.data import Cluster, DepartmentScore, Filters, Period, Report, ratio

# The scoreboard's score: a weighted mean of what the plan asks of a department (III.2.1): answer on time,
# answer well, answer for good. A part with nothing to measure is left out and the others re-weighted.
WEIGHTS = {"on_time": 0.5, "satisfaction": 0.3, "not_reopened": 0.2}
SCORE_METHOD = (
    "Điểm (0–100) = 50 % × tỷ lệ giải quyết đúng hạn + 30 % × mức hài lòng quy đổi ((điểm trung bình − 1) ÷ 4)"
    " + 20 % × tỷ lệ không bị mở lại; phần nào chưa có số liệu (chưa có đánh giá) thì bỏ qua và chia lại trọng số."
    " Chỉ xếp hạng đơn vị đã giải quyết ít nhất một phản ánh trong kỳ. Số chuyển đơn vị cho biết phản ánh bị chuyển"
    " sang đơn vị khác, không tính vào điểm."
)

Clusterer = Callable[[Period, Filters], list[Cluster]]


def score(on_time_rate: float | None, satisfaction_mean: float | None, reopen_rate: float | None) -> float | None:
    """The scoreboard's score in [0, 100], by `WEIGHTS`; None when the department resolved nothing."""
    parts = {
        "on_time": on_time_rate,
        "satisfaction": None if satisfaction_mean is None else (satisfaction_mean - 1) / 4,
        "not_reopened": None if reopen_rate is None else 1 - reopen_rate,
    }
    known = {name: value for name, value in parts.items() if value is not None}
    if on_time_rate is None or not known:
        return None
    weight = sum(WEIGHTS[name] for name in known)
    return round(100 * sum(WEIGHTS[name] * value for name, value in known.items()) / weight, 1)


def scoreboard(
    session: Session, period: Period, filters: Filters, *, now: datetime, catalog: Catalog
) -> list[DepartmentScore]:
    """Every department with its figures, score and rank (1 the best; ties share a rank), from one query."""
    groups = {group.key: group for group in stats.grouped(session, period, filters, "department", now=now)}
    board = []
    for code, department in catalog.departments.items():
        if filters.department not in (None, code):
            continue
        g = groups.get(code) or stats.Group(code, 0, 0, 0, 0, None, 0, 0)
        on_time, reopen = ratio(g.on_time, g.resolved), ratio(g.reopened, g.resolved)
        board.append(
            DepartmentScore(
                department=code,
                name=department.label_during(period.start, period.last_day),
                received=g.received,
                resolved=g.resolved,
                overdue=g.overdue,
                on_time_rate=on_time,
                satisfaction_mean=g.rating_mean,
                reopen_rate=reopen,
                transfer_rate=ratio(g.transferred, g.received),
                score=score(on_time, g.rating_mean, reopen),
                rank=None,
            )
        )
    ranked = sorted((entry for entry in board if entry.score is not None), key=lambda entry: -entry.score)
    ranks: dict[str, int] = {}
    for position, entry in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        ranks[entry.department] = ranks[previous.department] if previous and previous.score == entry.score else position
    board = [replace(entry, rank=ranks.get(entry.department)) for entry in board]
    return sorted(board, key=lambda entry: (entry.rank is None, entry.rank or 0, -entry.received, entry.name))


def department_names(catalog: Catalog, period: Period) -> dict[str, str]:
    """Each department's name as a report of `period` shows it: the name in force then (both names when the
    department was renamed within the period)."""
    return {
        code: department.label_during(period.start, period.last_day) for code, department in catalog.departments.items()
    }


def place_label(key: str) -> str:
    """A place as a report shows it: a current unit by its name, a district of a ticket filed before the
    reorganisation marked as such."""
    if not key:
        return "Không rõ"
    return key if unit_named(key) else f"{key} (địa bàn trước 01/7/2025)"


def build_report(
    session: Session,
    period: Period,
    filters: Filters,
    *,
    now: datetime,
    catalog: Catalog,
    clusters: Clusterer | None = None,
    channel_names: Mapping[str, str] | None = None,
) -> Report:
    """Everything the dashboard and the PDF and XLSX reports show for `period`; channels are named by
    `channel_names` (code -> label, from the channel registry), else by their codes."""
    topics_of: dict[str, list[str]] = {}
    for code, topic in catalog.topics.items():
        topics_of.setdefault(topic.department, []).append(code)
    previous_period = period.previous()
    names = department_names(catalog, period)
    by_department = stats.breakdown(session, period, filters, "department", now=now, labels=names)
    return Report(
        period=period,
        previous_period=previous_period,
        filters=filters,
        summary=stats.summary(session, period, filters, now=now, topics_of=topics_of),
        previous=stats.summary(session, previous_period, filters, now=now, topics_of=topics_of),
        by_topic=stats.breakdown(
            session, period, filters, "topic", now=now, labels={code: t.name for code, t in catalog.topics.items()}
        ),
        by_department=by_department,
        by_channel=stats.breakdown(session, period, filters, "channel", now=now, labels=dict(channel_names or {})),
        by_ward=[
            replace(row, label=place_label(row.key))
            for row in stats.breakdown(session, period, filters, "ward", now=now, labels={})
        ],
        months=stats.months(session, period, filters, now=now),
        scoreboard=scoreboard(session, period, filters, now=now, catalog=catalog),
        overdue=stats.overdue_tickets(session, period, filters, now=now, names=names),
        clusters=clusters(period, filters) if clusters else [],
        generated_at=now,
        score_method=SCORE_METHOD,
        commitments=stats.commitment_rows(session, period, filters, now=now, names=names),
    )
