"""The sessions' background work, every minute: registration windows opened and closed on time, the
day-before reminders, and the commitments' warnings and escalations. Each piece is claimed in the
database, so several servers do it once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from tickets.dialogues import commitments, sessions
from tickets.storage.db import Database
from tickets.storage.models import utcnow

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class Round:
    moved: int  # sessions whose registration opened or closed
    reminded: int
    warned: int
    escalated: int


def run_once(database: Database, *, now: datetime) -> Round:
    with database.session() as session:
        moved = sessions.follow_the_clock(session, now=now)
        reminded = sessions.remind(session, now=now)
        warned, escalated = commitments.sweep(session, now=now)
    return Round(moved, reminded, warned, escalated)


async def watch_sessions(
    database: Database, *, clock: Callable[[], datetime] = utcnow, interval: float = INTERVAL_SECONDS
) -> None:
    """`run_once` every `interval` seconds until cancelled; a database error is logged and retried."""
    while True:
        try:
            done = await asyncio.to_thread(run_once, database, now=clock())
            if any((done.moved, done.reminded, done.warned, done.escalated)):
                log.info(
                    "sessions: %d moved, %d reminded, commitments %d warned, %d overdue",
                    done.moved,
                    done.reminded,
                    done.warned,
                    done.escalated,
                )
        except SQLAlchemyError as error:
            log.error("sessions: the round failed (%s)", type(error).__name__)
        await asyncio.sleep(interval)
