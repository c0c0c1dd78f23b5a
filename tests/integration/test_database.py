"""The database layer and its migrations, run on SQLite and on a real PostgreSQL 15 server."""

from __future__ import annotations

from datetime import UTC

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel, select

import tickets.storage.models  # noqa: F401 - registers the tables
from tickets.domain.accounts import AccountError, create_user, ensure_first_admin, verify_password
from tickets.storage.db import Database, redacted_url
from tickets.storage.migrate import current_revision, downgrade, head_revision, upgrade
from tickets.storage.models import Role, User

DEPARTMENTS = {"CUC_THUE", "SO_KHDT"}


def test_upgrade_creates_the_schema_and_is_idempotent(database_url: str) -> None:
    database = Database.connect(database_url)
    assert current_revision(database) is None
    assert upgrade(database) == (None, head_revision())
    assert upgrade(database) == (head_revision(), head_revision())
    assert "users" in inspect(database.engine).get_table_names()
    database.dispose()


def test_migrations_match_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_downgrade_to_base_and_back(database: Database) -> None:
    downgrade(database, "base")
    assert "users" not in inspect(database.engine).get_table_names()
    upgrade(database)
    assert current_revision(database) == head_revision()


def test_user_round_trip_keeps_vietnamese_text_and_aware_times(database: Database) -> None:
    create_user(
        database,
        username="thue.nguyen",
        password="mật-khẩu-đủ-dài",
        role=Role.staff,
        department="CUC_THUE",
        known_departments=DEPARTMENTS,
        full_name="Nguyễn Thị Thuỷ",
    )
    with database.session() as session:
        user = session.exec(select(User).where(User.username == "thue.nguyen")).one()
    assert user.full_name == "Nguyễn Thị Thuỷ"
    assert user.role is Role.staff
    assert user.created_at.tzinfo is not None and user.created_at.utcoffset() == UTC.utcoffset(None)
    assert verify_password(user.password_hash, "mật-khẩu-đủ-dài")
    assert not verify_password(user.password_hash, "mat-khau-du-dai")
    assert user.password_hash.startswith("$argon2id$")


def test_account_rules(database: Database) -> None:
    with pytest.raises(AccountError, match="role staff needs a department"):
        create_user(database, username="a.b", password="x" * 12, role=Role.staff, known_departments=DEPARTMENTS)
    with pytest.raises(AccountError, match="unknown department SO_XYZ"):
        create_user(
            database,
            username="a.b",
            password="x" * 12,
            role=Role.lead,
            department="SO_XYZ",
            known_departments=DEPARTMENTS,
        )
    create_user(database, username="giam.sat", password="x" * 12, role=Role.observer, known_departments=DEPARTMENTS)
    with pytest.raises(AccountError, match="user giam.sat already exists"):
        create_user(database, username="giam.sat", password="y" * 12, role=Role.observer, known_departments=DEPARTMENTS)


def test_unique_username_is_enforced_by_the_database(database: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), database.session() as session:
        session.add(User(username="dup", role=Role.admin, password_hash="h"))
        session.add(User(username="dup", role=Role.admin, password_hash="h"))


def test_first_admin_is_created_once_with_a_one_time_password(database: Database) -> None:
    password = ensure_first_admin(database)
    assert password and len(password) >= 16
    assert ensure_first_admin(database) is None
    with database.session() as session:
        admins = session.exec(select(User).where(User.role == Role.admin)).all()
    assert [(a.username, a.must_change_password) for a in admins] == [("admin", True)]
    assert verify_password(admins[0].password_hash, password)


def test_session_rolls_back_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as session:
        session.add(User(username="ghost", role=Role.admin, password_hash="h"))
        session.flush()
        raise RuntimeError("boom")
    with database.session() as session:
        assert session.exec(select(User).where(User.username == "ghost")).first() is None


def test_backend_and_redacted_url(database: Database, database_url: str) -> None:
    database.ping()
    assert database.backend == ("postgresql" if database_url.startswith("postgresql") else "sqlite")
    assert "s3cret" not in redacted_url("postgresql+psycopg://u:s3cret@127.0.0.1/db")
