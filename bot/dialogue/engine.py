"""The dialogue engine: one channel-neutral core behind Telegram, Zalo, the web chat and the terminal.

`handle(message)` loads the conversation of (channel, user), decides the replies from its state (see
`states.mmd`), and in the same transaction stores the transcript, the new state and — for channels that
deliver asynchronously — the replies in the outbox. A dialogue manager of its own (Rasa, `bot/rasa/`)
uses `outside_answer`, `outside_status` and `outside_ticket` instead: the same answers, checks and
tickets, recorded the same way, with the flow left to the manager.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from bot.dialogue import slots, states, texts
from bot.dialogue.filing import Filing, format_day, local_day
from bot.dialogue.turn import Turn
from bot.messages import MAX_TEXT_CHARS, Button, IncomingMessage, Reply
from knowledge.answer import OUT_OF_SCOPE_REPLY, format_reply
from knowledge.catalog import Catalog
from knowledge.service import KnowledgeBase
from nlu.pipeline import NluPipeline, ParseResult
from tickets.domain import notices, services
from tickets.domain.services import Deadlines, TicketError
from tickets.storage import outbox
from tickets.storage.db import Database
from tickets.storage.models import Conversation, OutboxMessage, TicketState, TranscriptMessage, utcnow

_COMMAND = re.compile(r"^/([a-z_]+)(?:@\w+)?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_CANCEL_WORDS = {"huy", "hủy", "/huy", "thoat", "thoát"}


class DialogueEngine:
    def __init__(
        self,
        *,
        database: Database,
        nlu: Callable[[], NluPipeline],
        knowledge: KnowledgeBase,
        catalog: Catalog,
        deadlines: Deadlines,
        identifies_user: Callable[[str], bool],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`identifies_user(channel)`: whether that channel's chat reaches the business (the channel registry)."""
        self.database = database
        self.nlu = nlu
        self.knowledge = knowledge
        self.catalog = catalog
        self.clock = clock
        self.filing = Filing(catalog=catalog, deadlines=deadlines, parse=self.parse, identifies_user=identifies_user)

    def parse(self, text: str) -> ParseResult:
        return self.nlu().parse(text)

    def handle(self, message: IncomingMessage, *, deliver: bool = False) -> list[Reply]:
        with self.database.session() as session:
            return self.respond(session, message, deliver=deliver)

    def respond(self, session: Session, message: IncomingMessage, *, deliver: bool) -> list[Reply]:
        """Answer one message inside the caller's transaction; `deliver` puts the replies in the outbox.

        The turn reads, understands and answers before it writes anything (`_record`, at the end), so on
        SQLite the database's single write lock is held for the writes alone, not for the encoding.
        """
        return self._turn(session, message, self._dispatch, deliver=deliver)

    def _turn(
        self, session: Session, message: IncomingMessage, step: Callable[[Turn], list[Reply]], *, deliver: bool
    ) -> list[Reply]:
        now = self.clock()
        conversation = _conversation(session, message, now)
        turn = Turn(
            session=session, conversation=conversation, message=message, now=now, context=dict(conversation.context)
        )
        replies = step(turn)
        _record(turn, replies, deliver=deliver)
        return replies

    # ------------------------------------------------------------------ for an outside dialogue manager

    def outside_answer(self, message: IncomingMessage) -> list[Reply]:
        """A question (text), or a button of an earlier answer (payload: feedback, a chosen document, a
        ticket to show), answered whatever the conversation's state: a dialogue manager outside this
        engine (Rasa) owns the flow. The turn is recorded in the transcript like any other."""

        def step(turn: Turn) -> list[Reply]:
            if message.payload:
                return self._on_payload(turn, message.payload)
            text = (message.text or "").strip()
            unreadable = _unreadable(text)
            if unreadable:
                return unreadable
            understood = self.parse(text)
            turn.intent, turn.topic = understood.intent, understood.topic
            return self._answer(turn, text, understood)

        return self._outside_turn(message, step)

    def outside_status(self, message: IncomingMessage) -> list[Reply]:
        """The status of the ticket whose code the message gives (only the business's own), or the question for it."""
        code = slots.ticket_code(message.text or "")
        return self._outside_turn(message, lambda turn: self._status(turn, code) if code else self._ask_code(turn))

    def outside_ticket(self, message: IncomingMessage, form: dict[str, str]) -> list[Reply]:
        """File a ticket from a form an outside dialogue manager gathered, each answer checked by `slots`."""

        def step(turn: Turn) -> list[Reply]:
            turn.context["form"] = dict(form)
            return self.filing.file_gathered(turn)

        return self._outside_turn(message, step)

    def _outside_turn(self, message: IncomingMessage, step: Callable[[Turn], list[Reply]]) -> list[Reply]:
        with self.database.session() as session:
            return self._turn(session, message, step, deliver=False)

    # ------------------------------------------------------------------ routing

    def _dispatch(self, turn: Turn) -> list[Reply]:
        message = turn.message
        text = (message.text or "").strip()
        payload = message.payload or _chosen_option(turn, text)
        if payload:
            return self._on_payload(turn, payload)
        unreadable = _unreadable(text)
        if unreadable:
            return unreadable
        if text.lower() in _CANCEL_WORDS:
            return self._cancel(turn)
        command = _COMMAND.match(text)
        if command:
            return self._command(turn, command.group(1).lower(), command.group(2).strip())
        if turn.state in states.FILING:
            return self.filing.on_text(turn, text)
        if turn.state == states.AWAITING_CODE:
            code = slots.ticket_code(text)
            return self._status(turn, code) if code else [Reply(texts.CODE_INVALID, (texts.CANCEL,))]
        if turn.state == states.TICKET_MESSAGE:
            return self._ticket_message(turn, text)
        if turn.state == states.RATING_COMMENT:
            return self._rating_comment(turn, text)
        return self._free_text(turn, text)

    def _command(self, turn: Turn, name: str, argument: str) -> list[Reply]:
        if name == "start":
            turn.reset(states.IDLE)
            return [Reply(texts.GREETING, (texts.FILE_ISSUE, texts.CHECK_TICKET))]
        if name == "help":
            return [Reply(texts.HELP)]
        if name == "phananh":
            return self.filing.start(turn, argument or None)
        if name == "tracuu":
            code = slots.ticket_code(argument)
            return self._status(turn, code) if code else self._ask_code(turn)
        if name == "huy":
            return self._cancel(turn)
        return [Reply(texts.HELP)]

    def _on_payload(self, turn: Turn, payload: str) -> list[Reply]:
        if payload == "cancel":
            return self._cancel(turn)
        if turn.state in states.FILING:
            handled = self.filing.on_payload(turn, payload)
            if handled is not None:
                return handled
        if payload in ("fb:up", "fb:down"):
            turn.intent, turn.answer_id = (
                "feedback",
                turn.context.get("last_answer"),
            )  # statistics read it with the answer
            if payload == "fb:up":
                return [Reply(texts.THANKS_FEEDBACK)]
            return [Reply(texts.SORRY_FEEDBACK, (texts.FILE_ISSUE,))]
        if payload == "file":
            return self.filing.start(turn)
        if payload == "status":
            return self._ask_code(turn)
        if payload.startswith("doc:"):
            return self._chosen_document(turn, payload[4:])
        if payload.startswith("show:"):
            return self._status(turn, payload[5:])
        if payload.startswith(notices.REPLY_PREFIX):
            return self._start_ticket_message(turn, payload[len(notices.REPLY_PREFIX) :])
        if payload.startswith(notices.RATE_PREFIX):
            return self._rate(turn, payload[len(notices.RATE_PREFIX) :])
        if payload.startswith(notices.REOPEN_PREFIX):
            return self._reopen(turn, payload[len(notices.REOPEN_PREFIX) :])
        if payload == "skip" and turn.state == states.RATING_COMMENT:
            turn.reset(states.IDLE)
            return [Reply(texts.THANKS_FEEDBACK)]
        return [Reply(texts.UNKNOWN_BUTTON)]

    def _cancel(self, turn: Turn) -> list[Reply]:
        if turn.state == states.IDLE:
            return [Reply(texts.NOTHING_TO_CANCEL)]
        turn.reset(states.IDLE)
        return [Reply(texts.CANCELLED)]

    # ------------------------------------------------------------------ questions

    def _free_text(self, turn: Turn, text: str) -> list[Reply]:
        understood = self.parse(text)
        turn.intent, turn.topic = understood.intent, understood.topic
        code = slots.ticket_code(text)
        if code and understood.intent in ("check_ticket", "ask", "out_of_scope"):
            return self._status(turn, code)
        match understood.intent:
            case "greet":
                return [Reply(texts.GREETING, (texts.FILE_ISSUE, texts.CHECK_TICKET))]
            case "thanks":
                return [Reply(texts.THANKS)]
            case "goodbye":
                return [Reply(texts.GOODBYE)]
            case "human":
                return [Reply(texts.HUMAN, (texts.FILE_ISSUE,))]
            case "report_issue":
                return self.filing.start(turn, text)
            case "check_ticket":
                return self._ask_code(turn)
            case "affirm" if _offered_payloads(turn) & {"file"}:
                return self.filing.start(turn)
            case "affirm" | "deny":
                return [Reply(texts.THANKS)]
        return self._answer(turn, text, understood)

    def _answer(self, turn: Turn, text: str, understood: ParseResult) -> list[Reply]:
        answer = self.knowledge.ask(text, understood)
        turn.topic = answer.topic or understood.topic
        if answer.decision == "out_of_scope":
            turn.intent = "out_of_scope"
            return [Reply(OUT_OF_SCOPE_REPLY)]
        turn.intent = "ask"
        turn.context["last_question"] = text
        if answer.decision == "answer":
            turn.answer_id = turn.context["last_answer"] = answer.citations[0].id
            return [
                Reply(
                    format_reply(answer, self.catalog, today=local_day(turn.now)),
                    (texts.HELPFUL, texts.NOT_RIGHT, texts.FILE_ISSUE),
                )
            ]
        if answer.decision == "choose":
            choices = tuple(Button(_short(d.title), f"doc:{d.id}") for d in answer.choices[:3])
            return [Reply(texts.CHOOSE, (*choices, texts.FILE_ISSUE))]
        return [Reply(texts.NO_ANSWER, (texts.FILE_ISSUE,))]

    def _chosen_document(self, turn: Turn, document_id: str) -> list[Reply]:
        answer = self.knowledge.answer_document(document_id)
        if answer is None:
            return [Reply(texts.UNKNOWN_BUTTON)]
        turn.intent, turn.topic, turn.answer_id = "ask", answer.topic, document_id
        turn.context["last_answer"] = document_id
        return [
            Reply(
                format_reply(answer, self.catalog, today=local_day(turn.now)),
                (texts.HELPFUL, texts.NOT_RIGHT, texts.FILE_ISSUE),
            )
        ]

    # ------------------------------------------------------------------ tickets

    def _own_ticket(self, turn: Turn, code: str):
        return services.business_ticket(
            turn.session, code=code, channel=turn.message.channel, user_key=turn.message.user_key
        )

    def _ask_code(self, turn: Turn) -> list[Reply]:
        turn.intent = "check_ticket"
        turn.reset(states.AWAITING_CODE)
        own = services.business_tickets(
            turn.session, channel=turn.message.channel, user_key=turn.message.user_key, limit=3
        )
        if own:
            return [
                Reply(
                    texts.CHOOSE_TICKET + "\n" + texts.ASK_CODE,
                    (*(Button(t.code, f"show:{t.code}") for t in own), texts.CANCEL),
                )
            ]
        return [Reply(texts.ASK_CODE, (texts.CANCEL,))]

    def _status(self, turn: Turn, code: str) -> list[Reply]:
        turn.intent = "check_ticket"
        turn.reset(states.IDLE)
        ticket = self._own_ticket(turn, code)
        if ticket is None:
            return [Reply(texts.NOT_FOUND.format(code=code))]
        turn.ticket_id = ticket.id
        last = services.last_public_reply(turn.session, ticket)
        status = texts.STATUS.format(
            code=ticket.code,
            state=notices.STATE_LABELS[ticket.state.value],
            department=self.catalog.departments[ticket.department].name,
            due=format_day(ticket.due_at),
            last_reply=_short(last.body, 600) if last and last.body else texts.NO_REPLY_YET,
        )
        buttons = () if ticket.state == TicketState.dong else (Button(*notices.reply_button(ticket.code)),)
        return [Reply(status, buttons)]

    def _start_ticket_message(self, turn: Turn, code: str) -> list[Reply]:
        ticket = self._own_ticket(turn, code)
        if ticket is None:
            return [Reply(texts.NOT_FOUND.format(code=code))]
        if ticket.state == TicketState.dong:
            return [Reply(texts.TICKET_CLOSED.format(code=code))]
        turn.reset(states.TICKET_MESSAGE)
        turn.context["ticket"] = code
        return [Reply(texts.ASK_TICKET_MESSAGE.format(code=code), (texts.CANCEL,))]

    def _leave_ticket_step(self, turn: Turn):
        """The ticket a step was about (its code kept in the context), and back to idle."""
        code = turn.context.get("ticket", "")
        ticket = self._own_ticket(turn, code)
        turn.reset(states.IDLE)
        return code, ticket

    def _ticket_message(self, turn: Turn, text: str) -> list[Reply]:
        code, ticket = self._leave_ticket_step(turn)
        if ticket is None or ticket.state == TicketState.dong:
            return [Reply(texts.TICKET_CLOSED.format(code=code))]
        services.business_message(turn.session, ticket=ticket, text=text, now=turn.now)
        turn.ticket_id, turn.intent = ticket.id, "ticket_message"
        return [Reply(texts.TICKET_MESSAGE_ADDED.format(code=code))]

    def _rate(self, turn: Turn, argument: str) -> list[Reply]:
        code, _, score = argument.rpartition(":")
        ticket = self._own_ticket(turn, code)
        if ticket is None or not score.isdigit():
            return [Reply(texts.UNKNOWN_BUTTON)]
        if ticket.rating is not None:
            return [Reply(texts.ALREADY_RATED.format(code=code))]
        try:
            services.rate(turn.session, ticket=ticket, score=int(score), now=turn.now)
        except TicketError:
            return [Reply(texts.RATING_INVALID)]
        turn.ticket_id, turn.intent = ticket.id, "rate"
        turn.reset(states.RATING_COMMENT)
        turn.context["ticket"] = code
        return [Reply(texts.RATED.format(score=score), (texts.SKIP,))]

    def _reopen(self, turn: Turn, code: str) -> list[Reply]:
        """The answer did not solve it: the ticket goes back to work and the business says why."""
        ticket = self._own_ticket(turn, code)
        if ticket is None:
            return [Reply(texts.NOT_FOUND.format(code=code))]
        try:
            services.reopen(turn.session, ticket=ticket, now=turn.now)
        except TicketError:
            return [Reply(texts.REOPEN_REFUSED.format(code=code))]
        turn.ticket_id, turn.intent = ticket.id, "reopen"
        turn.reset(states.TICKET_MESSAGE)
        turn.context["ticket"] = code
        return [Reply(texts.REOPENED.format(code=code), (texts.CANCEL,))]

    def _rating_comment(self, turn: Turn, text: str) -> list[Reply]:
        code, ticket = self._leave_ticket_step(turn)
        if ticket is not None:
            services.comment_rating(turn.session, ticket=ticket, comment=text, now=turn.now)
            turn.ticket_id = ticket.id
        return [Reply(texts.RATING_DONE.format(code=code))]


