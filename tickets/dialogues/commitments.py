"""What departments promise in a session, kept like tickets.

A commitment has a deadline in working days (or a date) on the ticket calendar; at 80 % of the working time
the department's staff are warned; past the deadline the department's leads and the supervisors are told.
The department notes progress and completes it with evidence. Every change is a `CommitmentEvent`.
`sweep` is a pure function of the session and `now`; each commitment is claimed with one conditional UPDATE,
so several servers never warn twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from tickets.calendar.sla import LOCAL_TZ, WorkingCalendar
from tickets.dialogues import texts
from tickets.dialogues.sessions import SessionError
from tickets.domain.escalation import claim, department_users, notify, supervisors
from tickets.storage.models import (
    Commitment,
    CommitmentEvent,
    CommitmentState,
    DialogueSession,
    Role,
)

MAX_WORKING_DAYS = 250


def deadline(calendar: WorkingCalendar, *, made_at: datetime, working_days: int | None, day: date | None) -> datetime:
    """The deadline of a promise made at `made_at`: `working_days` counted as a ticket's are, or the end of
    the office day `day`."""
    if working_days is not None:
        if not 1 <= working_days <= MAX_WORKING_DAYS:
            raise SessionError(texts.NEED_DEADLINE)
        return calendar.add_working_days(made_at, working_days)
    if day is None or day <= made_at.astimezone(LOCAL_TZ).date():
        raise SessionError(texts.NEED_DEADLINE)
    return datetime.combine(day, calendar.day_end, LOCAL_TZ)


def make(
    session: Session,
    dialogue: DialogueSession,
    *,
    department: str,
    promise: str,
    due_at: datetime,
    calendar: WorkingCalendar,
    actor: str,
    now: datetime,
    item_id: int | None = None,
) -> Commitment:
    promise = promise.strip()
    if not promise:
        raise SessionError(texts.NEED_PROMISE)
    commitment = Commitment(
        session_id=dialogue.id,
        item_id=item_id,
        department=department,
        promise=promise,
        created_at=now,
        due_at=due_at,
        warn_at=calendar.warning_at(now, due_at),
    )
    session.add(commitment)
    session.flush()
    _event(session, commitment, "made", actor, now, promise)
    return commitment


def note_progress(session: Session, commitment: Commitment, *, note: str, actor: str, now: datetime) -> None:
    if commitment.state == CommitmentState.done:
        raise SessionError(texts.ALREADY_DONE)
    if not note.strip():
        raise SessionError(texts.NEED_NOTE)
    _event(session, commitment, "progress", actor, now, note.strip())


def complete(session: Session, commitment: Commitment, *, evidence: str, actor: str, now: datetime) -> None:
    if commitment.state == CommitmentState.done:
        raise SessionError(texts.ALREADY_DONE)
    if not evidence.strip():
        raise SessionError(texts.NEED_EVIDENCE)
    commitment.state, commitment.completed_at, commitment.evidence = CommitmentState.done, now, evidence.strip()
    session.add(commitment)
    _event(session, commitment, "done", actor, now, evidence.strip())


def status(commitment: Commitment, now: datetime) -> str:
    """kept (on time), late (kept after the deadline), overdue (open past it) or in_progress."""
    if commitment.state == CommitmentState.done:
        return "kept" if commitment.completed_at <= commitment.due_at else "late"
    return "overdue" if commitment.due_at <= now else "in_progress"


def events(session: Session, commitment_id: int) -> list[CommitmentEvent]:
    return list(
        session.exec(
            select(CommitmentEvent)
            .where(col(CommitmentEvent.commitment_id) == commitment_id)
            .order_by(col(CommitmentEvent.at), col(CommitmentEvent.id))
        ).all()
    )


def of_session(session: Session, dialogue_id: int) -> list[Commitment]:
    return list(
        session.exec(
            select(Commitment).where(col(Commitment.session_id) == dialogue_id).order_by(col(Commitment.id))
        ).all()
    )


def earlier(session: Session, dialogue: DialogueSession) -> list[tuple[Commitment, DialogueSession]]:
    """Every commitment made in an earlier session, with its session: what the next agenda opens with (the
    kept ones too, so the meeting sees the record; the open ones first)."""
    rows = session.exec(
        select(Commitment, DialogueSession)
        .join(DialogueSession, col(DialogueSession.id) == col(Commitment.session_id))
        .where(col(DialogueSession.starts_at) < dialogue.starts_at, col(DialogueSession.id) != dialogue.id)
        .order_by(col(Commitment.state).desc(), col(Commitment.due_at), col(Commitment.id))
    ).all()
    return [(c, s) for c, s in rows]


def sweep(session: Session, *, now: datetime) -> tuple[int, int]:
    """Warn the department of the commitments at 80 % of their time, escalate those past the deadline;
    (warned, escalated)."""
    still_open = col(Commitment.state) == CommitmentState.open
    warned = claim(session, Commitment, still_open, "warned_at", "warn_at", now)
    for commitment in warned:
        people = department_users(session, commitment.department, (Role.staff, Role.lead))
        notify(session, people, "warning", now, commitment_id=commitment.id)
        _event(session, commitment, "warning", "system", now)
    escalated = claim(session, Commitment, still_open, "escalated_at", "due_at", now)
    for commitment in escalated:
        people = department_users(session, commitment.department, (Role.lead,)) + supervisors(session)
        notify(session, people, "overdue", now, commitment_id=commitment.id)
        _event(session, commitment, "overdue", "system", now)
    return len(warned), len(escalated)


def _event(
    session: Session, commitment: Commitment, kind: str, actor: str, now: datetime, body: str | None = None
) -> None:
    session.add(CommitmentEvent(commitment_id=commitment.id, at=now, actor=actor, kind=kind, body=body))
