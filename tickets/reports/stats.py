"""The statistics, computed by the database: aggregate SQL over the tickets and the transcripts,
with durations in working days read from the `calendar_days` table (the ticket calendar of
`tickets.calendar.sla`), on SQLite and on PostgreSQL alike.

Definitions, for a period [start, end) of local dates:
- received: filed in the period; resolved: answered in the period (the latest answer, after a reopening);
- backlog: filed before the end and not answered by then, aged in working days at the end (or now);
- overdue: in the backlog past its deadline, or answered in the period after its deadline;
- on-time rate: answered by the deadline ÷ resolved;
- time to acknowledgement and to resolution: working days from the day of receipt, as deadlines count
  them; median and 90th percentile by nearest rank;
- satisfaction: over the resolved tickets that were rated; response rate = rated ÷ resolved;
- reopen rate: resolved tickets reopened at least once ÷ resolved; transfer rate: received tickets
  transferred at least once ÷ received;
- self-service rate: conversations with a topical question in the period that the bot answered, with no
  "Chưa đúng" and no ticket filed from them in the period ÷ conversations with a topical question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from tickets.calendar.sla import LOCAL_TZ
from tickets.domain import payloads
from tickets.reports.data import (
    BreakdownRow,
    CommitmentRow,
    Filters,
    Measures,
    MonthRow,
    OverdueTicket,
    Period,
    Spread,
    Summary,
    ratio,
)
from tickets.reports.metrics import summarise
from tickets.storage.models import CalendarDay, Commitment, CommitmentState, Conversation, Ticket, TranscriptMessage


@dataclass(frozen=True)
class Window:
    """A period as UTC instants, with the moment the backlog is measured at (its end, or now if sooner)."""

    start: datetime
    end: datetime
    as_of: datetime

    @classmethod
    def of(cls, period: Period, now: datetime) -> Window:
        start = datetime.combine(period.start, time(), LOCAL_TZ)
        end = datetime.combine(period.end, time(), LOCAL_TZ)
        return cls(start, end, min(end, now))


def local_day(session: Session, column: ColumnElement) -> ColumnElement:
    """The local (Asia/Ho_Chi_Minh) date of a UTC timestamp column, in the database's own terms."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(str(LOCAL_TZ), column), Date)
    return func.date(column, "+7 hours")  # Vietnam keeps no daylight saving time


DIMENSIONS = ("department", "topic", "channel", "ward")


