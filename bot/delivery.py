"""Messages in and out of the asynchronous channels (Telegram, Zalo).

In: a webhook or poll stores the event (`tickets.storage.inbound`: unique per channel and event id, so a re-sent
event is dropped), claims it when the user has nothing earlier unfinished, and answers at once; the event
then goes to the dialogue engine in a worker thread. The engine's replies land in the outbox, claimed for
sending, in the same transaction that marks the event handled and claims the user's next event, and go
out as soon as it commits. A message costs three short transactions: store and claim, the turn, and
"mark sent", which the sends finishing at the same time share.

Out: the replies of a turn are sent by the task that handled it; a dispatcher sends everything else
(staff replies, rating prompts, retries), the oldest message of each recipient first, and retries failures
with backoff (`tickets.storage.outbox`). A sweep catches what the direct road leaves: events stored while the
user's earlier one was handled by another process, and events of a stopped process.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from bot.channels.contract import DeliveryError, Outgoing, Sender
from bot.dialogue import texts
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.store import SqlStore
from bot.logs import EVENT
from bot.messages import IncomingMessage, Reply
from tickets.storage import inbound, outbox
from tickets.storage.db import Database
from tickets.storage.models import InboundEvent, OutboxMessage, utcnow

log = logging.getLogger(__name__)
IDLE_POLL_SECONDS = 1.0  # how often the sweep and the dispatcher look for work nobody announced
DATABASE_RETRY_SECONDS = 5.0


def _event_id(channel: str, external_id: str | None) -> str:
    """The id a channel's event carries in the logs: the channel's own event id (a Telegram update id, a Zalo
    message id), which says nothing about the person."""
    return f"{channel}:{external_id}"


def outgoing(message: OutboxMessage) -> Outgoing:
    """The neutral form of a stored outbox message, as senders receive it."""
    return Outgoing(
        id=message.id or 0,
        user_key=message.user_key,
        conversation_id=message.conversation_id,
        reply=Reply.from_stored(message.text, message.buttons),
    )


class Delivery:
    """Runs the inbound workers and the outbox dispatcher inside the server's event loop.

    Several server processes may run side by side: both the inbound events and the outbox are claimed
    row by row in the database.
    """

    def __init__(
        self, *, database: Database, engine: DialogueEngine, workers: int = 2, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.database = database
        self.engine = engine
        self.workers = workers
        self.clock = clock
        self.channels: dict[str, Sender] = {}
        self._running: set[asyncio.Task] = set()
        self._turns = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="turn")
        self._room_wanted = False  # the sweep left events behind for lack of workers
        self._held: set[tuple[str, str]] = set()  # recipients whose messages wait behind one being sent
        self._sent: list[tuple[int, asyncio.Future]] = []  # delivered messages waiting to be recorded as sent
        self._recorder: asyncio.Task | None = None
        self._incoming = asyncio.Event()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self, channels: list[Sender]) -> None:
        self.channels = {channel.name: channel for channel in channels}
        self._loop = asyncio.get_running_loop()
        try:
            released = await asyncio.to_thread(outbox.release_in_flight, self.database)
        except SQLAlchemyError as error:  # an unmigrated or unreachable database: /healthz says so
            log.error("delivery: the database is not ready (%s); retrying in the background", type(error).__name__)
        else:
            if released:
                log.info("resuming: %d outgoing messages were being sent when the server stopped", released)
        self._tasks = [
            asyncio.create_task(self._claim_events(), name="inbound"),
            asyncio.create_task(self._dispatch(), name="outbox"),
        ]
        for channel in channels:
            await channel.start(self)

    async def stop(self) -> None:
        for channel in self.channels.values():
            await channel.stop()
        for task in [*self._tasks, *self._running]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._running, return_exceptions=True)
        if self._recorder is not None:  # what was delivered is recorded, so it is not sent again after a restart
            await asyncio.gather(self._recorder, return_exceptions=True)
        self._tasks = []
        # A turn already running in its thread finishes (its transaction commits or rolls back) before the
        # database is closed; those not started are dropped and taken up again at the next start.
        await asyncio.to_thread(self._turns.shutdown, wait=True, cancel_futures=True)

    # ------------------------------------------------------------------ in

    async def accept(self, message: IncomingMessage) -> bool:
        """Store an event a channel received and start on it; False when it was a re-sent duplicate."""
        if message.external_id is None:
            raise ValueError("an asynchronous channel's message needs its event id")
        accepted = await asyncio.to_thread(
            inbound.accept,
            self.database,
            channel=message.channel,
            external_id=message.external_id,
            user_key=message.user_key,
            message=message.as_dict(),
            now=self.clock(),
        )
        EVENT.set(_event_id(message.channel, message.external_id))
        if accepted is None:
            log.info("duplicate %s event %s ignored", message.channel, message.external_id)
            return False
        log.info("%s event accepted", message.channel)
        if accepted.claimed is None:  # the user's earlier message is still being handled
            self._incoming.set()
        else:
            self._start(accepted.claimed)
        return True

    def _start(self, event: InboundEvent) -> None:
        task = asyncio.create_task(self._handle(event))
        self._running.add(task)
        task.add_done_callback(self._finished)

    async def _claim_events(self) -> None:
        """The sweep: claim the events nobody started on, keeping at most `workers` in hand."""
        while True:
            self._incoming.clear()
            free = self.workers - len(self._running)
            claimed = []
            if free > 0 and self.channels:
                try:
                    claimed = await asyncio.to_thread(
                        inbound.claim_next, self.database, channels=list(self.channels), now=self.clock(), limit=free
                    )
                except SQLAlchemyError as error:
                    log.error("delivery: cannot read incoming events (%s)", type(error).__name__)
                    await asyncio.sleep(DATABASE_RETRY_SECONDS)
                    continue
            for event in claimed:
                self._start(event)
            self._room_wanted = free <= 0 or len(claimed) == free
            try:
                await asyncio.wait_for(self._incoming.wait(), IDLE_POLL_SECONDS)
            except TimeoutError:
                pass

    def _finished(self, task: asyncio.Task) -> None:
        self._running.discard(task)
        if self._room_wanted:
            self._incoming.set()

    async def _handle(self, event: InboundEvent) -> None:
        EVENT.set(_event_id(event.channel, event.external_id))  # this task's own context: its logs carry it
        message = IncomingMessage.from_dict(event.message)
        replies: list[OutboxMessage] = []
        try:
            turn, following = await asyncio.get_running_loop().run_in_executor(
                self._turns, contextvars.copy_context().run, self._respond, event, message
            )
        except Exception as error:  # the business is told, the event is kept for staff to see
            log.exception("event %s on %s could not be handled", event.id, message.channel)
            try:
                await asyncio.to_thread(self._give_up, event.id, message, f"{type(error).__name__}: {error}")
            except SQLAlchemyError:  # the database is gone: the event is handled again once it looks stale
                log.error("event %s on %s: the failure could not be recorded", event.id, message.channel)
            self._incoming.set()  # the user's next event, if any, is the sweep's
            self.wake()
        else:
            if following is not None:
                self._start(following)
            replies = turn.claimed
            if turn.held:
                self._held.add((message.channel, message.user_key))
                self.wake()
        channel = self.channels.get(message.channel)
        if channel is not None:
            await asyncio.gather(self._send_in_order(replies), channel.acknowledge(message))
        log.info("%s event handled: %d replies sent", message.channel, len(replies))

    def _respond(
        self, event: InboundEvent, message: IncomingMessage
    ) -> tuple[outbox.TurnMessages, InboundEvent | None]:
        """The turn's transaction: the engine's answer, its replies claimed for sending, the event marked
        handled and the user's next event claimed."""
        with self.database.session() as session:
            connection = session.connection()
            if inbound.current_claim(connection, event.id) != event.claimed_at:
                return outbox.TurnMessages([], held=False), None  # taken over by another process after looking stale
            self.engine.respond(SqlStore(session), message, deliver=True)
            session.flush()
            now = self.clock()
            turn = outbox.claim_for_turn(connection, channel=message.channel, user_key=message.user_key, now=now)
            following = inbound.finish(connection, event, now=now)
        return turn, following

    def _give_up(self, event_id: int, message: IncomingMessage, error: str) -> None:
        now = self.clock()
        with self.database.session() as session:
            event = session.get(InboundEvent, event_id)
            event.state, event.last_error, event.processed_at = "failed", error[:500], now
            session.add(event)
            outbox.enqueue(
                session, channel=message.channel, user_key=message.user_key, text=texts.PROCESSING_ERROR, now=now
            )

    # ------------------------------------------------------------------ out

    def wake(self) -> None:
        """Tell the dispatcher there is something to send (safe from any thread once started)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _dispatch(self) -> None:
        while True:
            self._wake.clear()
            try:
                claimed = (
                    await asyncio.to_thread(
                        outbox.claim_due, self.database, channels=list(self.channels), now=self.clock()
                    )
                    if self.channels
                    else []
                )
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

    async def _send_in_order(self, messages: Sequence[OutboxMessage]) -> None:
        """Send a turn's claimed replies one after the other; after a failure the rest wait for the dispatcher."""
        for index, message in enumerate(messages):
            try:
                delivered = await self._send(message)
            except SQLAlchemyError as error:  # sent or not, the row stays claimed until restart
                log.error("delivery: could not record a send (%s)", type(error).__name__)
                return
            if not delivered:
                await asyncio.to_thread(outbox.release, self.database, [later.id for later in messages[index + 1 :]])
                self.wake()
                return
        if messages and (messages[0].channel, messages[0].user_key) in self._held:
            self._held.discard((messages[0].channel, messages[0].user_key))
            self.wake()

    async def _send(self, message: OutboxMessage) -> bool:
        """Send one claimed message and record the outcome; True when the channel accepted it."""
        try:
            await self.channels[message.channel].send(outgoing(message))
        except DeliveryError as error:
            state = await asyncio.to_thread(
                outbox.mark_failed,
                self.database,
                message.id,
                error=str(error),
                now=self.clock(),
                permanent=error.permanent,
                retry_after=error.retry_after,
            )
            log.warning("outbox %s to %s not delivered (%s), now %s", message.id, message.channel, error, state)
            return False
        except Exception as error:
            log.exception("outbox %s to %s failed", message.id, message.channel)
            await asyncio.to_thread(
                outbox.mark_failed,
                self.database,
                message.id,
                error=f"{type(error).__name__}: {error}",
                now=self.clock(),
            )
            return False
        await self._mark_sent(message.id)
        return True

    async def _mark_sent(self, message_id: int) -> None:
        """Record a delivery. The sends that finish while one record is being written share the next one
        (a group commit): under load, one short transaction for many messages."""
        recorded = asyncio.get_running_loop().create_future()
        self._sent.append((message_id, recorded))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_sent())
        await recorded

    async def _record_sent(self) -> None:
        while self._sent:
            batch, self._sent = self._sent, []
            try:
                await asyncio.to_thread(
                    outbox.mark_sent, self.database, [message_id for message_id, _ in batch], now=self.clock()
                )
            except Exception as error:  # each sender of the batch gets it, as if it had written its own record
                outcome: Exception | None = error
            else:
                outcome = None
            for _, recorded in batch:
                if recorded.done():
                    continue
                if outcome is None:
                    recorded.set_result(None)
                else:
                    recorded.set_exception(outcome)
