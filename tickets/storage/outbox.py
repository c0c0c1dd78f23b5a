"""The outbox: every message to a business is stored before it is sent, then sent in order, one at a time
per recipient, and retried with backoff until the channel accepts it.

A message is claimed (pending -> sending) by a conditional update, so two dispatchers never send the same
row; a row left in `sending` by a crash goes back to pending at start-up (the one case where a message
may reach the business twice). The replies of a dialogue turn are claimed in the turn's own transaction
(`claim_for_turn`) and sent as soon as it commits; the dispatcher (`claim_due`) sends everything else:
staff replies, rating prompts, retries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, func, update
from sqlmodel import Session, col, select

from tickets.storage.db import Database
from tickets.storage.models import OutboxMessage

# Characters per message by channel code. The channels define them; the app sets them here at start-up
# (`set_text_limits`), so that the ticket services, which know no channel, split long texts right too.
DEFAULT_TEXT_LIMIT = 4096
_text_limits: dict[str, int] = {}
MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 600
_ERROR_CHARS = 500

# The statements every message runs, built once (building a SQLAlchemy expression costs more than running it).
_OUTBOX = OutboxMessage.__table__
_RECIPIENT_UNSENT = (
    select(*_OUTBOX.c, (_OUTBOX.c.next_attempt_at <= bindparam("now")).label("due"))
    .where(
        _OUTBOX.c.channel == bindparam("channel"),
        _OUTBOX.c.user_key == bindparam("user_key"),
        _OUTBOX.c.state.in_(("pending", "sending")),
    )
    .order_by(_OUTBOX.c.id)
    .with_for_update()
)
_CLAIM_IDS = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)), _OUTBOX.c.state == "pending")
    .values(state="sending", attempts=_OUTBOX.c.attempts + 1)
)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .values(state="sent", sent_at=bindparam("now"), last_error=None)
)


def set_text_limits(limits: Mapping[str, int]) -> None:
    """The text limit of each channel (code -> characters); a channel not named gets DEFAULT_TEXT_LIMIT."""
    _text_limits.clear()
    _text_limits.update(limits)


def text_limit(channel: str) -> int:
    return _text_limits.get(channel, DEFAULT_TEXT_LIMIT)


def enqueue(
    session: Session,
    *,
    channel: str,
    user_key: str,
    text: str,
    buttons: Sequence[Sequence[str]] = (),
    kind: str = "reply",
    now: datetime,
    conversation_id: int | None = None,
    ticket_id: int | None = None,
) -> list[OutboxMessage]:
    """Queue a message; a text longer than the channel allows becomes several, the buttons on the last."""
    parts = split_text(text, text_limit(channel)) or [text]
    messages = []
    for index, part in enumerate(parts):
        message = OutboxMessage(
            channel=channel,
            user_key=user_key,
            text=part,
            buttons=[list(b) for b in buttons] if index == len(parts) - 1 else [],
            kind=kind,
            conversation_id=conversation_id,
            ticket_id=ticket_id,
            created_at=now,
            next_attempt_at=now,
        )
        session.add(message)
        messages.append(message)
    return messages


def split_text(text: str, limit: int) -> list[str]:
    """Cut a long text into parts of at most `limit` characters, at paragraph, line or sentence ends."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = max((m.end() for m in re.finditer(r"[.!?;]\s", window)), default=-1)
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … seconds after each failed attempt, at most ten minutes."""
    return timedelta(seconds=min(2**attempts, MAX_BACKOFF_SECONDS))


def claim_due(database: Database, *, channels: Sequence[str], now: datetime, limit: int = 100) -> list[OutboxMessage]:
    """The oldest unsent message of each recipient, when it is due and nothing else is being sent to them,
    marked as being sent — in one statement, so concurrent dispatchers never claim the same row."""
    unsent = col(OutboxMessage.state).in_(("pending", "sending"))
    first_of_recipient = (
        select(func.min(OutboxMessage.id))
        .where(unsent, col(OutboxMessage.channel).in_(channels))
        .group_by(col(OutboxMessage.channel), col(OutboxMessage.user_key))
    )
    due = (
        select(OutboxMessage.id)
        .where(
            col(OutboxMessage.id).in_(first_of_recipient),
            OutboxMessage.state == "pending",
            col(OutboxMessage.next_attempt_at) <= now,
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    claim = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(due), col(OutboxMessage.state) == "pending")
        .values(state="sending", attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage)
    )
    with database.session() as session:
        return sorted(session.scalars(claim).all(), key=lambda message: message.id)


class TurnMessages(NamedTuple):
    claimed: list[OutboxMessage]  # to send now, in this order
    held: bool  # others wait behind a message being sent or retried: the dispatcher sends them


def claim_for_turn(connection: Connection, *, channel: str, user_key: str, now: datetime) -> TurnMessages:
    """In the transaction of a dialogue turn, its replies already written: the recipient's due messages in
    order, the turn's replies among them, marked as being sent — none while another message to them is
    being sent or waits for a retry, so the order holds."""
    unsent = connection.execute(_RECIPIENT_UNSENT, {"channel": channel, "user_key": user_key, "now": now}).all()
    claimed: list[OutboxMessage] = []
    for row in unsent:
        if row.state != "pending" or not row.due:
            break
        fields = dict(row._mapping)
        del fields["due"]
        claimed.append(OutboxMessage(**fields | {"state": "sending", "attempts": row.attempts + 1}))
    if claimed:
        connection.execute(_CLAIM_IDS, {"ids": [message.id for message in claimed]})
    return TurnMessages(claimed, held=len(claimed) < len(unsent))


def release(database: Database, message_ids: Sequence[int]) -> None:
    """Messages claimed but not attempted (an earlier one to the same recipient failed) go back to pending."""
    if not message_ids:
        return
    with database.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(message_ids), col(OutboxMessage.state) == "sending")
            .values(state="pending", attempts=OutboxMessage.attempts - 1)
        )


def claim_for_recipient(database: Database, *, channel: str, user_key: str, now: datetime) -> list[OutboxMessage]:
    """Everything pending for one recipient who fetches their own messages (the web chat), marked sent."""
    with database.session() as session:
        rows = list(
            session.exec(
                select(OutboxMessage)
                .where(
                    OutboxMessage.channel == channel,
                    OutboxMessage.user_key == user_key,
                    OutboxMessage.state == "pending",
                )
                .order_by(col(OutboxMessage.id))
            )
        )
        for row in rows:
            row.state, row.sent_at, row.attempts = "sent", now, row.attempts + 1
            session.add(row)
        return rows


def mark_sent(database: Database, message_ids: Sequence[int], *, now: datetime) -> None:
    """Record messages the channels accepted, in one statement however many they are."""
    with database.engine.begin() as connection:
        connection.execute(_MARK_SENT, {"ids": list(message_ids), "now": now})


def mark_failed(
    database: Database,
    message_id: int,
    *,
    error: str,
    now: datetime,
    permanent: bool = False,
    retry_after: float | None = None,
) -> str:
    """Record a failed attempt: retried later with backoff, or failed for good. Returns the new state."""
    with database.session() as session:
        message = session.get(OutboxMessage, message_id)
        if message is None:
            return "missing"
        message.last_error = error[:_ERROR_CHARS]
        if permanent or message.attempts >= MAX_ATTEMPTS:
            message.state = "failed"
        else:
            message.state = "pending"
            delay = backoff(message.attempts)
            if retry_after is not None:
                delay = max(delay, timedelta(seconds=retry_after))
            message.next_attempt_at = now + delay
        session.add(message)
        return message.state


def release_in_flight(database: Database) -> int:
    """At start-up: messages a stopped process was sending go back to pending. Returns how many."""
    with database.session() as session:
        result = session.execute(
            update(OutboxMessage).where(col(OutboxMessage.state) == "sending").values(state="pending")
        )
        return result.rowcount


def failures(session: Session, limit: int = 100) -> list[OutboxMessage]:
    """Messages that could not be delivered, newest first, for staff to see and act on."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.state == "failed")
            .order_by(col(OutboxMessage.id).desc())
            .limit(limit)
        )
    )


def retry(database: Database, message_id: int, *, now: datetime) -> bool:
    """Send a failed message again (a staff action)."""
    with database.session() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.state) == "failed")
            .values(state="pending", attempts=0, next_attempt_at=now)
        )
        return result.rowcount == 1
