"""What the dialogue engine needs from storage, as one small interface, and that interface on the database.

A turn reads and writes only through a `DialogueStore`, inside one transaction: the conversation of
(channel, user), the newest notice staff sent it, the business's own tickets and what the business does to
them, and at the end the turn's record (transcript, new state, replies to deliver). `SqlStore` is the store
on SQLite or PostgreSQL; the engine's fast tests run on an in-memory store instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from bot.dialogue import states
from bot.messages import IncomingMessage, Reply
from tickets.dialogues import sessions
from tickets.dialogues import texts as session_texts
from tickets.domain import services
from tickets.domain.rules import Deadlines
from tickets.storage import outbox
from tickets.storage.db import Database
from tickets.storage.models import (
    Conversation,
    DialogueSession,
    OutboxMessage,
    SessionQuestion,
    Ticket,
    TranscriptMessage,
)


@dataclass(frozen=True)
class TurnFacts:
    """What a turn learnt, stored with its messages for the statistics."""

    now: datetime
    intent: str | None = None
    topic: str | None = None
    answer_id: str | None = None
    ticket_id: int | None = None


@dataclass(frozen=True)
class IssueForm:
    """A filled-in issue, ready to become a ticket."""

    topic: str
    department: str
    description: str
    company_name: str
    tax_code: str
    contact: str | None
    ward: str | None


class DialogueStore(Protocol):
    def conversation(self, message: IncomingMessage, now: datetime) -> Conversation:
        """The conversation of the message's (channel, user), held for this turn; created on the first message."""
        ...

    def newest_notice(self, conversation: Conversation) -> tuple[list[list[str]], datetime] | None:
        """The buttons and time of the newest notice from staff (a reply, a rating prompt) to this conversation."""
        ...

    def own_ticket(self, message: IncomingMessage, code: str) -> Ticket | None:
        """The ticket with this code if the business filed it from this chat, else None."""
        ...

    def own_tickets(self, message: IncomingMessage, limit: int) -> list[Ticket]:
        """The business's newest tickets filed from this chat."""
        ...

    def last_public_reply(self, ticket: Ticket) -> str | None:
        """The newest text staff sent the business about the ticket."""
        ...

    def open_ticket(
        self, conversation: Conversation, form: IssueForm, *, now: datetime, deadlines: Deadlines
    ) -> Ticket: ...

    def add_business_message(self, ticket: Ticket, text: str, now: datetime) -> None: ...

    def open_sessions(self, now: datetime) -> list[DialogueSession]:
        """The dialogue sessions open for registration, soonest first."""
        ...

    def register_question(
        self,
        conversation: Conversation,
        *,
        session_id: int | None,
        question: str,
        ticket: Ticket | None,
        company_name: str,
        tax_code: str,
        topic: str | None,
        department: str | None,
        now: datetime,
    ) -> tuple[SessionQuestion, DialogueSession]:
        """Register the question (SessionError, in Vietnamese, when the session no longer takes it)."""
        ...

    def rate_session_answer(self, message: IncomingMessage, code: str, score: int) -> bool:
        """Rate the answer a session gave the business's own registered question; False if there is none."""
        ...

    def rate(self, ticket: Ticket, score: int, now: datetime) -> None:
        """Raises `TicketError` when the ticket cannot be rated."""
        ...

    def reopen(self, ticket: Ticket, now: datetime) -> None:
        """Raises `TicketError` when the ticket cannot be reopened."""
        ...

    def comment_rating(self, ticket: Ticket, comment: str, now: datetime) -> None: ...

    def record(
        self,
        conversation: Conversation,
        message: IncomingMessage,
        replies: list[Reply],
        facts: TurnFacts,
        *,
        deliver: bool,
    ) -> None:
        """Store the message and the replies in the transcript, the conversation as the turn left it, and, with
        `deliver`, the replies in the outbox."""
        ...


StoreOpener = Callable[[], AbstractContextManager[DialogueStore]]


