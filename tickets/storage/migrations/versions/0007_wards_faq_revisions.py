"""Tickets name the current commune-level unit (`ward`); admins' reviews and edits of FAQ entries.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("ward", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.create_index("ix_tickets_ward", ["ward"], unique=False)
    op.create_table(
        "faq_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("faq_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reviewed", sa.Date(), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_faq_revisions_faq_id", "faq_revisions", ["faq_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_faq_revisions_faq_id", table_name="faq_revisions")
    op.drop_table("faq_revisions")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_ward")
        batch.drop_column("ward")
