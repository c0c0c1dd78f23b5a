"""Table models, layered as Base -> Create/Public -> table (SQLModel)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _enum(enum: type[StrEnum], length: int = 16) -> sa.Enum:
    """A StrEnum stored as plain text, so adding a value needs no type migration."""
    return sa.Enum(
        enum, native_enum=False, create_constraint=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class Role(StrEnum):
    """Console roles."""

    staff = "staff"
    lead = "lead"
    supervisor = "supervisor"
    observer = "observer"
    admin = "admin"


# Roles whose work is scoped to one department.
DEPARTMENT_ROLES = frozenset({Role.staff, Role.lead})


class UserBase(SQLModel):
    username: str = Field(index=True, unique=True, min_length=3, max_length=64, regex=r"^[a-z0-9._-]+$")
    full_name: str = Field(default="", max_length=200)
    role: Role = Field(sa_type=_enum(Role))
    department: str | None = Field(default=None, max_length=32, index=True)


class UserCreate(UserBase):
    password: str = Field(min_length=12, max_length=256)


class UserPublic(UserBase):
    id: int
    is_active: bool
    must_change_password: bool


class User(UserBase, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    must_change_password: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = Field(default=None)
    failed_logins: int = Field(default=0)  # since the last successful sign-in
    locked_until: datetime | None = Field(default=None)  # sign-in refused until then, after too many failures


class StaffSession(SQLModel, table=True):
    """A signed-in console session. The cookie holds a random token and only its SHA-256 is stored, so a
    leaked table signs nobody in; signing out deletes the row."""

    __tablename__ = "staff_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class TicketState(StrEnum):
    """Ticket states."""

    moi = "moi"
    dang_xu_ly = "dang_xu_ly"
    cho_bo_sung = "cho_bo_sung"
    da_tra_loi = "da_tra_loi"
    dong = "dong"


class Conversation(SQLModel, table=True):
    """One business's conversation on one channel: where the dialogue stands, and what it has gathered."""

    __tablename__ = "conversations"
    __table_args__ = (sa.UniqueConstraint("channel", "user_key", name="uq_conversations_channel_user"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    user_key: str = Field(max_length=128)  # the channel's id of the user (chat id, Zalo user id, web session)
    state: str = Field(default="idle", max_length=32)
    context: dict = Field(default_factory=dict, sa_type=sa.JSON)  # slots, offered buttons, last question
    last_user_message_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TranscriptMessage(SQLModel, table=True):
    """One message of a conversation, either way; the transcript staff read and statistics count."""

    __tablename__ = "messages"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    direction: str = Field(max_length=3)  # "in" | "out"
    text: str = Field(default="", sa_type=sa.Text)
    payload: str | None = Field(default=None, max_length=64)
    buttons: list | None = Field(default=None, sa_type=sa.JSON)
    intent: str | None = Field(default=None, max_length=32)
    topic: str | None = Field(default=None, max_length=32)
    answer_id: str | None = Field(default=None, max_length=64)  # the FAQ entry or plan section answered from
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class InboundEvent(SQLModel, table=True):
    """A channel event accepted by a webhook or poll, kept until the dialogue has handled it.

    The (channel, external id) pair is unique, so a re-sent update or message is recognised and dropped.
    """

    __tablename__ = "inbound_events"
    __table_args__ = (
        sa.UniqueConstraint("channel", "external_id", name="uq_inbound_channel_external"),
        sa.Index("ix_inbound_events_user_state", "channel", "user_key", "state"),  # each user's unfinished events
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    user_key: str = Field(max_length=128)
    message: dict = Field(sa_type=sa.JSON)  # the channel-neutral IncomingMessage
    state: str = Field(default="pending", max_length=16, index=True)  # pending | processing | done | failed
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)
    received_at: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = Field(default=None)
    processed_at: datetime | None = Field(default=None)


class OutboxMessage(SQLModel, table=True):
    """A message to a business, stored before it is sent and retried until the channel accepts it."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_recipient_state", "channel", "user_key", "state"),
    )  # each recipient's unsent messages

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    user_key: str = Field(max_length=128)
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id", index=True)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id")
    kind: str = Field(default="reply", max_length=16)  # reply | staff_reply | request_info | resolution | notice
    text: str = Field(sa_type=sa.Text)
    buttons: list = Field(default_factory=list, sa_type=sa.JSON)
    state: str = Field(default="pending", max_length=16, index=True)  # pending | sending | sent | failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = Field(default=None)


class Ticket(SQLModel, table=True):
    """A business's issue (phản ánh, kiến nghị), routed to a department and worked under deadlines."""

    __tablename__ = "tickets"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True, index=True)  # PA-YYYY-NNNNNN
    state: TicketState = Field(default=TicketState.moi, sa_type=_enum(TicketState), index=True)
    topic: str = Field(max_length=32, index=True)
    department: str = Field(max_length=32, index=True)
    channel: str = Field(max_length=16)
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id", index=True)
    description: str = Field(sa_type=sa.Text)
    company_name: str = Field(max_length=200)
    tax_code: str = Field(max_length=14)
    contact: str | None = Field(default=None, max_length=200)
    district: str | None = Field(default=None, max_length=64)  # tickets filed before 1 July 2025: the district
    ward: str | None = Field(default=None, max_length=64, index=True)  # the commune-level unit's official name
    assignee_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, index=True)
    acknowledge_due: datetime
    due_at: datetime = Field(index=True)
    acknowledged_at: datetime | None = Field(default=None)
    warn_at: datetime | None = Field(default=None, index=True)  # 80 % of the working time to `due_at`
    warned_at: datetime | None = Field(default=None)  # when the assignee was warned
    escalated_at: datetime | None = Field(default=None)  # when the lead and supervisors were told it is overdue
    resolved_at: datetime | None = Field(default=None)
    closed_at: datetime | None = Field(default=None)
    rating: int | None = Field(default=None)
    rating_comment: str | None = Field(default=None, sa_type=sa.Text)
    reopen_count: int = Field(default=0)
    transfer_count: int = Field(default=0)
    updated_at: datetime = Field(default_factory=utcnow)


