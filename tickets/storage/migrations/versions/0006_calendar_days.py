"""The ticket calendar as a table, so the statistics count working days in SQL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from tickets.calendar.days_table import calendar_rows
    from tickets.calendar.sla import WorkingCalendar

    table = op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("working_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.bulk_insert(table, calendar_rows(WorkingCalendar.load()))


def downgrade() -> None:
    op.drop_table("calendar_days")
