"""Ticket changes in one service layer: every change checks the state machine and is recorded as
an audit event; what the business must read goes to the outbox in the same transaction.

Services take the session and keyword-only arguments, and `now` is passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tickets.domain import notices
from tickets.domain.rules import Deadlines, TicketError
from tickets.storage import outbox
from tickets.storage.models import Conversation, Ticket, TicketCounter, TicketEvent, TicketState, User

TRANSITIONS: dict[TicketState, frozenset[TicketState]] = {
    TicketState.moi: frozenset({TicketState.dang_xu_ly, TicketState.cho_bo_sung, TicketState.da_tra_loi}),
    TicketState.dang_xu_ly: frozenset({TicketState.cho_bo_sung, TicketState.da_tra_loi}),
    TicketState.cho_bo_sung: frozenset({TicketState.dang_xu_ly, TicketState.da_tra_loi}),
    TicketState.da_tra_loi: frozenset({TicketState.dong, TicketState.dang_xu_ly}),
    TicketState.dong: frozenset(),
}


REOPEN_DAYS = 7  # an answered ticket may be reopened by the business, and is closed, after this many days


def next_code(session: Session, year: int) -> str:
    """The next ticket code of the year, PA-YYYY-NNNNNN, from a counter row updated in this transaction."""
    for _ in range(3):
        result = session.execute(
            update(TicketCounter).where(col(TicketCounter.year) == year).values(last=TicketCounter.last + 1)
        )
        if result.rowcount == 1:
            counter = session.get(TicketCounter, year, populate_existing=True)
            return f"PA-{year}-{counter.last:06d}"
        try:
            with session.begin_nested():
                session.add(TicketCounter(year=year, last=1))
            return f"PA-{year}-{1:06d}"
        except IntegrityError:  # another transaction created the year's counter first
            continue
    raise RuntimeError("could not allocate a ticket code")


def _event(
    session: Session,
    ticket: Ticket,
    *,
    kind: str,
    now: datetime,
    actor: User | str,
    body: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    internal: bool = False,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id,
        at=now,
        kind=kind,
        body=body,
        before=before,
        after=after,
        internal=internal,
        actor=actor if isinstance(actor, str) else actor.username,
        actor_user_id=None if isinstance(actor, str) else actor.id,
    )
    session.add(event)
    return event


def _move(session: Session, ticket: Ticket, target: TicketState, *, now: datetime, actor: User | str) -> None:
    if target == ticket.state:
        return
    if target not in TRANSITIONS[ticket.state]:
        raise TicketError(f"{ticket.code}: {ticket.state.value} -> {target.value} is not allowed")
    _event(
        session,
        ticket,
        kind="state",
        now=now,
        actor=actor,
        before={"state": ticket.state.value},
        after={"state": target.value},
    )
    ticket.state = target
    ticket.updated_at = now
    session.add(ticket)


def open_ticket(
    session: Session,
    *,
    conversation: Conversation,
    topic: str,
    department: str,
    description: str,
    company_name: str,
    tax_code: str,
    contact: str | None,
    ward: str | None,
    now: datetime,
    deadlines: Deadlines,
    district: str | None = None,
) -> Ticket:
    """File a new ticket from a conversation, with its acknowledgement and resolution deadlines.

    `ward` is the current commune-level unit; `district` is only for tickets recorded from before 1 July 2025
    (imports, demo history), which keep the district they were filed with."""
    ticket = Ticket(
        code=next_code(session, now.year),
        topic=topic,
        department=department,
        channel=conversation.channel,
        conversation_id=conversation.id,
        description=description,
        company_name=company_name,
        tax_code=tax_code,
        contact=contact,
        ward=ward,
        district=district,
        created_at=now,
        updated_at=now,
        acknowledge_due=deadlines.add_working_days(now, deadlines.acknowledge_days),
        due_at=deadlines.add_working_days(now, deadlines.resolve_days_for(topic)),
    )
    ticket.warn_at = deadlines.warning_at(now, ticket.due_at)
    session.add(ticket)
    session.flush()
    _event(
        session,
        ticket,
        kind="created",
        now=now,
        actor="business",
        body=description,
        after={"state": ticket.state.value, "topic": topic, "department": department},
    )
    return ticket


def business_ticket(session: Session, *, code: str, channel: str, user_key: str) -> Ticket | None:
    """The ticket with this code if it was filed from this business's own conversation, else None."""
    return session.exec(
        select(Ticket)
        .join(Conversation, col(Conversation.id) == col(Ticket.conversation_id))
        .where(Ticket.code == code.upper(), Conversation.channel == channel, Conversation.user_key == user_key)
    ).first()