class TicketEvent(SQLModel, table=True):
    """One change to a ticket: who, when, what, before and after. Internal notes stay internal."""

    __tablename__ = "ticket_events"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=64)  # "business", "system", or the staff member's username
    actor_user_id: int | None = Field(default=None, foreign_key="users.id")
    kind: str = Field(max_length=24)
    before: dict | None = Field(default=None, sa_type=sa.JSON)
    after: dict | None = Field(default=None, sa_type=sa.JSON)
    body: str | None = Field(default=None, sa_type=sa.Text)
    internal: bool = Field(default=False)


class TicketCounter(SQLModel, table=True):
    """The last ticket number given out in a year (codes PA-YYYY-NNNNNN)."""

    __tablename__ = "ticket_counters"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = Field(default=0)


class ChannelSecret(SQLModel, table=True):
    """A channel credential that changes at run time (Zalo's single-use refresh token and its access token)."""

    __tablename__ = "channel_secrets"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_type=sa.Text)
    updated_at: datetime = Field(default_factory=utcnow)


class StaffNotification(SQLModel, table=True):
    """Something a console user must see: a ticket's or a commitment's deadline near or passed."""

    __tablename__ = "staff_notifications"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id")  # a ticket's deadline, or
    commitment_id: int | None = Field(default=None, foreign_key="commitments.id")  # a session commitment's
    kind: str = Field(max_length=16)  # "warning" | "overdue"
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = Field(default=None)


class FaqDraft(SQLModel, table=True):
    """A resolved ticket's answer proposed for the FAQ; an admin reviews it before it is published."""

    __tablename__ = "faq_drafts"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id")
    faq_id: str = Field(max_length=64, unique=True)
    topic: str = Field(max_length=32)
    department: str = Field(max_length=32)
    question: str = Field(sa_type=sa.Text)
    paraphrases: list = Field(default_factory=list, sa_type=sa.JSON)
    answer: str = Field(sa_type=sa.Text)
    sources: list = Field(default_factory=list, sa_type=sa.JSON)
    state: str = Field(default="draft", max_length=16, index=True)  # draft | published | rejected
    proposed_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    reviewed_by: str | None = Field(default=None, max_length=64)
    reviewed_at: datetime | None = Field(default=None)


class FaqRevision(SQLModel, table=True):
    """An admin's review or edit of an FAQ entry in the console. The knowledge base applies an entry's newest
    revision over the file's version unless the file was reviewed later (`knowledge.revisions`)."""

    __tablename__ = "faq_revisions"

    id: int | None = Field(default=None, primary_key=True)
    faq_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=16)  # "reviewed" | "edited"
    actor: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    reviewed: date
    review_by: date
    answer: str | None = Field(default=None, sa_type=sa.Text)  # an edit's new answer
    sources: list | None = Field(default=None, sa_type=sa.JSON)  # an edit's sources: [{"doc", "part"}]
    note: str | None = Field(default=None, sa_type=sa.Text)


class CalendarDay(SQLModel, table=True):
    """One local date of the ticket calendar (`tickets.calendar.sla`), so the database counts working days itself:
    the working days from day a to day b are `working_index(b) - working_index(a)`, as deadlines count
    them (the day of receipt not counted)."""

    __tablename__ = "calendar_days"

    day: date = Field(primary_key=True)
    working: bool
    working_index: int  # working days from the calendar's first day up to this one, included


