"""Incoming channel events, kept until the dialogue has handled them.

A webhook stores the event and answers at once; the (channel, event id) pair is unique, so a re-sent
update is recognised. Every claim is a conditional update, so one user's messages are handled one at a
time and in order, and two processes never handle the same event:
- the process that stored an event claims it by its id when the user has nothing earlier unfinished;
- the transaction that finishes an event claims the same user's next one;
- a sweep claims whatever these missed: events left by a stopped process, or stored while the user's
  earlier one was being handled in another process.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tickets.db import Database
from tickets.models import InboundEvent

# A claimed event not finished after this long belongs to a process that stopped: it is handled again.
STALE_AFTER = timedelta(minutes=2)


def accept(database: Database, *, channel: str, external_id: str, user_key: str, message: dict, now: datetime) -> int | None:
    """Store an event; None when the channel already delivered it (a retry)."""
    try:
        with database.session() as session:
            event = InboundEvent(channel=channel, external_id=external_id, user_key=user_key, message=message, received_at=now)
            session.add(event)
            session.flush()
            return event.id
    except IntegrityError:
        return None


def claim(database: Database, event_id: int, *, now: datetime) -> InboundEvent | None:
    """The event just stored, marked as claimed — unless an earlier event of the same user is unfinished."""
    earlier = aliased(InboundEvent)
    user_busy = exists().where(
        earlier.channel == InboundEvent.channel, earlier.user_key == InboundEvent.user_key,
        earlier.id < InboundEvent.id, col(earlier.state).in_(("pending", "processing")),
    )  # fmt: skip
    statement = (
        update(InboundEvent)
        .where(col(InboundEvent.id) == event_id, col(InboundEvent.state) == "pending", ~user_busy)
        .values(state="processing", claimed_at=now, attempts=InboundEvent.attempts + 1)
        .returning(InboundEvent)
    )
    with database.session() as session:
        return session.scalars(statement).first()


def finish(session: Session, event: InboundEvent, *, now: datetime) -> InboundEvent | None:
    """Mark `event` handled and, in the same transaction, claim the same user's next waiting event."""
    event.state, event.processed_at = "done", now
    session.add(event)
    session.flush()
    following = (
        select(func.min(InboundEvent.id))
        .where(InboundEvent.channel == event.channel, InboundEvent.user_key == event.user_key, col(InboundEvent.state) == "pending")
        .scalar_subquery()
    )
    statement = (
        update(InboundEvent)
        .where(col(InboundEvent.id) == following, col(InboundEvent.state) == "pending")
        .values(state="processing", claimed_at=now, attempts=InboundEvent.attempts + 1)
        .returning(InboundEvent)
    )
    return session.scalars(statement).first()


def claim_next(database: Database, *, channels: Sequence[str], now: datetime, limit: int) -> list[InboundEvent]:
    """The oldest unhandled event of each user whose earlier event is not being handled, marked as claimed —
    in one statement, so concurrent workers never claim the same event."""
    claimable = or_(col(InboundEvent.state) == "pending", col(InboundEvent.claimed_at) < now - STALE_AFTER)
    first_of_user = (
        select(func.min(InboundEvent.id))
        .where(col(InboundEvent.state).in_(("pending", "processing")), col(InboundEvent.channel).in_(channels))
        .group_by(col(InboundEvent.channel), col(InboundEvent.user_key))
    )
    ready = select(InboundEvent.id).where(col(InboundEvent.id).in_(first_of_user), claimable).order_by(col(InboundEvent.id)).limit(limit)
    claim = (
        update(InboundEvent)
        .where(col(InboundEvent.id).in_(ready), col(InboundEvent.state).in_(("pending", "processing")), claimable)
        .values(state="processing", claimed_at=now, attempts=InboundEvent.attempts + 1)
        .returning(InboundEvent)
    )
    with database.session() as session:
        return sorted(session.scalars(claim).all(), key=lambda event: event.id)
