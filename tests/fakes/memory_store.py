"""The dialogue's storage in memory (a `bot.dialogue.store.DialogueStore`), for the engine's fast tests.

It keeps what the engine writes (conversations, transcript, outbox, tickets and their events) in lists and
dicts, enforces the few ticket rules the engine relies on, and lets a test act as staff (`answer`), which
sends the business the same notices the console sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from bot.dialogue.store import IssueForm, StoreOpener, TurnFacts
from bot.messages import IncomingMessage, Reply
from tickets.dialogues.sessions import SessionError
from tickets.domain import notices
from tickets.domain.rules import Deadlines, TicketError
from tickets.storage.models import Conversation, Ticket, TicketState


@dataclass(frozen=True)
class Line:
    """One message of the transcript."""

    conversation_id: int
    direction: str  # "in" | "out"
    text: str
    payload: str | None
    facts: TurnFacts


class MemoryStore:
    def __init__(self) -> None:
        self.conversations: dict[tuple[str, str], Conversation] = {}
        self.transcript: list[Line] = []
        self.outbox: list[tuple[str, str, Reply]] = []  # (channel, user, reply)
        self.notices: dict[int, list[tuple[list[list[str]], datetime]]] = {}  # by conversation id
        self.tickets: list[Ticket] = []
        self.events: list[tuple[str, str, str | None]] = []  # (ticket code, kind, text)

    def opener(self) -> StoreOpener:
        @contextmanager
        def opened() -> Iterator[MemoryStore]:
            yield self

        return opened

    # ------------------------------------------------------------------ DialogueStore

    def conversation(self, message: IncomingMessage, now: datetime) -> Conversation:
        key = (message.channel, message.user_key)
        if key not in self.conversations:
            self.conversations[key] = Conversation(
                id=len(self.conversations) + 1,
                channel=message.channel,
                user_key=message.user_key,
                state="idle",
                context={},
                created_at=now,
                updated_at=now,
            )
        return self.conversations[key]

    def newest_notice(self, conversation: Conversation) -> tuple[list[list[str]], datetime] | None:
        sent = self.notices.get(conversation.id)
        return sent[-1] if sent else None

    def own_ticket(self, message: IncomingMessage, code: str) -> Ticket | None:
        return next((t for t in self.own_tickets(message, limit=len(self.tickets)) if t.code == code.upper()), None)

    def own_tickets(self, message: IncomingMessage, limit: int) -> list[Ticket]:
        conversation = self.conversations.get((message.channel, message.user_key))
        own = [t for t in self.tickets if conversation is not None and t.conversation_id == conversation.id]
        return own[::-1][:limit]

    def last_public_reply(self, ticket: Ticket) -> str | None:
        replies = [text for code, kind, text in self.events if code == ticket.code and kind == "resolve"]
        return replies[-1] if replies else None

    def open_ticket(
        self, conversation: Conversation, form: IssueForm, *, now: datetime, deadlines: Deadlines
    ) -> Ticket:
        ticket = Ticket(
            id=len(self.tickets) + 1,
            code=f"PA-{now.year}-{len(self.tickets) + 1:06d}",
            state=TicketState.moi,
            channel=conversation.channel,
            conversation_id=conversation.id,
            created_at=now,
            updated_at=now,
            acknowledge_due=deadlines.add_working_days(now, deadlines.acknowledge_days),
            due_at=deadlines.add_working_days(now, deadlines.resolve_days_for(form.topic)),
            **vars(form),
        )
        self.tickets.append(ticket)
        self.events.append((ticket.code, "created", form.description))
        return ticket

    def add_business_message(self, ticket: Ticket, text: str, now: datetime) -> None:
        if ticket.state == TicketState.dong:
            raise TicketError(f"{ticket.code} is closed")
        self.events.append((ticket.code, "business_message", text))

    def rate(self, ticket: Ticket, score: int, now: datetime) -> None:
        if not 1 <= score <= 5 or ticket.state != TicketState.da_tra_loi or ticket.rating is not None:
            raise TicketError(f"{ticket.code} cannot be rated now")
        ticket.rating, ticket.state = score, TicketState.dong

    def reopen(self, ticket: Ticket, now: datetime) -> None:
        if ticket.state != TicketState.da_tra_loi:
            raise TicketError(f"{ticket.code} cannot be reopened now")
        ticket.state = TicketState.dang_xu_ly
        self.events.append((ticket.code, "reopen", None))

    def comment_rating(self, ticket: Ticket, comment: str, now: datetime) -> None:
        ticket.rating_comment = comment

    def open_sessions(self, now: datetime) -> list:
        """Dialogue sessions live in the database only (their tests run on SqlStore): none are open here."""
        return []

    def register_question(self, conversation: Conversation, **_details: object) -> tuple:
        raise SessionError("no dialogue sessions in the memory store")

    def rate_session_answer(self, message: IncomingMessage, code: str, score: int) -> bool:
        return False

    def record(
        self,
        conversation: Conversation,
        message: IncomingMessage,
        replies: list[Reply],
        facts: TurnFacts,
        *,
        deliver: bool,
    ) -> None:
        self.transcript.append(Line(conversation.id, "in", message.text or "", message.payload, facts))
        for reply in replies:
            self.transcript.append(Line(conversation.id, "out", reply.text, None, facts))
            if deliver:
                self.outbox.append((message.channel, message.user_key, reply))

    # ------------------------------------------------------------------ staff, for the tests

    def answer(self, ticket: Ticket, text: str, now: datetime) -> None:
        """Staff resolve the ticket: the business receives the answer and the rating prompt, as from the console."""
        ticket.state, ticket.resolved_at = TicketState.da_tra_loi, now
        self.events.append((ticket.code, "resolve", text))
        for _text, buttons in (notices.resolution(ticket.code, "Sở", text), notices.rating_prompt(ticket.code)):
            self.notices.setdefault(ticket.conversation_id, []).append((buttons, now))
