"""A session's agenda, built from the data for its departments and topics.

`build` gathers what the meeting should see: the period's figures per department against the period
before, the recurring problems (the report's clustering), the overdue and reopened tickets, the registered
questions grouped by similarity (the same clustering), and every commitment of earlier sessions with its
status. The period runs from the previous session of any of the same departments (or `DEFAULT_DAYS` before)
to this session's day. `propose` turns that into agenda items; organisers pick, order and annotate them
(`add`, `move`, `annotate`, `remove`), and the secretary records answers on them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlmodel import Session, col, select

from tickets.calendar.sla import LOCAL_TZ
from tickets.dialogues import commitments, sessions, texts
from tickets.reports import clusters, stats
from tickets.reports.data import Cluster, Filters, OverdueTicket, Period, ratio
from tickets.storage.db import Database
from tickets.storage.models import AgendaItem, Commitment, DialogueSession, SessionQuestion, Ticket

DEFAULT_DAYS = 90  # the period when no earlier session shares a department
CLUSTERS_PER_DEPARTMENT = 3
# The newest tickets of a department clustered for its recurring problems: the meeting needs the current
# ones, and clustering costs the square of the count (a whole report clusters 3000)
CLUSTERED_PER_DEPARTMENT = 1000
TICKETS_PER_DEPARTMENT = 10
TICKETS_PROPOSED = 3  # per department, of the overdue and reopened ones

Encode = Callable[[list[str]], np.ndarray]
"""Normalised sentence vectors of texts (the encoder's query form, as the ticket clusters use)."""


@dataclass(frozen=True)
class Counts:
    received: int
    resolved: int
    overdue: int
    on_time_rate: float | None


@dataclass(frozen=True)
class DepartmentFigures:
    department: str
    now: Counts
    before: Counts


@dataclass(frozen=True)
class TicketLine:
    code: str
    department: str
    topic: str
    state: str
    due_at: datetime
    overdue_days: float | None  # None for a reopened ticket not past its deadline
    reopened: int


@dataclass(frozen=True)
class CommitmentLine:
    commitment: Commitment
    session_title: str
    status: str  # kept | late | in_progress | overdue


@dataclass(frozen=True)
class Agenda:
    session: DialogueSession
    period: Period
    previous_period: Period
    figures: list[DepartmentFigures]
    clusters: list[tuple[str, Cluster]]  # (department, cluster)
    tickets: list[TicketLine]
    question_groups: list[list[SessionQuestion]]
    commitments: list[CommitmentLine]


def period_of(session: Session, dialogue: DialogueSession) -> Period:
    """From the previous session that shares a department (its day included) to the day before this one."""
    day = dialogue.starts_at.astimezone(LOCAL_TZ).date()
    earlier = session.exec(
        select(DialogueSession)
        .where(col(DialogueSession.starts_at) < dialogue.starts_at, col(DialogueSession.id) != dialogue.id)
        .order_by(col(DialogueSession.starts_at).desc())
    ).all()
    shared = next((s for s in earlier if set(s.departments) & set(dialogue.departments)), None)
    first = shared.starts_at.astimezone(LOCAL_TZ).date() if shared else day - timedelta(days=DEFAULT_DAYS)
    return Period.between(first, max(first, day - timedelta(days=1)))


def build(database: Database, dialogue_id: int, *, now: datetime, encode: Encode | None = None) -> Agenda:
    with database.session() as session:
        dialogue = session.get(DialogueSession, dialogue_id)
        if dialogue is None:
            raise LookupError(dialogue_id)
        period = period_of(session, dialogue)
        previous = period.previous()
        departments = list(dialogue.departments)
        figures = _figures(session, period, previous, departments, now)
        tickets = _tickets(session, period, departments, now)
        questions = sessions.questions_of(session, dialogue.id)
        earlier = [
            CommitmentLine(c, s.title, commitments.status(c, now)) for c, s in commitments.earlier(session, dialogue)
        ]
        session.expunge_all()
    window = stats.Window.of(period, now)
    found = [
        (department, cluster)
        for department in departments
        for cluster in clusters.recurring_problems(
            database,
            period_start=window.start,
            period_end=window.end,
            filters=Filters(department=department),
            max_tickets=CLUSTERED_PER_DEPARTMENT,
            limit=CLUSTERS_PER_DEPARTMENT,
        )
    ]
    return Agenda(dialogue, period, previous, figures, found, tickets, group_questions(questions, encode), earlier)


def _counts(group: stats.Group | None) -> Counts:
    if group is None:
        return Counts(0, 0, 0, None)
    return Counts(group.received, group.resolved, group.overdue, ratio(group.on_time, group.resolved))


def _figures(
    session: Session, period: Period, previous: Period, departments: Sequence[str], now: datetime
) -> list[DepartmentFigures]:
    current = {g.key: g for g in stats.grouped(session, period, Filters(), "department", now=now)}
    before = {g.key: g for g in stats.grouped(session, previous, Filters(), "department", now=now)}
    return [DepartmentFigures(d, _counts(current.get(d)), _counts(before.get(d))) for d in departments]


def _tickets(session: Session, period: Period, departments: Sequence[str], now: datetime) -> list[TicketLine]:
    """Per department, its overdue tickets, most late first, then its reopened ones (read for every
    department in one query)."""
    window = stats.Window.of(period, now)
    reopened: dict[str, list[Ticket]] = {}
    for ticket in session.exec(
        select(Ticket)
        .where(
            col(Ticket.department).in_(departments),
            col(Ticket.reopen_count) > 0,
            col(Ticket.updated_at) >= window.start,
            col(Ticket.updated_at) < window.end,
        )
        .order_by(col(Ticket.reopen_count).desc(), col(Ticket.code))
    ).all():
        reopened.setdefault(ticket.department, []).append(ticket)
    lines: list[TicketLine] = []
    for department in departments:
        late: list[OverdueTicket] = stats.overdue_tickets(
            session, period, Filters(department=department), now=now, names={}, limit=TICKETS_PER_DEPARTMENT
        )
        counts = {t.code: t.reopen_count for t in reopened.get(department, [])}
        lines += [
            TicketLine(t.code, department, t.topic, t.state, t.due_at, t.overdue_days, counts.get(t.code, 0))
            for t in late
        ]
        seen = {t.code for t in late}
        lines += [
            TicketLine(t.code, department, t.topic, t.state.value, t.due_at, None, t.reopen_count)
            for t in reopened.get(department, [])
            if t.code not in seen
        ][:TICKETS_PER_DEPARTMENT]
    return lines


def group_questions(questions: Sequence[SessionQuestion], encode: Encode | None) -> list[list[SessionQuestion]]:
    """The registered questions in groups of similar ones (average linkage on cosine distance, cut where the
    ticket clusters are cut), the largest group first; without an encoder each question stands alone."""
    if len(questions) < 2 or encode is None:
        return [[q] for q in questions]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    vectors = encode([q.question for q in questions])
    distances = np.clip(1.0 - (vectors @ vectors.T).astype(np.float64), 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    assignment = fcluster(
        linkage(squareform(distances, checks=False), method="average"),
        t=clusters.DISTANCE_THRESHOLD,
        criterion="distance",
    )
    groups: dict[int, list[SessionQuestion]] = {}
    for question, group in zip(questions, assignment.tolist(), strict=True):
        groups.setdefault(group, []).append(question)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0].id))


