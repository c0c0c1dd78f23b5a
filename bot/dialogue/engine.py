"""The dialogue engine: one channel-neutral core behind Telegram, Zalo, the web chat and the terminal.

`handle(message)` loads the conversation of (channel, user), decides the replies from its state (see
`states.mmd`), and in the same transaction stores the transcript, the new state and — for channels that
deliver asynchronously — the replies in the outbox. What a message does is read from tables, as
python-telegram-bot's `ConversationHandler` does: commands by name, buttons by payload kind (the state's
own first, then those valid anywhere), texts by state, and a question by the intent the NLU gives it.
Storage is reached only through a `DialogueStore`.

A dialogue manager of its own (Rasa, `bot/rasa/`) uses `outside_answer`, `outside_status` and
`outside_ticket` instead: the same answers, checks and tickets, recorded the same way, with the flow left
to the manager.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from bot.dialogue import slots, states, texts
from bot.dialogue.asking import Asking, shortened
from bot.dialogue.filing import Filing, format_day
from bot.dialogue.registering import Registering, wants_to_register
from bot.dialogue.store import DialogueStore, StoreOpener
from bot.dialogue.turn import Handler, Turn
from bot.messages import MAX_TEXT_CHARS, Button, IncomingMessage, Reply
from knowledge.catalog import Catalog
from knowledge.service import KnowledgeBase
from nlu.pipeline import NluPipeline, ParseResult
from tickets.domain import notices, payloads
from tickets.domain.rules import Deadlines, TicketError
from tickets.storage.models import TicketState, utcnow

_COMMAND = re.compile(r"^/([a-z_]+)(?:@\w+)?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_CANCEL_WORDS = {"huy", "hủy", "/huy", "thoat", "thoát"}


class DialogueEngine:
    def __init__(
        self,
        *,
        stores: StoreOpener,
        nlu: Callable[[], NluPipeline],
        knowledge: KnowledgeBase,
        catalog: Catalog,
        deadlines: Deadlines,
        identifies_user: Callable[[str], bool],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`stores` opens a store for one turn (`SqlStore.opener(database)`); `identifies_user(channel)`: whether
        that channel's chat reaches the business (the channel registry)."""
        self.stores = stores
        self.nlu = nlu
        self.knowledge = knowledge
        self.catalog = catalog
        self.clock = clock
        self.filing = Filing(catalog=catalog, deadlines=deadlines, parse=self.parse, identifies_user=identifies_user)
        self.asking = Asking(knowledge=knowledge, catalog=catalog, parse=self.parse)
        self.registering = Registering(catalog=catalog, parse=self.parse)
        # The routing tables. Every handler takes the turn and the command's argument, the payload's argument
        # or the text; a button handler returns None when the button does not apply in the current state.
        self.commands: dict[str, Handler] = {
            "start": self._start,
            "help": self._help,
            "phananh": self.filing.start,
            "tracuu": self._lookup,
            "huy": self._cancel,
            "doithoai": self.registering.start,
        }
        self.state_buttons: dict[str, dict[str, Handler]] = {
            **self.filing.buttons,
            **self.registering.buttons,
            states.RATING_COMMENT: {payloads.SKIP: self._skip_comment},
        }
        self.buttons: dict[str, Handler] = {  # in any state, after the state's own
            payloads.CANCEL: self._cancel,
            payloads.FEEDBACK: self._feedback,
            payloads.FILE: self.filing.start,
            payloads.STATUS: self._ask_code,
            payloads.DOCUMENT: self.asking.chosen,
            payloads.SHOW: self._status,
            payloads.REPLY: self._start_ticket_message,
            payloads.RATE: self._rate,
            payloads.REOPEN: self._reopen,
            payloads.SESSION_RATE: self.registering.rate,
        }
        self.state_texts: dict[str, Handler] = {  # any other state answers free text (`_free_text`)
            **self.filing.typed_answers,
            **self.registering.typed_answers,
            states.AWAITING_CODE: self._code_text,
            states.TICKET_MESSAGE: self._ticket_message,
            states.RATING_COMMENT: self._rating_comment,
        }
        self.intents: dict[str, Handler] = {  # a free text by its intent; a question is answered (`_answer`)
            "greet": self._start_over,
            "thanks": self._thanks,
            "goodbye": self._goodbye,
            "human": self._human,
            "report_issue": self.filing.start,
            "check_ticket": self._ask_code,
            "affirm": self._affirm,
            "deny": self._deny,
        }

    def parse(self, text: str) -> ParseResult:
        return self.nlu().parse(text)

    def handle(self, message: IncomingMessage, *, deliver: bool = False) -> list[Reply]:
        with self.stores() as store:
            return self.respond(store, message, deliver=deliver)

    def respond(self, store: DialogueStore, message: IncomingMessage, *, deliver: bool) -> list[Reply]:
        """Answer one message inside the caller's transaction; `deliver` puts the replies in the outbox.

        The turn reads, understands and answers before it writes anything (`_record`, at the end), so on
        SQLite the database's single write lock is held for the writes alone, not for the encoding.
        """
        return self._turn(store, message, self._dispatch, deliver=deliver)

    def _turn(
        self, store: DialogueStore, message: IncomingMessage, step: Callable[[Turn], list[Reply]], *, deliver: bool
    ) -> list[Reply]:
        now = self.clock()
        conversation = store.conversation(message, now)
        turn = Turn(
            store=store, conversation=conversation, message=message, now=now, context=dict(conversation.context)
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
            return self.asking.answer(turn, text, understood)

        return self._outside_turn(message, step)

    def outside_status(self, message: IncomingMessage) -> list[Reply]:
        """The status of the ticket whose code the message gives (only the business's own), or the question for it."""
        return self._outside_turn(message, lambda turn: self._lookup(turn, message.text or ""))

    def outside_ticket(self, message: IncomingMessage, form: dict[str, str]) -> list[Reply]:
        """File a ticket from a form an outside dialogue manager gathered, each answer checked by `slots`."""

        def step(turn: Turn) -> list[Reply]:
            turn.context["form"] = dict(form)
            return self.filing.file_gathered(turn)

        return self._outside_turn(message, step)

    def _outside_turn(self, message: IncomingMessage, step: Callable[[Turn], list[Reply]]) -> list[Reply]:
        with self.stores() as store:
            return self._turn(store, message, step, deliver=False)

    # ------------------------------------------------------------------ routing

    def _dispatch(self, turn: Turn) -> list[Reply]:
        text = (turn.message.text or "").strip()
        payload = turn.message.payload or _chosen_option(turn, text)
        if payload:
            return self._on_payload(turn, payload)
        unreadable = _unreadable(text)
        if unreadable:
            return unreadable
        if text.lower() in _CANCEL_WORDS:
            return self._cancel(turn, "")
        command = _COMMAND.match(text)
        if command:
            handler = self.commands.get(command.group(1).lower(), self._help)
            return handler(turn, command.group(2).strip())
        return self.state_texts.get(turn.state, self._free_text)(turn, text)

    def _on_payload(self, turn: Turn, payload: str) -> list[Reply]:
        kind, argument = payloads.split(payload)
        for table in (self.state_buttons.get(turn.state, {}), self.buttons):
            handler = table.get(kind)
            replies = handler(turn, argument) if handler else None
            if replies is not None:
                return replies
        return [Reply(texts.UNKNOWN_BUTTON)]

    # ------------------------------------------------------------------ small handlers

    def _start(self, turn: Turn, _argument: str) -> list[Reply]:
        turn.reset(states.IDLE)
        return self._start_over(turn, "")

    def _start_over(self, turn: Turn, _text: str) -> list[Reply]:
        return [Reply(texts.GREETING, (texts.FILE_ISSUE, texts.CHECK_TICKET))]

    def _help(self, turn: Turn, _argument: str) -> list[Reply]:
        return [Reply(texts.HELP)]

    def _thanks(self, turn: Turn, _text: str) -> list[Reply]:
        return [Reply(texts.THANKS)]

    def _goodbye(self, turn: Turn, _text: str) -> list[Reply]:
        return [Reply(texts.GOODBYE)]

    def _human(self, turn: Turn, _text: str) -> list[Reply]:
        return [Reply(texts.HUMAN, (texts.FILE_ISSUE,))]

    def _affirm(self, turn: Turn, text: str) -> list[Reply]:
        """A yes to what was just offered: filing an issue when that was the offer (not beside an answer), the
        one entry offered; else thanks."""
        offered = _offered_payloads(turn)
        if payloads.FILE in offered and payloads.HELPFUL not in offered:
            return self.filing.start(turn)
        entries = [argument for kind, argument in map(payloads.split, offered) if kind == payloads.DOCUMENT]
        if len(entries) == 1:
            return self.asking.chosen(turn, entries[0])
        return self._thanks(turn, text)

    def _deny(self, turn: Turn, _text: str) -> list[Reply]:
        return [Reply(texts.DECLINED)]

    def _cancel(self, turn: Turn, _argument: str) -> list[Reply]:
        if turn.state == states.IDLE:
            return [Reply(texts.NOTHING_TO_CANCEL)]
        turn.reset(states.IDLE)
        return [Reply(texts.CANCELLED)]

    def _feedback(self, turn: Turn, verdict: str) -> list[Reply] | None:
        if verdict not in ("up", "down"):
            return None
        turn.intent, turn.answer_id = "feedback", turn.context.get("last_answer")  # the statistics read both
        if verdict == "up":
            return [Reply(texts.THANKS_FEEDBACK)]
        return [Reply(texts.SORRY_FEEDBACK, (texts.FILE_ISSUE,))]

    def _skip_comment(self, turn: Turn, _argument: str) -> list[Reply]:
        turn.reset(states.IDLE)
        return [Reply(texts.THANKS_FEEDBACK)]

    # ------------------------------------------------------------------ questions

    def _free_text(self, turn: Turn, text: str) -> list[Reply]:
        if wants_to_register(text):
            return self.registering.start(turn, text)
        understood = self.parse(text)
        turn.intent, turn.topic = understood.intent, understood.topic
        code = slots.ticket_code(text)
        if code and understood.intent in ("check_ticket", "ask", "out_of_scope"):
            return self._status(turn, code)
        handler = self.intents.get(understood.intent)
        return handler(turn, text) if handler else self.asking.answer(turn, text, understood)

    # ------------------------------------------------------------------ tickets

    def _own_ticket(self, turn: Turn, code: str):
        return turn.store.own_ticket(turn.message, code)

    def _lookup(self, turn: Turn, text: str) -> list[Reply]:
        """The status of the ticket whose code the text gives, or the question for the code."""
        code = slots.ticket_code(text)
        return self._status(turn, code) if code else self._ask_code(turn, text)

    def _code_text(self, turn: Turn, text: str) -> list[Reply]:
        code = slots.ticket_code(text)
        return self._status(turn, code) if code else [Reply(texts.CODE_INVALID, (texts.CANCEL,))]

    def _ask_code(self, turn: Turn, _argument: str = "") -> list[Reply]:
        turn.intent = "check_ticket"
        turn.reset(states.AWAITING_CODE)
        own = turn.store.own_tickets(turn.message, limit=3)
        if own:
            shown = (Button(t.code, payloads.make(payloads.SHOW, t.code)) for t in own)
            return [Reply(texts.CHOOSE_TICKET + "\n" + texts.ASK_CODE, (*shown, texts.CANCEL))]
        return [Reply(texts.ASK_CODE, (texts.CANCEL,))]

    def _status(self, turn: Turn, code: str) -> list[Reply]:
        turn.intent = "check_ticket"
        turn.reset(states.IDLE)
        ticket = self._own_ticket(turn, code)
        if ticket is None:
            return [Reply(texts.NOT_FOUND.format(code=code))]
        turn.ticket_id = ticket.id
        last = turn.store.last_public_reply(ticket)
        status = texts.STATUS.format(
            code=ticket.code,
            state=notices.STATE_LABELS[ticket.state.value],
            department=self.catalog.departments[ticket.department].name,
            due=format_day(ticket.due_at),
            last_reply=shortened(last, 600) if last else texts.NO_REPLY_YET,
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
        turn.store.add_business_message(ticket, text, turn.now)
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
            turn.store.rate(ticket, int(score), turn.now)
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
            turn.store.reopen(ticket, turn.now)
        except TicketError:
            return [Reply(texts.REOPEN_REFUSED.format(code=code))]
        turn.ticket_id, turn.intent = ticket.id, "reopen"
        turn.reset(states.TICKET_MESSAGE)
        turn.context["ticket"] = code
        return [Reply(texts.REOPENED.format(code=code), (texts.CANCEL,))]

    def _rating_comment(self, turn: Turn, text: str) -> list[Reply]:
        code, ticket = self._leave_ticket_step(turn)
        if ticket is not None:
            turn.store.comment_rating(ticket, text, turn.now)
            turn.ticket_id = ticket.id
        return [Reply(texts.RATING_DONE.format(code=code))]


# ---------------------------------------------------------------------- helpers


def _unreadable(text: str) -> list[Reply] | None:
    """The reply to a message with no text, or one too long to read; None for any other."""
    if not text:
        return [Reply(texts.NOT_TEXT)]
    if len(text) > MAX_TEXT_CHARS:
        return [Reply(texts.TOO_LONG.format(limit=MAX_TEXT_CHARS))]
    return None


def _record(turn: Turn, replies: list[Reply], *, deliver: bool) -> None:
    """The conversation as the turn leaves it (state, context, the buttons just offered), stored with the
    transcript and the replies to deliver."""
    conversation = turn.conversation
    turn.context["offered"] = next((r.stored_buttons() for r in reversed(replies) if r.buttons), [])
    turn.context["offered_at"] = turn.now.isoformat()
    conversation.context = turn.context
    conversation.last_user_message_at = conversation.updated_at = turn.now
    turn.store.record(conversation, turn.message, replies, turn.facts(), deliver=deliver)


def _offered_buttons(turn: Turn) -> list[list[str]]:
    """The buttons of the newest message the business received: a reply of this engine, or a notice from
    staff (a reply, a rating prompt) that went out through the outbox later."""
    offered = turn.context.get("offered") or []
    notice = turn.store.newest_notice(turn.conversation)
    offered_at = turn.context.get("offered_at")
    if notice is not None and (offered_at is None or notice[1] > datetime.fromisoformat(offered_at)):
        return notice[0]
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
