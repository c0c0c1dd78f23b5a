"""Sessions, their states, and the questions businesses register for them.

A session moves forward only: planned → registration open → registration closed → held → minutes
published. Registration opens and closes by itself at the times the organisers set (`jobs`); organisers may
also move it by hand. What a business must read (its receipt, the day-before reminder, the answer given in
the session) goes to the outbox in the same transaction, like a ticket's notices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from tickets.calendar.sla import LOCAL_TZ
from tickets.dialogues import texts
from tickets.storage import outbox
from tickets.storage.models import (
    AgendaItem,
    DialogueSession,
    SessionQuestion,
    SessionState,
    Ticket,
)

ORDER = list(SessionState)
MAX_QUESTION = 2000
MIN_QUESTION_WORDS = 3
REMIND_BEFORE = timedelta(days=1)


class SessionError(ValueError):
    """A change the session's rules refuse, explained in Vietnamese."""


@dataclass(frozen=True)
class SessionForm:
    """What organisers set on a session."""

    title: str
    starts_at: datetime
    place: str
    chair: str
    departments: Sequence[str]
    topics: Sequence[str]
    registration_opens_at: datetime
    registration_closes_at: datetime
    theme: str = ""
    online_link: str | None = None

    def check(self, *, departments: Sequence[str], topics: Sequence[str]) -> None:
        """Refuse a form that cannot make a session, naming the field."""
        if not self.title.strip():
            raise SessionError(texts.NEED_TITLE)
        if not (self.place.strip() or (self.online_link or "").strip()):
            raise SessionError(texts.NEED_PLACE)
        if not self.departments:
            raise SessionError(texts.NEED_DEPARTMENT)
        unknown = [code for code in self.departments if code not in departments] + [
            code for code in self.topics if code not in topics
        ]
        if unknown:
            raise SessionError(texts.UNKNOWN_CODES.format(codes=", ".join(unknown)))
        if not self.registration_opens_at < self.registration_closes_at <= self.starts_at:
            raise SessionError(texts.BAD_WINDOW)


def create(
    session: Session, form: SessionForm, *, actor: str, now: datetime, departments: Sequence[str], topics: Sequence[str]
) -> DialogueSession:
    form.check(departments=departments, topics=topics)
    dialogue = DialogueSession(created_by=actor, created_at=now, updated_at=now)
    _apply(dialogue, form)
    if dialogue.registration_opens_at <= now < dialogue.registration_closes_at:
        dialogue.state = SessionState.registration_open
    session.add(dialogue)
    session.flush()
    return dialogue


def edit(
    session: Session,
    dialogue: DialogueSession,
    form: SessionForm,
    *,
    now: datetime,
    departments: Sequence[str],
    topics: Sequence[str],
) -> None:
    if dialogue.state in (SessionState.held, SessionState.minutes_published):
        raise SessionError(texts.ALREADY_HELD)
    form.check(departments=departments, topics=topics)
    _apply(dialogue, form)
    dialogue.updated_at = now
    session.add(dialogue)


def _apply(dialogue: DialogueSession, form: SessionForm) -> None:
    dialogue.title = form.title.strip()[:300]
    dialogue.starts_at = form.starts_at
    dialogue.place = form.place.strip()[:300]
    dialogue.online_link = (form.online_link or "").strip()[:500] or None
    dialogue.chair = form.chair.strip()[:200]
    dialogue.departments = list(dict.fromkeys(form.departments))
    dialogue.topics = list(dict.fromkeys(form.topics))
    dialogue.theme = form.theme.strip()
    dialogue.registration_opens_at = form.registration_opens_at
    dialogue.registration_closes_at = form.registration_closes_at


def advance(session: Session, dialogue: DialogueSession, target: SessionState, *, now: datetime) -> None:
    """Move the session forward to `target` (skipping states is allowed: a session without registration goes
    from planned to held); never back. Publishing the minutes goes through `publish_minutes`."""
    if ORDER.index(target) <= ORDER.index(dialogue.state):
        raise SessionError(texts.NO_GOING_BACK.format(state=texts.STATE_LABELS[dialogue.state]))
    if target == SessionState.minutes_published:
        raise SessionError(texts.MINUTES_NEED_APPROVAL)
    dialogue.state = target
    dialogue.updated_at = now
    session.add(dialogue)


def publish_minutes(session: Session, dialogue: DialogueSession, *, approver: str, now: datetime) -> None:
    """The chair's approval: the minutes are published (on the public page too)."""
    if dialogue.state != SessionState.held:
        raise SessionError(texts.MINUTES_BEFORE_HELD)
    dialogue.state = SessionState.minutes_published
    dialogue.minutes_approved_by = approver
    dialogue.minutes_published_at = now
    dialogue.updated_at = now
    session.add(dialogue)


def follow_the_clock(session: Session, *, now: datetime) -> int:
    """Open the registration of planned sessions whose window has begun, and close it where it has ended;
    the number of sessions moved. One conditional UPDATE per move, so several servers never disagree."""
    opened = session.execute(
        update(DialogueSession)
        .where(
            col(DialogueSession.state) == SessionState.planned,
            col(DialogueSession.registration_opens_at) <= now,
            col(DialogueSession.registration_closes_at) > now,
        )
        .values(state=SessionState.registration_open, updated_at=now)
    ).rowcount
    closed = session.execute(
        update(DialogueSession)
        .where(
            col(DialogueSession.state).in_((SessionState.planned, SessionState.registration_open)),
            col(DialogueSession.registration_closes_at) <= now,
        )
        .values(state=SessionState.registration_closed, updated_at=now)
    ).rowcount
    return opened + closed


