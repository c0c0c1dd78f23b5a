"""Dialogue sessions: the sessions, the questions businesses register for them, their agendas, the
commitments made in them (and their audit trail); staff notifications about commitments.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_MOMENT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "dialogue_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", _TEXT(length=300), nullable=False),
        sa.Column("starts_at", _MOMENT(), nullable=False),
        sa.Column("place", _TEXT(length=300), nullable=False),
        sa.Column("online_link", _TEXT(length=500), nullable=True),
        sa.Column("chair", _TEXT(length=200), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=False),
        sa.Column("registration_opens_at", _MOMENT(), nullable=False),
        sa.Column("registration_closes_at", _MOMENT(), nullable=False),
        sa.Column("state", sa.Enum(native_enum=False, create_constraint=False, length=24), nullable=False),
        sa.Column("created_by", _TEXT(length=64), nullable=False),
        sa.Column("created_at", _MOMENT(), nullable=False),
        sa.Column("updated_at", _MOMENT(), nullable=False),
        sa.Column("minutes_approved_by", _TEXT(length=64), nullable=True),
        sa.Column("minutes_published_at", _MOMENT(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dialogue_sessions_starts_at", "dialogue_sessions", ["starts_at"])
    op.create_index("ix_dialogue_sessions_state", "dialogue_sessions", ["state"])
    op.create_table(
        "session_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", _TEXT(length=16), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("dialogue_sessions.id"), nullable=False),
        sa.Column("channel", _TEXT(length=16), nullable=False),
        sa.Column("user_key", _TEXT(length=128), nullable=False),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=True),
        sa.Column("company_name", _TEXT(length=200), nullable=False),
        sa.Column("tax_code", _TEXT(length=14), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("topic", _TEXT(length=32), nullable=True),
        sa.Column("department", _TEXT(length=32), nullable=True),
        sa.Column("created_at", _MOMENT(), nullable=False),
        sa.Column("reminded_at", _MOMENT(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", _MOMENT(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_session_questions_code", "session_questions", ["code"])
    op.create_index("ix_session_questions_session_id", "session_questions", ["session_id"])
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("dialogue_sessions.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", _TEXT(length=16), nullable=False),
        sa.Column("reference", _TEXT(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("department", _TEXT(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", _TEXT(length=64), nullable=True),
        sa.Column("answered_at", _MOMENT(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_agenda_items_session_id", "agenda_items", ["session_id"])
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("dialogue_sessions.id"), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("agenda_items.id"), nullable=True),
        sa.Column("department", _TEXT(length=32), nullable=False),
        sa.Column("promise", sa.Text(), nullable=False),
        sa.Column("state", sa.Enum(native_enum=False, create_constraint=False, length=16), nullable=False),
        sa.Column("created_at", _MOMENT(), nullable=False),
        sa.Column("due_at", _MOMENT(), nullable=False),
        sa.Column("warn_at", _MOMENT(), nullable=True),
        sa.Column("warned_at", _MOMENT(), nullable=True),
        sa.Column("escalated_at", _MOMENT(), nullable=True),
        sa.Column("completed_at", _MOMENT(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("session_id", "department", "state", "due_at", "warn_at"):
        op.create_index(f"ix_commitments_{column}", "commitments", [column])
    op.create_table(
        "commitment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), sa.ForeignKey("commitments.id"), nullable=False),
        sa.Column("at", _MOMENT(), nullable=False),
        sa.Column("actor", _TEXT(length=64), nullable=False),
        sa.Column("kind", _TEXT(length=24), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_commitment_events_commitment_id", "commitment_events", ["commitment_id"])
    with op.batch_alter_table("staff_notifications") as batch:
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("commitment_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_staff_notifications_commitment", "commitments", ["commitment_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("staff_notifications") as batch:
        batch.drop_constraint("fk_staff_notifications_commitment", type_="foreignkey")
        batch.drop_column("commitment_id")
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("commitment_events")
    op.drop_table("commitments")
    op.drop_table("agenda_items")
    op.drop_table("session_questions")
    op.drop_table("dialogue_sessions")
