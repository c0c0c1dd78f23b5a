"""Incoming channel events, kept until the dialogue has handled them.

A webhook stores the event and answers at once; the (channel, event id) pair is unique, so a re-sent
update is recognised. Every claim is a conditional update, so one user's messages are handled one at a
time and in order, and two processes never handle the same event:
- the transaction that stores an event claims it when the user has nothing earlier unfinished;
- the transaction that finishes an event claims the same user's next one;
- a sweep claims whatever these missed: events left by a stopped process, or stored while the user's
  earlier one was being handled in another process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import BigInteger, Connection, Row, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from tickets.storage.db import Database
from tickets.storage.models import InboundEvent

# A claimed event not finished after this long belongs to a process that stopped: it is handled again.
STALE_AFTER = timedelta(minutes=2)

# The hot path's statements, built once: each message runs them, and building SQLAlchemy expressions costs
# more than executing them.
_EVENTS = InboundEvent.__table__
_earlier = _EVENTS.alias("earlier")
_INSERT = insert(_EVENTS).returning(_EVENTS.c.id)
_CLAIM_IF_FIRST = (
    update(_EVENTS)
    .where(
        _EVENTS.c.id == bindparam("event_id"),
        _EVENTS.c.state == "pending",
        ~exists().where(
            _earlier.c.channel == _EVENTS.c.channel,
            _earlier.c.user_key == _EVENTS.c.user_key,
            _earlier.c.id < _EVENTS.c.id,
            _earlier.c.state.in_(("pending", "processing")),
        ),
    )
    .values(state="processing", claimed_at=bindparam("now"), attempts=_EVENTS.c.attempts + 1)
    .returning(*_EVENTS.c)
)
_CLAIMED_AT = (
    select(_EVENTS.c.state, _EVENTS.c.claimed_at).where(_EVENTS.c.id == bindparam("event_id")).with_for_update()
)
_FINISH = (
    update(_EVENTS).where(_EVENTS.c.id == bindparam("event_id")).values(state="done", processed_at=bindparam("now"))
)
_next_of_user = (
    select(func.min(_EVENTS.c.id))
    .where(
        _EVENTS.c.channel == bindparam("of_channel"),
        _EVENTS.c.user_key == bindparam("of_user"),
        _EVENTS.c.state == "pending",
    )
    .scalar_subquery()
)
_CLAIM_FOLLOWING = (
    update(_EVENTS)
    .where(_EVENTS.c.id == _next_of_user, _EVENTS.c.state == "pending")
    .values(state="processing", claimed_at=bindparam("now"), attempts=_EVENTS.c.attempts + 1)
    .returning(*_EVENTS.c)
)
_ADVISORY_LOCK = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger)))


class Accepted(NamedTuple):
    id: int
    claimed: InboundEvent | None  # the event, marked as claimed; None when the user's earlier one is unfinished


def accept(
    database: Database, *, channel: str, external_id: str, user_key: str, message: dict, now: datetime
) -> Accepted | None:
    """Store an event and, in the same transaction, claim it unless an earlier event of the same user is
    unfinished; None when the channel already delivered it (a retry)."""
    try:
        with database.engine.begin() as connection:
            _lock_user(connection, channel, user_key)
            event_id = connection.execute(
                _INSERT,
                {
                    "channel": channel,
                    "external_id": external_id,
                    "user_key": user_key,
                    "message": message,
                    "state": "pending",
                    "attempts": 0,
                    "received_at": now,
                },
            ).scalar_one()
            claimed = connection.execute(_CLAIM_IF_FIRST, {"event_id": event_id, "now": now}).first()
    except IntegrityError:
        return None
    return Accepted(event_id, _event(claimed))


def current_claim(connection: Connection, event_id: int) -> datetime | None:
    """When the event was claimed, if it is still being handled: a different time means another process
    took it over after it looked stale."""
    row = connection.execute(_CLAIMED_AT, {"event_id": event_id}).first()
    return row.claimed_at if row is not None and row.state == "processing" else None


def finish(connection: Connection, event: InboundEvent, *, now: datetime) -> InboundEvent | None:
    """Mark `event` handled and, in the same transaction, claim the same user's next waiting event."""
    _lock_user(connection, event.channel, event.user_key)
    connection.execute(_FINISH, {"event_id": event.id, "now": now})
    following = connection.execute(
        _CLAIM_FOLLOWING, {"of_channel": event.channel, "of_user": event.user_key, "now": now}
    ).first()
    return _event(following)


def _lock_user(connection: Connection, channel: str, user_key: str) -> None:
    """Serialise the transactions that store or finish one user's events. PostgreSQL gets a transaction-scoped
    advisory lock: without it, two of the user's events stored at once would each miss the other,
    uncommitted, and both be claimed. SQLite needs none: its first write takes the database's one write lock."""
    if connection.dialect.name == "postgresql":
        digest = hashlib.blake2b(f"{channel}\0{user_key}".encode(), digest_size=8).digest()
        connection.execute(_ADVISORY_LOCK, {"key": int.from_bytes(digest, "big", signed=True)})


def _event(row: Row | None) -> InboundEvent | None:
    return InboundEvent(**row._mapping) if row is not None else None


def claim_next(database: Database, *, channels: Sequence[str], now: datetime, limit: int) -> list[InboundEvent]:
    """The oldest unhandled event of each user whose earlier event is not being handled, marked as claimed —
    in one statement, so concurrent workers never claim the same event."""
    claimable = or_(col(InboundEvent.state) == "pending", col(InboundEvent.claimed_at) < now - STALE_AFTER)
    first_of_user = (
        select(func.min(InboundEvent.id))
        .where(col(InboundEvent.state).in_(("pending", "processing")), col(InboundEvent.channel).in_(channels))
        .group_by(col(InboundEvent.channel), col(InboundEvent.user_key))
    )
    ready = (
        select(InboundEvent.id)
        .where(col(InboundEvent.id).in_(first_of_user), claimable)
        .order_by(col(InboundEvent.id))
        .limit(limit)
    )
    claim = (
        update(InboundEvent)
        .where(col(InboundEvent.id).in_(ready), col(InboundEvent.state).in_(("pending", "processing")), claimable)
        .values(state="processing", claimed_at=now, attempts=InboundEvent.attempts + 1)
        .returning(InboundEvent)
    )
    with database.session() as session:
        return sorted(session.scalars(claim).all(), key=lambda event: event.id)
