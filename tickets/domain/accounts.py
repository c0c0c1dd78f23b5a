"""Staff accounts: creation, password hashing (argon2) and the first admin."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import select

from tickets.storage.db import Database
from tickets.storage.models import DEPARTMENT_ROLES, Role, User, UserCreate

_hasher = PasswordHasher()

FIRST_ADMIN_USERNAME = "admin"
MIN_PASSWORD_LENGTH = 12  # as UserCreate requires


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message is for the operator."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    database: Database,
    *,
    username: str,
    password: str,
    role: Role,
    department: str | None = None,
    known_departments: set[str] | frozenset[str] = frozenset(),
    full_name: str = "",
    must_change_password: bool = False,
) -> User:
    """Create a console account after checking the role/department rules."""
    fields = UserCreate.model_validate(
        {"username": username, "password": password, "role": role, "department": department, "full_name": full_name}
    )
    if fields.role in DEPARTMENT_ROLES and not fields.department:
        raise AccountError(f"role {fields.role.value} needs a department")
    if fields.department and fields.department not in known_departments:
        raise AccountError(f"unknown department {fields.department}")
    with database.session() as session:
        if session.exec(select(User).where(User.username == fields.username)).first():
            raise AccountError(f"user {fields.username} already exists")
        user = User(
            username=fields.username,
            full_name=fields.full_name,
            role=fields.role,
            department=fields.department,
            password_hash=hash_password(fields.password),
            must_change_password=must_change_password,
        )
        session.add(user)
        session.flush()
        session.refresh(user)
        return user


def ensure_first_admin(database: Database) -> str | None:
    """Create the first admin account when there is none.

    Returns:
        The one-time password of the account just created, or None when an admin already existed.
        The account must change that password at its first sign-in.
    """
    with database.session() as session:
        if session.exec(select(User).where(User.role == Role.admin)).first():
            return None
    password = secrets.token_urlsafe(15)
    create_user(
        database,
        username=FIRST_ADMIN_USERNAME,
        password=password,
        role=Role.admin,
        full_name="Quản trị hệ thống",
        must_change_password=True,
    )
    return password


class PasswordChangeError(AccountError):
    """A refused password change; `reason` is "short", "wrong" or "same"."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"password change refused: {reason}")
        self.reason = reason


def change_password(database: Database, *, user_id: int, current: str, new: str) -> None:
    """Replace a password after checking the current one; clears the one-time-password flag."""
    if len(new) < MIN_PASSWORD_LENGTH:
        raise PasswordChangeError("short")
    with database.session() as session:
        user = session.get(User, user_id)
        if user is None or not verify_password(user.password_hash, current):
            raise PasswordChangeError("wrong")
        if current == new:
            raise PasswordChangeError("same")
        user.password_hash, user.must_change_password = hash_password(new), False
        session.add(user)
