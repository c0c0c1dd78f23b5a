"""Deadline watch: at 80 % of the working time the assignee is warned; past the deadline the
ticket is overdue and the department's leads and the supervisors are told; an answer neither rated nor
reopened within 7 days closes its ticket.

`run_once` is a pure function of the database and `now`; the server calls it every minute
(`watch_deadlines`). Each ticket is claimed with one conditional UPDATE, so several server processes never
warn twice. Every warning is also an audit event of the ticket.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from tickets.domain import services
from tickets.storage.db import Database
from tickets.storage.models import Role, StaffNotification, Ticket, TicketEvent, TicketState, User, utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")
OPEN_STATES = (TicketState.moi, TicketState.dang_xu_ly, TicketState.cho_bo_sung)
INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class Sweep:
    warned: int
    escalated: int
    closed: int = 0


def claim(
    session: Session, table: type[T], still_open: ColumnElement[bool], stamp: str, due: str, now: datetime
) -> list[T]:
    """Rows of `table` (tickets, commitments: each with `due_at`, `warn_at`, `warned_at`, `escalated_at`) still
    open whose `due` moment has passed and that were not yet stamped, stamped now in one conditional UPDATE.
    A row already past its deadline gets no warning: the overdue notice says more."""
    conditions = [still_open, getattr(table, due) <= now, col(getattr(table, stamp)).is_(None)]
    if stamp == "warned_at":
        conditions.append(col(table.due_at) > now)
    return list(session.scalars(update(table).where(*conditions).values({stamp: now}).returning(table)).all())


def _claim(session: Session, stamp: str, due: str, now: datetime) -> list[Ticket]:
    return claim(session, Ticket, col(Ticket.state).in_(OPEN_STATES), stamp, due, now)


def department_users(session: Session, department: str, roles: tuple[Role, ...]) -> list[User]:
    query = select(User).where(col(User.department) == department, col(User.role).in_(roles), col(User.is_active))
    return list(session.exec(query).all())


def supervisors(session: Session) -> list[User]:
    return list(session.exec(select(User).where(col(User.role) == Role.supervisor, col(User.is_active))).all())


def notify(
    session: Session,
    users: list[User],
    kind: str,
    now: datetime,
    *,
    ticket_id: int | None = None,
    commitment_id: int | None = None,
) -> None:
    """One notification per user (each once) about a ticket's or a commitment's deadline."""
    for user_id in dict.fromkeys(u.id for u in users):
        session.add(
            StaffNotification(
                user_id=user_id, ticket_id=ticket_id, commitment_id=commitment_id, kind=kind, created_at=now
            )
        )


def _notify(session: Session, ticket: Ticket, users: list[User], kind: str, now: datetime) -> None:
    notify(session, users, kind, now, ticket_id=ticket.id)
    session.add(
        TicketEvent(
            ticket_id=ticket.id, at=now, actor="system", kind=kind, after={"notified": len(users)}, internal=True
        )
    )


def run_once(database: Database, *, now: datetime) -> Sweep:
    """Warn and escalate whatever is due at `now`."""
    with database.session() as session:
        warned = _claim(session, "warned_at", "warn_at", now)
        for ticket in warned:
            assignee = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
            # Nobody named yet: whoever works the department's queue is warned.
            people = [assignee] if assignee else department_users(session, ticket.department, (Role.staff, Role.lead))
            _notify(session, ticket, people, "warning", now)
        escalated = _claim(session, "escalated_at", "due_at", now)
        for ticket in escalated:
            assignee = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
            people = (
                ([assignee] if assignee else [])
                + department_users(session, ticket.department, (Role.lead,))
                + supervisors(session)
            )
            _notify(session, ticket, people, "overdue", now)
        closed = services.close_answered(session, now=now)
    return Sweep(warned=len(warned), escalated=len(escalated), closed=len(closed))


async def watch_deadlines(
    database: Database, *, clock: Callable[[], datetime] = utcnow, interval: float = INTERVAL_SECONDS
) -> None:
    """Run `run_once` every `interval` seconds until cancelled; a database error is logged and retried."""
    while True:
        try:
            sweep = await asyncio.to_thread(run_once, database, now=clock())
            if sweep.warned or sweep.escalated or sweep.closed:
                log.info("deadlines: %d warned, %d overdue, %d closed", sweep.warned, sweep.escalated, sweep.closed)
        except SQLAlchemyError as error:
            log.error("deadlines: the sweep failed (%s)", type(error).__name__)
        await asyncio.sleep(interval)


def unread(database: Database, user: User) -> list[tuple[StaffNotification, Ticket | None]]:
    """A user's unread notifications, newest first, each with its ticket (None for a dialogue session's
    commitment, which the notification names by `commitment_id`)."""
    with database.session() as session:
        rows = session.exec(
            select(StaffNotification, Ticket)
            .outerjoin(Ticket, col(Ticket.id) == col(StaffNotification.ticket_id))
            .where(col(StaffNotification.user_id) == user.id, col(StaffNotification.read_at).is_(None))
            .order_by(col(StaffNotification.created_at).desc(), col(StaffNotification.id).desc())
        ).all()
        return [(notification, ticket) for notification, ticket in rows]


def unread_count(database: Database, user: User) -> int:
    with database.session() as session:
        query = (
            select(func.count())
            .select_from(StaffNotification)
            .where(col(StaffNotification.user_id) == user.id, col(StaffNotification.read_at).is_(None))
        )
        return session.exec(query).one()


def mark_read(database: Database, user: User, *, now: datetime) -> None:
    with database.session() as session:
        session.exec(
            update(StaffNotification)
            .where(col(StaffNotification.user_id) == user.id, col(StaffNotification.read_at).is_(None))
            .values(read_at=now)
        )
