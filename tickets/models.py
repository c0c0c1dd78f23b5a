"""Table models, layered as Base -> Create/Public -> table (SQLModel)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    """Console roles (SPEC §1)."""

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
    # Stored as plain text (no database enum type), so a new role needs no type migration.
    role: Role = Field(
        sa_type=sa.Enum(Role, native_enum=False, create_constraint=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
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