class TicketVector(SQLModel, table=True):
    """A ticket description's embedding: float32 little-endian bytes, by the model named in `model`."""

    __tablename__ = "ticket_vectors"

    ticket_id: int = Field(primary_key=True, foreign_key="tickets.id", sa_column_kwargs={"autoincrement": False})
    model: str = Field(max_length=128)
    vector: bytes = Field(sa_type=sa.LargeBinary)


class SessionState(StrEnum):
    """A dialogue session's states, in order."""

    planned = "planned"
    registration_open = "registration_open"
    registration_closed = "registration_closed"
    held = "held"
    minutes_published = "minutes_published"


class DialogueSession(SQLModel, table=True):
    """A business-dialogue session (phiên đối thoại): when and where, who chairs it, which departments answer,
    on what, and when businesses may register questions for it."""

    __tablename__ = "dialogue_sessions"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    starts_at: datetime = Field(index=True)
    place: str = Field(default="", max_length=300)
    online_link: str | None = Field(default=None, max_length=500)
    chair: str = Field(default="", max_length=200)
    departments: list = Field(default_factory=list, sa_type=sa.JSON)  # department codes
    topics: list = Field(default_factory=list, sa_type=sa.JSON)  # topic codes
    theme: str = Field(default="", sa_type=sa.Text)
    registration_opens_at: datetime
    registration_closes_at: datetime
    state: SessionState = Field(default=SessionState.planned, sa_type=_enum(SessionState, 24), index=True)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    minutes_approved_by: str | None = Field(default=None, max_length=64)
    minutes_published_at: datetime | None = Field(default=None)


class SessionQuestion(SQLModel, table=True):
    """A question a business registered for a session, from its chat or from one of its tickets; the
    answer given in the session is sent back to the chat it came from."""

    __tablename__ = "session_questions"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(default="", max_length=16, index=True)  # DT-YYYY-NNNNNN, the business's receipt
    session_id: int = Field(foreign_key="dialogue_sessions.id", index=True)
    channel: str = Field(max_length=16)
    user_key: str = Field(max_length=128)
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id")
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id")
    company_name: str = Field(default="", max_length=200)
    tax_code: str = Field(default="", max_length=14)
    question: str = Field(sa_type=sa.Text)
    topic: str | None = Field(default=None, max_length=32)
    department: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    reminded_at: datetime | None = Field(default=None)  # the day-before reminder, claimed once
    answer: str | None = Field(default=None, sa_type=sa.Text)
    answered_at: datetime | None = Field(default=None)
    rating: int | None = Field(default=None)


class AgendaItem(SQLModel, table=True):
    """One item of a session's agenda as the organisers picked, ordered and annotated it, and what was said
    about it in the session."""

    __tablename__ = "agenda_items"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="dialogue_sessions.id", index=True)
    position: int = Field(default=0)
    kind: str = Field(max_length=16)  # question | cluster | ticket | commitment | topic
    reference: str = Field(default="", max_length=64)  # the question's code, a ticket's code, a commitment's id
    title: str = Field(sa_type=sa.Text)
    department: str | None = Field(default=None, max_length=32)
    note: str = Field(default="", sa_type=sa.Text)  # the organisers' annotation
    answer: str | None = Field(default=None, sa_type=sa.Text)  # recorded by the secretary
    answered_by: str | None = Field(default=None, max_length=64)
    answered_at: datetime | None = Field(default=None)


class CommitmentState(StrEnum):
    open = "open"
    done = "done"


class Commitment(SQLModel, table=True):
    """What a department promised in a session, kept like a ticket: a working-day deadline, the 80 % warning,
    the overdue escalation, progress notes and completion with evidence."""

    __tablename__ = "commitments"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="dialogue_sessions.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agenda_items.id")
    department: str = Field(max_length=32, index=True)
    promise: str = Field(sa_type=sa.Text)
    state: CommitmentState = Field(default=CommitmentState.open, sa_type=_enum(CommitmentState), index=True)
    created_at: datetime = Field(default_factory=utcnow)
    due_at: datetime = Field(index=True)
    warn_at: datetime | None = Field(default=None, index=True)
    warned_at: datetime | None = Field(default=None)
    escalated_at: datetime | None = Field(default=None)
    completed_at: datetime | None = Field(default=None)
    evidence: str | None = Field(default=None, sa_type=sa.Text)


class CommitmentEvent(SQLModel, table=True):
    """One change to a commitment: made, progress noted, warned, overdue, kept."""

    __tablename__ = "commitment_events"

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitments.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=64)
    kind: str = Field(max_length=24)  # made | progress | warning | overdue | done
    body: str | None = Field(default=None, sa_type=sa.Text)