def local_month(session: Session, column: ColumnElement) -> ColumnElement:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(str(LOCAL_TZ), column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+7 hours")


def _day_index(session: Session, column: ColumnElement) -> tuple[type[CalendarDay], ColumnElement[bool]]:
    """A calendar row to join for a timestamp's local day, and the join condition (a hash join on
    PostgreSQL, an index look-up per row on SQLite)."""
    day = aliased(CalendarDay)
    return day, day.day == local_day(session, column)


def _index_of_date(session: Session, value: date) -> int:
    index = session.scalar(select(CalendarDay.working_index).where(CalendarDay.day == value))
    if index is None:
        raise ValueError(f"{value} is outside the ticket calendar")
    return index


def dimension_column(dimension: str) -> ColumnElement:
    """The column a breakdown or a filter reads; a ticket's place is its commune-level unit, or for a ticket
    filed before 1 July 2025 the district it was filed with."""
    if dimension == "ward":
        return func.coalesce(col(Ticket.ward), col(Ticket.district))
    if dimension in ("topic", "department", "channel"):
        return col(getattr(Ticket, dimension))
    raise ValueError(f"unknown dimension {dimension!r}")


def filtered(filters: Filters) -> list[ColumnElement[bool]]:
    return [dimension_column(name) == value for name in DIMENSIONS if (value := getattr(filters, name)) is not None]


def _between(column: ColumnElement, window: Window) -> ColumnElement[bool]:
    return and_(column >= window.start, column < window.end)


def _percentiles(
    session: Session, start: ColumnElement, end: ColumnElement | int, conditions: Sequence[ColumnElement[bool]]
) -> tuple[float | None, float | None, float | None]:
    """Median, 90th percentile (nearest rank) and maximum of the working days from `start` to `end` (a
    timestamp column, or a working index) over the tickets matching `conditions`."""
    first, joined_first = _day_index(session, start)
    query = select(Ticket.id).join(first, joined_first)
    if isinstance(end, int):
        durations = literal(end) - first.working_index
    else:
        last, joined_last = _day_index(session, end)
        query = query.join(last, joined_last)
        durations = last.working_index - first.working_index
    ranked = (
        query.with_only_columns(
            durations.label("d"),
            func.row_number().over(order_by=durations).label("rn"),
            func.count().over().label("n"),
        )
        .where(*conditions)
        .subquery()
    )
    row = session.execute(
        select(
            func.min(case((ranked.c.rn * 100 >= ranked.c.n * 50, ranked.c.d))),
            func.min(case((ranked.c.rn * 100 >= ranked.c.n * 90, ranked.c.d))),
            func.max(ranked.c.d),
        )
    ).one()
    return tuple(None if value is None else float(value) for value in row)  # type: ignore[return-value]


def _percentiles_in_one_pass(
    session: Session,
    durations: Sequence[tuple[ColumnElement | int, Sequence[ColumnElement[bool]]]],
    where: Sequence[ColumnElement[bool]],
) -> list[tuple]:
    """PostgreSQL: the figures of `_percentiles` from receipt to each (end, conditions) of `durations`, in one
    scan of the tickets matching `where`, with its ordered-set aggregates (`percentile_disc` is the nearest
    rank). The calendar is read once as an array indexed by day, cheaper than a join per timestamp."""
    calendar = select(
        type_coerce(
            func.array_agg(aggregate_order_by(CalendarDay.working_index, CalendarDay.day)), ARRAY(Integer)
        ).label("index"),
        func.min(CalendarDay.day).label("first"),
    ).cte("calendar")

    def index_of(column: ColumnElement) -> ColumnElement:
        return calendar.c.index[type_coerce(local_day(session, column) - calendar.c.first, Integer) + 1]

    received_index = index_of(col(Ticket.created_at))
    measured = []
    for number, (end, conditions) in enumerate(durations):
        duration = (literal(end) if isinstance(end, int) else index_of(end)) - received_index
        measured += [case((and_(*conditions), duration)).label(f"d{number}")]
    # OFFSET 0 keeps the subquery whole, so each duration is computed once per ticket, not once per aggregate
    rows = select(*measured).select_from(Ticket).join(calendar, literal(True)).where(*where).offset(0).subquery()
    columns = []
    for number in range(len(durations)):
        duration = rows.c[f"d{number}"]
        columns += [func.percentile_disc(fraction).within_group(duration) for fraction in (0.5, 0.9)] + [
            func.max(duration)
        ]
    row = session.execute(select(*columns)).one()
    values = [None if value is None else float(value) for value in row]
    return [tuple(values[i : i + 3]) for i in range(0, len(values), 3)]


def summary(
    session: Session, period: Period, filters: Filters, *, now: datetime, topics_of: dict[str, list[str]]
) -> Summary:
    """The headline figures of one period; `topics_of` maps a department to its topics (for conversations,
    which carry a topic, not a department)."""
    return summarise(measures(session, period, filters, now=now, topics_of=topics_of))


def measures(
    session: Session, period: Period, filters: Filters, *, now: datetime, topics_of: dict[str, list[str]]
) -> Measures:
    """The counts the headline metrics are computed from, in one aggregate query over the tickets, the
    working-day spreads, and one pass over the transcript."""
    window = Window.of(period, now)
    where = filtered(filters)
    received = _between(col(Ticket.created_at), window)
    resolved = _between(col(Ticket.resolved_at), window)
    open_at_end = and_(
        col(Ticket.created_at) < window.as_of,
        or_(col(Ticket.resolved_at).is_(None), col(Ticket.resolved_at) >= window.as_of),
    )
    late = col(Ticket.resolved_at) > col(Ticket.due_at)
    counts = session.execute(
        select(
            func.sum(case((received, 1), else_=0)),
            func.sum(case((resolved, 1), else_=0)),
            func.sum(case((open_at_end, 1), else_=0)),
            func.sum(
                case((and_(open_at_end, col(Ticket.due_at) < window.as_of), 1), (and_(resolved, late), 1), else_=0)
            ),
            func.sum(case((and_(resolved, ~late), 1), else_=0)),
            func.sum(case((and_(resolved, col(Ticket.rating).is_not(None)), 1), else_=0)),
            func.avg(case((resolved, Ticket.rating))),
            func.sum(case((and_(resolved, col(Ticket.rating) >= 4), 1), else_=0)),
            func.sum(case((and_(resolved, col(Ticket.reopen_count) > 0), 1), else_=0)),
            func.sum(case((and_(received, col(Ticket.transfer_count) > 0), 1), else_=0)),
        ).where(*where)
    ).one()
    n_received, n_resolved, backlog, overdue, on_time, rated, mean_rating, four_plus, reopened, transferred = (
        int(v or 0) if i != 6 else v for i, v in enumerate(counts)
    )
    as_of_index = _index_of_date(session, window.as_of.astimezone(LOCAL_TZ).date())
    durations = [
        (as_of_index, [*where, open_at_end]),
        (col(Ticket.acknowledged_at), [*where, received]),
        (col(Ticket.resolved_at), [*where, resolved]),
    ]
    if session.get_bind().dialect.name == "postgresql":
        backlog_age, acknowledge, resolution = _percentiles_in_one_pass(
            session, durations, [*where, or_(received, resolved, open_at_end)]
        )
    else:
        backlog_age, acknowledge, resolution = (
            _percentiles(session, col(Ticket.created_at), end, conditions) for end, conditions in durations
        )
    topical, self_served = self_service(session, window, filters, topics_of=topics_of)
    return Measures(
        received=n_received,
        resolved=n_resolved,
        backlog=backlog,
        overdue=overdue,
        on_time=on_time,
        rated=rated,
        rating_mean=None if mean_rating is None else float(mean_rating),
        rated_4_plus=four_plus,
        reopened=reopened,
        transferred=transferred,
        backlog_age=Spread(*backlog_age),
        acknowledge=Spread(*acknowledge),
        resolution=Spread(*resolution),
        topical_conversations=topical,
        self_served=self_served,
    )


def self_service(
    session: Session, window: Window, filters: Filters, *, topics_of: dict[str, list[str]]
) -> tuple[int, int]:
    """(conversations with a topical question in the period, those the bot served alone): one pass over the
    period's transcript, grouped by conversation, then the conversations that filed a ticket set apart."""
    message = TranscriptMessage
    topical = and_(message.direction == "in", col(message.topic).is_not(None))
    if filters.topic is not None:
        topical = and_(topical, message.topic == filters.topic)
    if filters.department is not None:
        topical = and_(topical, col(message.topic).in_(topics_of.get(filters.department, [])))
    per_conversation = (
        select(
            message.conversation_id.label("conversation_id"),
            func.max(case((topical, 1), else_=0)).label("topical"),
            func.max(case((and_(message.direction == "out", col(message.answer_id).is_not(None)), 1), else_=0)).label(
                "answered"
            ),
            func.max(case((and_(message.direction == "in", message.payload == payloads.NOT_RIGHT), 1), else_=0)).label(
                "unhappy"
            ),
        )
        .where(_between(col(message.created_at), window))
        .group_by(message.conversation_id)
    )
    if filters.channel is not None:
        per_conversation = per_conversation.join(Conversation, Conversation.id == message.conversation_id).where(
            Conversation.channel == filters.channel
        )
    grouped_ = per_conversation.subquery()
    filed = select(Ticket.conversation_id).where(
        _between(col(Ticket.created_at), window), col(Ticket.conversation_id).is_not(None)
    )
    served_alone = case(
        (and_(grouped_.c.answered == 1, grouped_.c.unhappy == 0, ~grouped_.c.conversation_id.in_(filed)), 1), else_=0
    )
    total, served = session.execute(select(func.count(), func.sum(served_alone)).where(grouped_.c.topical == 1)).one()
    return int(total or 0), int(served or 0)


@dataclass(frozen=True)
class Group:
    """Raw counts of one topic, department, channel or place in a period."""

    key: str
    received: int
    resolved: int
    overdue: int
    on_time: int
    rating_mean: float | None
    reopened: int
    transferred: int


def grouped(session: Session, period: Period, filters: Filters, dimension: str, *, now: datetime) -> list[Group]:
    """The period's counts per value of `dimension`, in one aggregate query."""
    window = Window.of(period, now)
    key = func.coalesce(dimension_column(dimension), "")
    received = _between(col(Ticket.created_at), window)
    resolved = _between(col(Ticket.resolved_at), window)
    late = col(Ticket.resolved_at) > col(Ticket.due_at)
    open_overdue = and_(
        col(Ticket.created_at) < window.as_of,
        col(Ticket.due_at) < window.as_of,
        or_(col(Ticket.resolved_at).is_(None), col(Ticket.resolved_at) >= window.as_of),
    )
    rows = session.execute(
        select(
            key,
            func.sum(case((received, 1), else_=0)),
            func.sum(case((resolved, 1), else_=0)),
            func.sum(case((open_overdue, 1), (and_(resolved, late), 1), else_=0)),
            func.sum(case((and_(resolved, ~late), 1), else_=0)),
            func.avg(case((resolved, Ticket.rating))),
            func.sum(case((and_(resolved, col(Ticket.reopen_count) > 0), 1), else_=0)),
            func.sum(case((and_(received, col(Ticket.transfer_count) > 0), 1), else_=0)),
        )
        .where(*filtered(filters), or_(received, resolved, open_overdue))
        .group_by(key)
    ).all()
    return [
        Group(
            k,
            int(r or 0),
            int(s or 0),
            int(o or 0),
            int(t or 0),
            None if m is None else float(m),
            int(ro or 0),
            int(tr or 0),
        )
        for k, r, s, o, t, m, ro, tr in rows
    ]


def breakdown(
    session: Session, period: Period, filters: Filters, dimension: str, *, now: datetime, labels: dict[str, str]
) -> list[BreakdownRow]:
    """Received, resolved, overdue, on-time rate and satisfaction per topic, department, channel or place."""
    rows = [
        BreakdownRow(
            key=g.key,
            label=labels.get(g.key, g.key or "Không rõ"),
            received=g.received,
            resolved=g.resolved,
            overdue=g.overdue,
            on_time_rate=ratio(g.on_time, g.resolved),
            satisfaction_mean=g.rating_mean,
        )
        for g in grouped(session, period, filters, dimension, now=now)
    ]
    return sorted(rows, key=lambda row: (-row.received, row.label))


def months(session: Session, period: Period, filters: Filters, *, now: datetime) -> list[MonthRow]:
    """Received and resolved per calendar month of the period, every month listed."""
    window = Window.of(period, now)
    where = filtered(filters)
    created_month, resolved_month = (
        local_month(session, col(Ticket.created_at)),
        local_month(session, col(Ticket.resolved_at)),
    )
    received = dict(
        session.execute(
            select(created_month, func.count())
            .where(*where, _between(col(Ticket.created_at), window))
            .group_by(created_month)
        ).all()
    )
    resolved = dict(
        session.execute(
            select(resolved_month, func.count())
            .where(*where, _between(col(Ticket.resolved_at), window))
            .group_by(resolved_month)
        ).all()
    )
    result, month = [], date(period.start.year, period.start.month, 1)
    while month < period.end:
        label = f"{month.year}-{month.month:02d}"
        result.append(MonthRow(label, int(received.get(label, 0)), int(resolved.get(label, 0))))
        month = (month + timedelta(days=32)).replace(day=1)
    return result


def overdue_tickets(
    session: Session, period: Period, filters: Filters, *, now: datetime, names: dict[str, str], limit: int = 200
) -> list[OverdueTicket]:
    """The period's overdue tickets (open past the deadline at its end, or answered late in it), by department
    then by lateness, with working days past the deadline."""
    window = Window.of(period, now)
    as_of_index = _index_of_date(session, window.as_of.astimezone(LOCAL_TZ).date())
    due_day, joined_due = _day_index(session, col(Ticket.due_at))
    resolved_day, joined_resolved = _day_index(session, col(Ticket.resolved_at))
    still_open = or_(col(Ticket.resolved_at).is_(None), col(Ticket.resolved_at) >= window.as_of)
    lateness = case(
        (still_open, literal(as_of_index) - due_day.working_index),
        else_=resolved_day.working_index - due_day.working_index,
    )
    rows = session.execute(
        select(Ticket.code, Ticket.department, Ticket.topic, Ticket.created_at, Ticket.due_at, lateness, Ticket.state)
        .join(due_day, joined_due)
        .outerjoin(resolved_day, joined_resolved)
        .where(
            *filtered(filters),
            or_(
                and_(col(Ticket.created_at) < window.as_of, col(Ticket.due_at) < window.as_of, still_open),
                and_(_between(col(Ticket.resolved_at), window), col(Ticket.resolved_at) > col(Ticket.due_at)),
            ),
        )
        .order_by(Ticket.department, lateness.desc(), Ticket.code)
        .limit(limit)
    ).all()
    return [
        OverdueTicket(
            code=code,
            department=department,
            department_name=names.get(department, department),
            topic=topic,
            received_at=created,
            due_at=due,
            overdue_days=float(late or 0),
            state=str(getattr(state, "value", state)),
        )
        for code, department, topic, created, due, late, state in rows
    ]


def commitment_rows(
    session: Session, period: Period, filters: Filters, *, now: datetime, names: dict[str, str]
) -> list[CommitmentRow]:
    """Per department, the commitments of dialogue sessions in the period (`CommitmentRow`), in one aggregate
    query; open and overdue are measured at the period's end, or now if sooner. Departments with nothing to
    count are left out; of the filters only the department applies (a commitment has no topic or channel)."""
    window = Window.of(period, now)
    done_in = and_(
        col(Commitment.state) == CommitmentState.done,
        col(Commitment.completed_at) >= window.start,
        col(Commitment.completed_at) < window.as_of,
    )
    late = col(Commitment.completed_at) > col(Commitment.due_at)
    open_at_end = and_(
        col(Commitment.created_at) < window.as_of,
        or_(col(Commitment.completed_at).is_(None), col(Commitment.completed_at) >= window.as_of),
    )
    made = and_(col(Commitment.created_at) >= window.start, col(Commitment.created_at) < window.as_of)
    query = (
        select(
            Commitment.department,
            func.sum(case((made, 1), else_=0)),
            func.sum(case((and_(done_in, ~late), 1), else_=0)),
            func.sum(case((and_(done_in, late), 1), else_=0)),
            func.sum(case((open_at_end, 1), else_=0)),
            func.sum(case((and_(open_at_end, col(Commitment.due_at) < window.as_of), 1), else_=0)),
        )
        .where(col(Commitment.created_at) < window.as_of)
        .group_by(Commitment.department)
        .order_by(Commitment.department)
    )
    if filters.department is not None:
        query = query.where(col(Commitment.department) == filters.department)
    rows = [
        CommitmentRow(department, names.get(department, department), *(int(v or 0) for v in values))
        for department, *values in session.execute(query).all()
    ]
    return [r for r in rows if r.made or r.kept_on_time or r.kept_late or r.open]