class SqlStore:
    """The dialogue's storage on the project's database, inside the caller's session (one transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def opener(database: Database) -> StoreOpener:
        """Opens a store on its own transaction, committed when the turn ends without an error."""

        @contextmanager
        def opened() -> Iterator[SqlStore]:
            with database.session() as session:
                yield SqlStore(session)

        return opened

    def conversation(self, message: IncomingMessage, now: datetime) -> Conversation:
        """Locked for this transaction. A new conversation is stored in a short transaction of its own:
        inside the turn's, the insert would make SQLite take its single write lock before the turn has
        even understood the message."""
        query = select(Conversation).where(
            Conversation.channel == message.channel, Conversation.user_key == message.user_key
        )
        conversation = self.session.exec(query.with_for_update()).first()
        if conversation is None:
            try:
                with self.session.get_bind().begin() as connection:
                    connection.execute(
                        insert(Conversation.__table__).values(
                            channel=message.channel,
                            user_key=message.user_key,
                            state=states.IDLE,
                            context={},
                            created_at=now,
                            updated_at=now,
                        )
                    )
            except IntegrityError:  # the same user's first two messages raced; the other one created it
                pass
            conversation = self.session.exec(query.with_for_update()).one()
        return conversation

    def newest_notice(self, conversation: Conversation) -> tuple[list[list[str]], datetime] | None:
        notice = self.session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.conversation_id == conversation.id, OutboxMessage.kind != "reply")
            .order_by(col(OutboxMessage.id).desc())
        ).first()
        return None if notice is None else (notice.buttons, notice.created_at)

    def own_ticket(self, message: IncomingMessage, code: str) -> Ticket | None:
        return services.business_ticket(self.session, code=code, channel=message.channel, user_key=message.user_key)

    def own_tickets(self, message: IncomingMessage, limit: int) -> list[Ticket]:
        return services.business_tickets(self.session, channel=message.channel, user_key=message.user_key, limit=limit)

    def last_public_reply(self, ticket: Ticket) -> str | None:
        event = services.last_public_reply(self.session, ticket)
        return event.body if event else None

    def open_ticket(
        self, conversation: Conversation, form: IssueForm, *, now: datetime, deadlines: Deadlines
    ) -> Ticket:
        return services.open_ticket(
            self.session,
            conversation=conversation,
            topic=form.topic,
            department=form.department,
            description=form.description,
            company_name=form.company_name,
            tax_code=form.tax_code,
            contact=form.contact,
            ward=form.ward,
            now=now,
            deadlines=deadlines,
        )

    def add_business_message(self, ticket: Ticket, text: str, now: datetime) -> None:
        services.business_message(self.session, ticket=ticket, text=text, now=now)

    def rate(self, ticket: Ticket, score: int, now: datetime) -> None:
        services.rate(self.session, ticket=ticket, score=score, now=now)

    def open_sessions(self, now: datetime) -> list[DialogueSession]:
        return sessions.open_for_registration(self.session, now=now)

    def register_question(
        self,
        conversation: Conversation,
        *,
        session_id: int | None,
        question: str,
        ticket: Ticket | None,
        company_name: str,
        tax_code: str,
        topic: str | None,
        department: str | None,
        now: datetime,
    ) -> tuple[SessionQuestion, DialogueSession]:
        dialogue = self.session.get(DialogueSession, session_id) if session_id else None
        if dialogue is None:
            raise sessions.SessionError(session_texts.REGISTRATION_CLOSED)
        registered = sessions.register(
            self.session,
            dialogue,
            channel=conversation.channel,
            user_key=conversation.user_key,
            question=question,
            now=now,
            conversation_id=conversation.id,
            ticket=ticket,
            company_name=company_name,
            tax_code=tax_code,
            topic=topic,
            department=department,
        )
        return registered, dialogue

    def rate_session_answer(self, message: IncomingMessage, code: str, score: int) -> bool:
        rated = sessions.rate_answer(
            self.session, code=code, channel=message.channel, user_key=message.user_key, score=score
        )
        return rated is not None

    def reopen(self, ticket: Ticket, now: datetime) -> None:
        services.reopen(self.session, ticket=ticket, now=now)

    def comment_rating(self, ticket: Ticket, comment: str, now: datetime) -> None:
        services.comment_rating(self.session, ticket=ticket, comment=comment, now=now)

    def record(
        self,
        conversation: Conversation,
        message: IncomingMessage,
        replies: list[Reply],
        facts: TurnFacts,
        *,
        deliver: bool,
    ) -> None:
        session = self.session
        session.add(
            TranscriptMessage(
                conversation_id=conversation.id,
                direction="in",
                text=message.text or "",
                payload=message.payload,
                intent=facts.intent,
                topic=facts.topic,
                ticket_id=facts.ticket_id,
                created_at=facts.now,
            )
        )
        for reply in replies:
            session.add(
                TranscriptMessage(
                    conversation_id=conversation.id,
                    direction="out",
                    text=reply.text,
                    buttons=reply.stored_buttons() or None,
                    topic=facts.topic,
                    answer_id=facts.answer_id,
                    ticket_id=facts.ticket_id,
                    created_at=facts.now,
                )
            )
            if deliver:
                outbox.enqueue(
                    session,
                    channel=message.channel,
                    user_key=message.user_key,
                    text=reply.text,
                    buttons=reply.stored_buttons(),
                    now=facts.now,
                    conversation_id=conversation.id,
                    ticket_id=facts.ticket_id,
                )
        flag_modified(conversation, "context")
        session.add(conversation)