def business_tickets(session: Session, *, channel: str, user_key: str, limit: int = 5) -> list[Ticket]:
    """This business's newest tickets on this channel."""
    return list(
        session.exec(
            select(Ticket)
            .join(Conversation, col(Conversation.id) == col(Ticket.conversation_id))
            .where(Conversation.channel == channel, Conversation.user_key == user_key)
            .order_by(col(Ticket.id).desc())
            .limit(limit)
        )
    )


def last_public_reply(session: Session, ticket: Ticket) -> TicketEvent | None:
    """The newest message staff sent the business about this ticket."""
    return session.exec(
        select(TicketEvent)
        .where(
            TicketEvent.ticket_id == ticket.id,
            col(TicketEvent.kind).in_(("reply", "request_info", "resolve")),
            col(TicketEvent.internal).is_(False),
        )
        .order_by(col(TicketEvent.id).desc())
    ).first()


def _notify(session: Session, ticket: Ticket, notice: notices.Notice, *, kind: str, now: datetime) -> None:
    conversation = session.get(Conversation, ticket.conversation_id) if ticket.conversation_id else None
    if conversation is None:
        return
    text, buttons = notice
    outbox.enqueue(
        session,
        channel=conversation.channel,
        user_key=conversation.user_key,
        text=text,
        buttons=buttons,
        kind=kind,
        now=now,
        conversation_id=conversation.id,
        ticket_id=ticket.id,
    )


def _acknowledge(ticket: Ticket, now: datetime) -> None:
    if ticket.acknowledged_at is None:
        ticket.acknowledged_at = now


def reply(
    session: Session, *, ticket: Ticket, actor: User, text: str, department_name: str, now: datetime
) -> TicketEvent:
    """A staff message to the business; a new ticket becomes in progress."""
    if ticket.state == TicketState.dong:
        raise TicketError(f"{ticket.code} is closed")
    if ticket.state == TicketState.moi:
        _move(session, ticket, TicketState.dang_xu_ly, now=now, actor=actor)
    _acknowledge(ticket, now)
    _notify(session, ticket, notices.staff_reply(ticket.code, department_name, text), kind="staff_reply", now=now)
    return _event(session, ticket, kind="reply", now=now, actor=actor, body=text)


def request_info(
    session: Session, *, ticket: Ticket, actor: User, text: str, department_name: str, now: datetime
) -> TicketEvent:
    """Ask the business for more information; the ticket waits for it."""
    _move(session, ticket, TicketState.cho_bo_sung, now=now, actor=actor)
    _acknowledge(ticket, now)
    _notify(session, ticket, notices.request_info(ticket.code, department_name, text), kind="request_info", now=now)
    return _event(session, ticket, kind="request_info", now=now, actor=actor, body=text)


def resolve(
    session: Session, *, ticket: Ticket, actor: User, text: str, department_name: str, now: datetime
) -> TicketEvent:
    """Answer the ticket; the business receives the answer and is asked to rate it."""
    _move(session, ticket, TicketState.da_tra_loi, now=now, actor=actor)
    _acknowledge(ticket, now)
    ticket.resolved_at = now
    _notify(session, ticket, notices.resolution(ticket.code, department_name, text), kind="resolution", now=now)
    _notify(session, ticket, notices.rating_prompt(ticket.code), kind="rating_prompt", now=now)
    return _event(session, ticket, kind="resolve", now=now, actor=actor, body=text)


def add_note(session: Session, *, ticket: Ticket, actor: User, text: str, now: datetime) -> TicketEvent:
    """An internal note: visible to staff only, never sent to the business."""
    return _event(session, ticket, kind="note", now=now, actor=actor, body=text, internal=True)


