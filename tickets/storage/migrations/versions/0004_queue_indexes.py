"""Indexes for the queues' per-user look-ups, which every message makes: without them each one scanned
the whole outbox, so a message cost more the longer the service had run.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inbound_events_user_state", "inbound_events", ["channel", "user_key", "state"])
    op.create_index("ix_outbox_recipient_state", "outbox", ["channel", "user_key", "state"])
    op.create_index("ix_outbox_conversation_id", "outbox", ["conversation_id"])
    op.drop_index("ix_outbox_channel", table_name="outbox")


def downgrade() -> None:
    op.create_index("ix_outbox_channel", "outbox", ["channel"])
    op.drop_index("ix_outbox_conversation_id", table_name="outbox")
    op.drop_index("ix_outbox_recipient_state", table_name="outbox")
    op.drop_index("ix_inbound_events_user_state", table_name="inbound_events")