def propose(agenda: Agenda, names: Mapping[str, str]) -> list[AgendaItem]:
    """The items the data suggests, in the order a meeting takes them: earlier commitments, registered
    questions (by group), recurring problems, then the overdue and reopened tickets."""
    session_id = agenda.session.id
    items = [
        AgendaItem(
            session_id=session_id,
            kind="commitment",
            reference=str(line.commitment.id),
            title=f"{names.get(line.commitment.department, line.commitment.department)}: {line.commitment.promise}",
            department=line.commitment.department,
        )
        for line in agenda.commitments
        if line.status in ("in_progress", "overdue", "late")
    ]
    for group in agenda.question_groups:
        for question in group:
            items.append(
                AgendaItem(
                    session_id=session_id,
                    kind="question",
                    reference=question.code,
                    title=question.question,
                    department=question.department,
                    note=f"Cùng nhóm với {len(group) - 1} câu hỏi tương tự." if len(group) > 1 else "",
                )
            )
    items += [
        AgendaItem(
            session_id=session_id,
            kind="cluster",
            reference="",
            title=f"{cluster.label} ({cluster.size} phản ánh)",
            department=department,
            note="Ví dụ: " + ", ".join(e.code for e in cluster.examples),
        )
        for department, cluster in agenda.clusters
    ]
    by_department: dict[str, int] = {}
    for line in agenda.tickets:
        by_department[line.department] = by_department.get(line.department, 0) + 1
        if by_department[line.department] > TICKETS_PROPOSED:
            continue
        what = f"quá hạn {line.overdue_days:g} ngày làm việc" if line.overdue_days else f"mở lại {line.reopened} lần"
        items.append(
            AgendaItem(
                session_id=session_id,
                kind="ticket",
                reference=line.code,
                title=f"Phản ánh {line.code} ({what})",
                department=line.department,
            )
        )
    return items


def items_of(session: Session, dialogue_id: int) -> list[AgendaItem]:
    return list(
        session.exec(
            select(AgendaItem)
            .where(col(AgendaItem.session_id) == dialogue_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        ).all()
    )


def add(session: Session, dialogue_id: int, proposed: Sequence[AgendaItem]) -> int:
    """Append the proposed items not on the agenda yet (same kind and reference, or same title); how many."""
    present = items_of(session, dialogue_id)
    seen = {(i.kind, i.reference or i.title) for i in present}
    position = max((i.position for i in present), default=0)
    added = 0
    for item in proposed:
        if (item.kind, item.reference or item.title) in seen:
            continue
        position += 1
        item.position = position
        session.add(item)
        seen.add((item.kind, item.reference or item.title))
        added += 1
    return added


def move(session: Session, item: AgendaItem, step: int) -> None:
    """Swap the item with its neighbour above (step −1) or below (step 1)."""
    items = items_of(session, item.session_id)
    index = next(i for i, found in enumerate(items) if found.id == item.id)
    other = index + step
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for position, found in enumerate(items, start=1):
            found.position = position
            session.add(found)


def annotate(session: Session, item: AgendaItem, note: str) -> None:
    item.note = note.strip()[:2000]
    session.add(item)


def remove(session: Session, item: AgendaItem) -> None:
    if item.answered_at is not None:
        raise sessions.SessionError(texts.ITEM_ANSWERED)
    for commitment in session.exec(select(Commitment).where(col(Commitment.item_id) == item.id)).all():
        commitment.item_id = None
        session.add(commitment)
    session.delete(item)