def assign(session: Session, *, ticket: Ticket, actor: User, assignee: User, now: datetime) -> TicketEvent:
    """Name who is responsible (plan III.2.1 b); a new ticket becomes in progress."""
    if ticket.state == TicketState.dong:
        raise TicketError(f"{ticket.code} is closed")
    if assignee.department != ticket.department or not assignee.is_active:
        raise TicketError(f"{assignee.username} does not work in {ticket.department}")
    before = {"assignee": ticket.assignee_id}
    ticket.assignee_id = assignee.id
    if ticket.state == TicketState.moi:
        _move(session, ticket, TicketState.dang_xu_ly, now=now, actor=actor)
    ticket.updated_at = now
    session.add(ticket)
    return _event(
        session,
        ticket,
        kind="assign",
        now=now,
        actor=actor,
        before=before,
        after={"assignee": assignee.id},
        body=assignee.username,
    )


def transfer(
    session: Session, *, ticket: Ticket, actor: User, department: str, reason: str, now: datetime
) -> TicketEvent:
    """Send a misrouted ticket to another department, with its history; the new department assigns it."""
    if ticket.state == TicketState.dong:
        raise TicketError(f"{ticket.code} is closed")
    if department == ticket.department:
        raise TicketError(f"{ticket.code} is already with {department}")
    if not reason.strip():
        raise TicketError("a transfer needs a reason")
    before = {"department": ticket.department, "assignee": ticket.assignee_id}
    ticket.department, ticket.assignee_id = department, None
    ticket.transfer_count += 1
    ticket.updated_at = now
    session.add(ticket)
    return _event(
        session,
        ticket,
        kind="transfer",
        now=now,
        actor=actor,
        before=before,
        after={"department": department},
        body=reason.strip(),
    )


def reopen(session: Session, *, ticket: Ticket, now: datetime) -> TicketEvent:
    """The business says the answer did not solve it: back to work, within REOPEN_DAYS of the answer. The
    deadline stays the file's own; the deadline alerts apply again."""
    if (
        ticket.state != TicketState.da_tra_loi
        or ticket.resolved_at is None
        or now - ticket.resolved_at > timedelta(days=REOPEN_DAYS)
    ):
        raise TicketError(f"{ticket.code} cannot be reopened now")
    _move(session, ticket, TicketState.dang_xu_ly, now=now, actor="business")
    ticket.reopen_count += 1
    ticket.resolved_at = ticket.warned_at = ticket.escalated_at = None
    return _event(session, ticket, kind="reopen", now=now, actor="business")


def close_answered(session: Session, *, now: datetime) -> list[Ticket]:
    """Close the tickets answered more than REOPEN_DAYS ago that the business neither rated nor reopened."""
    stale = session.exec(
        select(Ticket).where(
            col(Ticket.state) == TicketState.da_tra_loi, col(Ticket.resolved_at) <= now - timedelta(days=REOPEN_DAYS)
        )
    ).all()
    for ticket in stale:
        _move(session, ticket, TicketState.dong, now=now, actor="system")
        ticket.closed_at = now
    return list(stale)


def business_message(session: Session, *, ticket: Ticket, text: str, now: datetime) -> TicketEvent:
    """The business writes into its ticket; a ticket waiting for information goes back to work."""
    if ticket.state == TicketState.dong:
        raise TicketError(f"{ticket.code} is closed")
    if ticket.state == TicketState.cho_bo_sung:
        _move(session, ticket, TicketState.dang_xu_ly, now=now, actor="business")
    return _event(session, ticket, kind="business_message", now=now, actor="business", body=text)


def rate(session: Session, *, ticket: Ticket, score: int, now: datetime) -> TicketEvent:
    """The business's 1–5 rating of an answered ticket, which closes it."""
    if not 1 <= score <= 5:
        raise TicketError("a rating is from 1 to 5")
    if ticket.state != TicketState.da_tra_loi or ticket.rating is not None:
        raise TicketError(f"{ticket.code} cannot be rated now")
    ticket.rating = score
    event = _event(session, ticket, kind="rate", now=now, actor="business", after={"rating": score})
    _move(session, ticket, TicketState.dong, now=now, actor="business")
    ticket.closed_at = now
    return event


def comment_rating(session: Session, *, ticket: Ticket, comment: str, now: datetime) -> TicketEvent:
    ticket.rating_comment = comment
    session.add(ticket)
    return _event(session, ticket, kind="rating_comment", now=now, actor="business", body=comment)