# ---------------------------------------------------------------------- storage


def _unreadable(text: str) -> list[Reply] | None:
    """The reply to a message with no text, or one too long to read; None for any other."""
    if not text:
        return [Reply(texts.NOT_TEXT)]
    if len(text) > MAX_TEXT_CHARS:
        return [Reply(texts.TOO_LONG.format(limit=MAX_TEXT_CHARS))]
    return None


def _conversation(session: Session, message: IncomingMessage, now: datetime) -> Conversation:
    """The conversation of (channel, user), locked for this transaction; created on the first message.

    A new conversation is stored in a short transaction of its own: inside the turn's, the insert would
    make SQLite take its single write lock before the turn has even understood the message."""
    query = select(Conversation).where(
        Conversation.channel == message.channel, Conversation.user_key == message.user_key
    )
    conversation = session.exec(query.with_for_update()).first()
    if conversation is None:
        try:
            with session.get_bind().begin() as connection:
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
        conversation = session.exec(query.with_for_update()).one()
    return conversation


def _record(turn: Turn, replies: list[Reply], *, deliver: bool) -> None:
    """Store the message and the replies in the transcript, the new state, and the replies to deliver."""
    session, conversation, message = turn.session, turn.conversation, turn.message
    session.add(
        TranscriptMessage(
            conversation_id=conversation.id,
            direction="in",
            text=message.text or "",
            payload=message.payload,
            intent=turn.intent,
            topic=turn.topic,
            ticket_id=turn.ticket_id,
            created_at=turn.now,
        )
    )
    for reply in replies:
        session.add(
            TranscriptMessage(
                conversation_id=conversation.id,
                direction="out",
                text=reply.text,
                buttons=reply.stored_buttons() or None,
                topic=turn.topic,
                answer_id=turn.answer_id,
                ticket_id=turn.ticket_id,
                created_at=turn.now,
            )
        )
        if deliver:
            outbox.enqueue(
                session,
                channel=message.channel,
                user_key=message.user_key,
                text=reply.text,
                buttons=reply.stored_buttons(),
                now=turn.now,
                conversation_id=conversation.id,
                ticket_id=turn.ticket_id,
            )
    offered = next((r.stored_buttons() for r in reversed(replies) if r.buttons), [])
    conversation.last_user_message_at = turn.now
    turn.context["offered"] = offered
    turn.context["offered_at"] = turn.now.isoformat()
    conversation.context = turn.context
    flag_modified(conversation, "context")
    conversation.updated_at = turn.now
    session.add(conversation)


def _offered_buttons(turn: Turn) -> list[list[str]]:
    """The buttons of the newest message the business received: a reply of this engine, or a notice from
    staff (a reply, a rating prompt) that went out through the outbox later."""
    offered = turn.context.get("offered") or []
    notice = turn.session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.conversation_id == turn.conversation.id, OutboxMessage.kind != "reply")
        .order_by(col(OutboxMessage.id).desc())
    ).first()
    offered_at = turn.context.get("offered_at")
    if notice is not None and (offered_at is None or notice.created_at > datetime.fromisoformat(offered_at)):
        return notice.buttons
    return offered


def _offered_payloads(turn: Turn) -> set[str]:
    return {payload for _title, payload in _offered_buttons(turn)}


def _chosen_option(turn: Turn, text: str) -> str | None:
    """A digit answering numbered options (Zalo, the terminal shows buttons that way) becomes that button."""
    if not text.isdigit() or len(text) > 2:
        return None
    offered = _offered_buttons(turn)
    index = int(text) - 1
    return offered[index][1] if 0 <= index < len(offered) else None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
