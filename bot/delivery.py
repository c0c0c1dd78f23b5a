"""Messages in and out of the asynchronous channels (Telegram, Zalo).

In: a webhook or poll stores the event (`tickets.inbound`: unique per channel and event id, so a re-sent
event is dropped) and answers at once; workers then hand each event to the dialogue engine, in order per
user, and the engine's replies land in the outbox in the same transaction that marks the event handled.

Out: a dispatcher sends the outbox, the oldest message of each recipient first, and retries failures
with backoff (`tickets.outbox`). Staff replies and rating prompts take the same road.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from bot.dialogue import texts
from bot.dialogue.engine import DialogueEngine
from bot.messages import IncomingMessage
from tickets import inbound, outbox
from tickets.db import Database
from tickets.models import InboundEvent, OutboxMessage, utcnow

log = logging.getLogger(__name__)
IDLE_POLL_SECONDS = 1.0  # how often the dispatcher looks for messages whose retry time has come
DATABASE_RETRY_SECONDS = 5.0


class DeliveryError(Exception):
    """A channel could not deliver a message: retried later unless `permanent`."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


class Channel(Protocol):
    name: str

    async def start(self, delivery: Delivery) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, message: OutboxMessage) -> None: ...

    async def acknowledge(self, message: IncomingMessage) -> None: ...


class Delivery:
    """Runs the inbound workers and the outbox dispatcher inside the server's event loop.

    Several server processes may run side by side: both the inbound events and the outbox are claimed
    row by row in the database.
    """

    def __init__(self, *, database: Database, engine: DialogueEngine, workers: int = 4, clock: Callable[[], datetime] = utcnow) -> None:
        self.database = database
        self.engine = engine
        self.workers = workers
        self.clock = clock
        self.channels: dict[str, Channel] = {}
        self._running: set[asyncio.Task] = set()
        self._incoming = asyncio.Event()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self, channels: list[Channel]) -> None:
        self.channels = {channel.name: channel for channel in channels}
        self._loop = asyncio.get_running_loop()
        try:
            released = await asyncio.to_thread(outbox.release_in_flight, self.database)
        except SQLAlchemyError as error:  # an unmigrated or unreachable database: /healthz says so
            log.error("delivery: the database is not ready (%s); retrying in the background", type(error).__name__)
        else:
            if released:
                log.info("resuming: %d outgoing messages were being sent when the server stopped", released)
        self._tasks = [asyncio.create_task(self._claim_events(), name="inbound"), asyncio.create_task(self._dispatch(), name="outbox")]
        for channel in channels:
            await channel.start(self)

    async def stop(self) -> None:
        for channel in self.channels.values():
            await channel.stop()
        for task in [*self._tasks, *self._running]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._running, return_exceptions=True)
        self._tasks = []

    # ------------------------------------------------------------------ in

    async def accept(self, message: IncomingMessage) -> bool:
        """Store an event a channel received; False when it was a re-sent duplicate."""
        if message.external_id is None:
            raise ValueError("an asynchronous channel's message needs its event id")
        event_id = await asyncio.to_thread(
            inbound.accept, self.database, channel=message.channel, external_id=message.external_id,
            user_key=message.user_key, message=message.as_dict(), now=self.clock(),
        )  # fmt: skip
        if event_id is None:
            log.info("duplicate %s event %s ignored", message.channel, message.external_id)
            return False
        self._incoming.set()
        return True

    async def _claim_events(self) -> None:
        """Keep up to `workers` events in hand; a finished one lets the same user's next one be claimed."""
        while True:
            self._incoming.clear()
            free = self.workers - len(self._running)
            claimed = []
            if free > 0 and self.channels:
                try:
                    claimed = await asyncio.to_thread(inbound.claim_next, self.database, channels=list(self.channels), now=self.clock(), limit=free)
                except SQLAlchemyError as error:
                    log.error("delivery: cannot read incoming events (%s)", type(error).__name__)
                    await asyncio.sleep(DATABASE_RETRY_SECONDS)
                    continue
            for event in claimed:
                task = asyncio.create_task(self._handle(event))
                self._running.add(task)
                task.add_done_callback(self._finished)
            if claimed and len(claimed) == free:
                continue
            try:
                await asyncio.wait_for(self._incoming.wait(), IDLE_POLL_SECONDS)
            except TimeoutError:
                pass

    def _finished(self, task: asyncio.Task) -> None:
        self._running.discard(task)
        self._incoming.set()

    async def _handle(self, event: InboundEvent) -> None:
        message = IncomingMessage.from_dict(event.message)
        try:
            await asyncio.to_thread(self._respond, event.id, event.claimed_at, message)
        except Exception as error:  # the business is told, the event is kept for staff to see
            log.exception("event %s on %s could not be handled", event.id, message.channel)
            try:
                await asyncio.to_thread(self._give_up, event.id, message, f"{type(error).__name__}: {error}")
            except SQLAlchemyError:  # the database is gone: the event is handled again once it looks stale
                log.error("event %s on %s: the failure could not be recorded", event.id, message.channel)
        self.wake()
        channel = self.channels.get(message.channel)
        if channel is not None:
            await channel.acknowledge(message)

    def _respond(self, event_id: int, claimed_at: datetime | None, message: IncomingMessage) -> None:
        with self.database.session() as session:
            event = session.get(InboundEvent, event_id, with_for_update=True)
            if event is None or event.state != "processing" or event.claimed_at != claimed_at:
                return  # taken over by another process after looking stale
            self.engine.respond(session, message, deliver=True)
            event.state, event.processed_at = "done", self.clock()
            session.add(event)

    def _give_up(self, event_id: int, message: IncomingMessage, error: str) -> None:
        now = self.clock()
        with self.database.session() as session:
            event = session.get(InboundEvent, event_id)
            event.state, event.last_error, event.processed_at = "failed", error[:500], now
            session.add(event)
            outbox.enqueue(session, channel=message.channel, user_key=message.user_key, text=texts.PROCESSING_ERROR, now=now)

    # ------------------------------------------------------------------ out

    def wake(self) -> None:
        """Tell the dispatcher there is something to send (safe from any thread once started)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _dispatch(self) -> None:
        while True:
            self._wake.clear()
            try:
                claimed = await asyncio.to_thread(outbox.claim_due, self.database, channels=list(self.channels), now=self.clock()) if self.channels else []
            except SQLAlchemyError as error:
                log.error("delivery: cannot read the outbox (%s)", type(error).__name__)
                await asyncio.sleep(DATABASE_RETRY_SECONDS)
                continue
            if claimed:
                outcomes = await asyncio.gather(*(self._send(message) for message in claimed), return_exceptions=True)
                for outcome in outcomes:
                    if isinstance(outcome, Exception):  # the send happened or not; its row stays claimed until restart
                        log.error("delivery: could not record a send (%s)", type(outcome).__name__)
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)
            except TimeoutError:
                pass

    async def _send(self, message: OutboxMessage) -> None:
        try:
            await self.channels[message.channel].send(message)
        except DeliveryError as error:
            state = await asyncio.to_thread(outbox.mark_failed, self.database, message.id, error=str(error), now=self.clock(),
                                            permanent=error.permanent, retry_after=error.retry_after)  # fmt: skip
            log.warning("outbox %s to %s not delivered (%s), now %s", message.id, message.channel, error, state)
        except Exception as error:
            log.exception("outbox %s to %s failed", message.id, message.channel)
            await asyncio.to_thread(outbox.mark_failed, self.database, message.id, error=f"{type(error).__name__}: {error}", now=self.clock())
        else:
            await asyncio.to_thread(outbox.mark_sent, self.database, message.id, now=self.clock())
