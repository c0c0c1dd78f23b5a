"""What departments promise in a session, kept like tickets.

A commitment has a deadline in working days (or a date) on the ticket calendar; at 80 % of the working time
the department's staff are warned; past the deadline the department's leads and the supervisors are told.
The department notes progress and completes it with evidence. Every change is a `CommitmentEvent`.
`sweep` is a pure function of the session and `now`; each commitment is claimed with one conditional UPDATE,
so several servers never warn twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from tickets.calendar.sla import LOCAL_TZ, WorkingCalendar
from tickets.dialogues import texts
from tickets.dialogues.sessions import SessionError
from tickets.storage.models import (
    Commitment,
    CommitmentEvent,
    CommitmentState,
    DialogueSession,
    Role,
    StaffNotification,
    User,
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


def earlier_open(session: Session, dialogue: DialogueSession) -> list[tuple[Commitment, DialogueSession]]:
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
    warned = _claim(session, "warned_at", "warn_at", now)
    for commitment in warned:
        _notify(
            session, commitment, _department(session, commitment.department, (Role.staff, Role.lead)), "warning", now
        )
        _event(session, commitment, "warning", "system", now)
    escalated = _claim(session, "escalated_at", "due_at", now)
    for commitment in escalated:
        people = _department(session, commitment.department, (Role.lead,)) + _supervisors(session)
        _notify(session, commitment, people, "overdue", now)
        _event(session, commitment, "overdue", "system", now)
    return len(warned), len(escalated)


def _claim(session: Session, stamp: str, due: str, now: datetime) -> Sequence[Commitment]:
    conditions = [
        col(Commitment.state) == CommitmentState.open,
        getattr(Commitment, due) <= now,
        col(getattr(Commitment, stamp)).is_(None),
    ]
    if stamp == "warned_at":
        conditions.append(col(Commitment.due_at) > now)
    return session.scalars(update(Commitment).where(*conditions).values({stamp: now}).returning(Commitment)).all()


def _department(session: Session, department: str, roles: tuple[Role, ...]) -> list[User]:
    query = select(User).where(col(User.department) == department, col(User.role).in_(roles), col(User.is_active))
    return list(session.exec(query).all())


def _supervisors(session: Session) -> list[User]:
    return list(session.exec(select(User).where(col(User.role) == Role.supervisor, col(User.is_active))).all())


def _notify(session: Session, commitment: Commitment, users: list[User], kind: str, now: datetime) -> None:
    for user_id in dict.fromkeys(u.id for u in users):
        session.add(StaffNotification(user_id=user_id, commitment_id=commitment.id, kind=kind, created_at=now))


def _event(
    session: Session, commitment: Commitment, kind: str, actor: str, now: datetime, body: str | None = None
) -> None:
    session.add(CommitmentEvent(commitment_id=commitment.id, at=now, actor=actor, kind=kind, body=body))
