"""Registering a question for a business-dialogue session, in the chat the business already uses.

`/doithoai`, or asking in words ("tôi muốn đăng ký câu hỏi cho hội nghị đối thoại"), lists the sessions open
for registration as buttons; the business picks one, types its question (or brings one of its tickets:
"đưa phản ánh PA-2026-000123 ra đối thoại"), confirms a summary that reuses its known details, and gets a
registration code. The day-before reminder and the answer given in the session arrive later, through the
outbox (`tickets.dialogues.sessions`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.dialogue import slots, states, texts
from bot.dialogue.turn import Handler, Turn
from bot.messages import Button, Reply
from knowledge.catalog import Catalog
from nlu.normalize import strip_diacritics
from nlu.pipeline import ParseResult
from tickets.calendar.sla import LOCAL_TZ
from tickets.dialogues import texts as session_texts
from tickets.dialogues.sessions import SessionError, check_question
from tickets.domain import payloads

# "đăng ký câu hỏi … đối thoại", "hội nghị đối thoại", "đưa phản ánh … ra đối thoại" (folded, lower case)
_WANTS_TO_REGISTER = re.compile(
    r"\bdang ky\b.*\bdoi thoai\b|\bdoi thoai\b.*\bdang ky\b|\b(?:hoi nghi|phien|buoi) doi thoai\b.*\bcau hoi\b"
    r"|\bdua\b.*\bra (?:hoi nghi |phien |buoi )?doi thoai\b"
)

_THIS_TICKET = re.compile(r"\bphan anh\b")  # "đưa phản ánh này ra đối thoại": the business's newest ticket


def wants_to_register(text: str) -> bool:
    return bool(_WANTS_TO_REGISTER.search(strip_diacritics(text).lower()))


class Registering:
    def __init__(self, *, catalog: Catalog, parse: Callable[[str], ParseResult]) -> None:
        self.catalog = catalog
        self.parse = parse  # the question's topic names the department that answers it
        self.typed_answers: dict[str, Handler] = {
            states.REGISTER_SESSION: self._session_text,
            states.REGISTER_QUESTION: self._question,
            states.REGISTER_CONFIRM: self._confirm_text,
        }
        self.buttons: dict[str, dict[str, Handler]] = {
            states.REGISTER_SESSION: {payloads.SESSION: self._chosen},
            states.REGISTER_CONFIRM: {payloads.CONFIRM: self._confirm},
        }

    def start(self, turn: Turn, text: str = "") -> list[Reply]:
        """The open sessions as buttons; a ticket code in `text` brings that ticket as the question."""
        turn.intent = "register_question"
        turn.reset(states.IDLE)
        found = turn.store.open_sessions(turn.now)
        if not found:
            return [Reply(texts.NO_OPEN_SESSION)]
        code = slots.ticket_code(text)
        if code is None and _THIS_TICKET.search(strip_diacritics(text).lower()):
            newest = turn.store.own_tickets(turn.message, limit=1)
            code = newest[0].code if newest else None
        if code:
            ticket = turn.store.own_ticket(turn.message, code)
            if ticket is None:
                return [Reply(texts.NOT_FOUND.format(code=code))]
            turn.context["ticket"] = code
        turn.move(states.REGISTER_SESSION)
        shown = (Button(session_texts.button_title(s), payloads.make(payloads.SESSION, s.id)) for s in found)
        listing = "\n".join(
            f"• {s.title} — {session_texts.when(s)}, {session_texts.where(s)}; nhận câu hỏi đến "
            f"{s.registration_closes_at.astimezone(LOCAL_TZ).strftime('%H:%M %d/%m/%Y')}"
            for s in found
        )
        return [Reply(texts.CHOOSE_SESSION + "\n" + listing, (*shown, texts.CANCEL))]

    def _session_text(self, turn: Turn, _text: str) -> list[Reply]:
        return [Reply(texts.CHOOSE_SESSION_AGAIN, (texts.CANCEL,))]

    def _chosen(self, turn: Turn, argument: str) -> list[Reply] | None:
        chosen = next((s for s in turn.store.open_sessions(turn.now) if str(s.id) == argument), None)
        if chosen is None:
            turn.reset(states.IDLE)
            return [Reply(session_texts.REGISTRATION_CLOSED)]
        turn.context["session"] = chosen.id
        code = turn.context.get("ticket")
        ticket = turn.store.own_ticket(turn.message, code) if code else None
        if ticket is not None:
            turn.context["question"] = ticket.description[:2000]
            return self._summary(turn, chosen.title)
        turn.move(states.REGISTER_QUESTION)
        return [Reply(texts.ASK_SESSION_QUESTION.format(title=chosen.title), (texts.CANCEL,))]

    def _question(self, turn: Turn, text: str) -> list[Reply]:
        try:
            turn.context["question"] = check_question(text)
        except SessionError as error:
            return [Reply(str(error), (texts.CANCEL,))]
        topic = self.parse(turn.context["question"]).topic
        turn.context["topic"] = topic if topic in self.catalog.topics else None
        chosen = next((s for s in turn.store.open_sessions(turn.now) if s.id == turn.context.get("session")), None)
        if chosen is None:
            turn.reset(states.IDLE)
            return [Reply(session_texts.REGISTRATION_CLOSED)]
        return self._summary(turn, chosen.title)

    def _summary(self, turn: Turn, title: str) -> list[Reply]:
        turn.move(states.REGISTER_CONFIRM)
        known = turn.context.get("business") or {}
        who = (
            texts.SESSION_SUMMARY_BUSINESS.format(company=known["company_name"], tax_code=known.get("tax_code") or "")
            if known.get("company_name")
            else ""
        )
        summary = texts.SESSION_SUMMARY.format(title=title, question=turn.context["question"], business=who)
        return [Reply(summary, (Button(texts.SEND_QUESTION, payloads.CONFIRM), texts.CANCEL))]

    def _confirm_text(self, turn: Turn, _text: str) -> list[Reply]:
        return [Reply(texts.CONFIRM_SESSION_AGAIN, (Button(texts.SEND_QUESTION, payloads.CONFIRM), texts.CANCEL))]

    def _confirm(self, turn: Turn, _argument: str) -> list[Reply] | None:
        known = turn.context.get("business") or {}
        code = turn.context.get("ticket")
        try:
            registered, dialogue = turn.store.register_question(
                turn.conversation,
                session_id=turn.context.get("session"),
                question=turn.context.get("question", ""),
                ticket=turn.store.own_ticket(turn.message, code) if code else None,
                company_name=known.get("company_name") or "",
                tax_code=known.get("tax_code") or "",
                topic=turn.context.get("topic"),
                department=self._department(turn.context.get("topic")),
                now=turn.now,
            )
        except SessionError as error:
            turn.reset(states.IDLE)
            return [Reply(str(error))]
        turn.reset(states.IDLE)
        turn.intent = "register_question"
        return [Reply(session_texts.receipt(dialogue, registered.code))]

    def _department(self, topic: str | None) -> str | None:
        return self.catalog.topics[topic].department if topic in self.catalog.topics else None

    def rate(self, turn: Turn, argument: str) -> list[Reply]:
        code, _, score = argument.rpartition(":")
        if not score.isdigit() or not turn.store.rate_session_answer(turn.message, code, int(score)):
            return [Reply(texts.UNKNOWN_BUTTON)]
        turn.intent = "rate"
        return [Reply(texts.SESSION_RATED.format(score=score, code=code))]