def open_for_registration(session: Session, *, now: datetime) -> list[DialogueSession]:
    """The sessions a business may register a question for now, soonest first."""
    return list(
        session.exec(
            select(DialogueSession)
            .where(
                col(DialogueSession.state) == SessionState.registration_open,
                col(DialogueSession.registration_closes_at) > now,
            )
            .order_by(col(DialogueSession.starts_at), col(DialogueSession.id))
        ).all()
    )


def check_question(text: str) -> str:
    """The question as it will be registered, or SessionError when it cannot be one."""
    question = " ".join(text.split())
    if len(question.split()) < MIN_QUESTION_WORDS:
        raise SessionError(texts.QUESTION_TOO_SHORT)
    if len(question) > MAX_QUESTION:
        raise SessionError(texts.QUESTION_TOO_LONG.format(limit=MAX_QUESTION))
    return question


def register(
    session: Session,
    dialogue: DialogueSession,
    *,
    channel: str,
    user_key: str,
    question: str,
    now: datetime,
    conversation_id: int | None = None,
    ticket: Ticket | None = None,
    company_name: str = "",
    tax_code: str = "",
    topic: str | None = None,
    department: str | None = None,
) -> SessionQuestion:
    """Register a business's question for an open session; its code (`DT-YYYY-NNNNNN`) is the business's
    receipt. A question brought from a ticket takes the ticket's business, topic and department unless given."""
    if dialogue.state != SessionState.registration_open or dialogue.registration_closes_at <= now:
        raise SessionError(texts.REGISTRATION_CLOSED)
    registered = SessionQuestion(
        session_id=dialogue.id,
        channel=channel,
        user_key=user_key,
        conversation_id=conversation_id,
        ticket_id=ticket.id if ticket else None,
        company_name=(company_name or (ticket.company_name if ticket else ""))[:200],
        tax_code=(tax_code or (ticket.tax_code if ticket else ""))[:14],
        question=check_question(question),
        topic=topic or (ticket.topic if ticket else None),
        department=department or (ticket.department if ticket else None),
        created_at=now,
    )
    session.add(registered)
    session.flush()
    registered.code = f"DT-{now.astimezone(LOCAL_TZ).year}-{registered.id:06d}"
    session.add(registered)
    return registered


def questions_of(session: Session, dialogue_id: int) -> list[SessionQuestion]:
    return list(
        session.exec(
            select(SessionQuestion)
            .where(col(SessionQuestion.session_id) == dialogue_id)
            .order_by(col(SessionQuestion.id))
        ).all()
    )


def remind(session: Session, *, now: datetime) -> int:
    """Remind each business, once, of the session its question is registered for, when the session starts
    within a day; the number reminded. Each question is claimed with a conditional UPDATE."""
    starting = select(DialogueSession.id).where(
        col(DialogueSession.starts_at) > now,
        col(DialogueSession.starts_at) <= now + REMIND_BEFORE,
        col(DialogueSession.state).in_((SessionState.registration_open, SessionState.registration_closed)),
    )
    claimed = session.scalars(
        update(SessionQuestion)
        .where(col(SessionQuestion.session_id).in_(starting), col(SessionQuestion.reminded_at).is_(None))
        .values(reminded_at=now)
        .returning(SessionQuestion)
    ).all()
    for question in claimed:
        dialogue = session.get(DialogueSession, question.session_id)
        outbox.enqueue(
            session,
            channel=question.channel,
            user_key=question.user_key,
            text=texts.reminder(dialogue, question.code),
            kind="notice",
            now=now,
            conversation_id=question.conversation_id,
        )
    return len(claimed)


def record_answer(
    session: Session, item: AgendaItem, *, answer: str, actor: str, now: datetime, department_name: str
) -> SessionQuestion | None:
    """The answer given in the session to an agenda item; for a registered question, the business receives
    it in the chat it registered from, with buttons to rate it. Returns that question, if any."""
    answer = answer.strip()
    if not answer:
        raise SessionError(texts.NEED_ANSWER)
    item.answer, item.answered_by, item.answered_at = answer, actor, now
    session.add(item)
    if item.kind != "question":
        return None
    question = session.exec(
        select(SessionQuestion).where(
            col(SessionQuestion.session_id) == item.session_id, col(SessionQuestion.code) == item.reference
        )
    ).first()
    if question is None:
        return None
    first_answer = question.answered_at is None
    question.answer, question.answered_at = answer, now
    session.add(question)
    if first_answer:
        text, buttons = texts.answer_notice(question.code, department_name, answer)
        outbox.enqueue(
            session,
            channel=question.channel,
            user_key=question.user_key,
            text=text,
            buttons=buttons,
            kind="notice",
            now=now,
            conversation_id=question.conversation_id,
        )
    return question


def rate_answer(session: Session, *, code: str, channel: str, user_key: str, score: int) -> SessionQuestion | None:
    """A business's 1–5 rating of the answer its question got; None when the code is not its own."""
    question = session.exec(
        select(SessionQuestion).where(
            col(SessionQuestion.code) == code,
            col(SessionQuestion.channel) == channel,
            col(SessionQuestion.user_key) == user_key,
        )
    ).first()
    if question is None or question.answered_at is None or not 1 <= score <= 5:
        return None
    question.rating = score
    session.add(question)
    return question
