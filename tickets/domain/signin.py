"""Console sign-in: argon2 passwords, server-side sessions, throttled failures.

A session is a random token in an HttpOnly cookie; the database keeps its SHA-256, the user and a CSRF
token that every form must echo. After `MAX_FAILURES` wrong passwords an account is locked for
`LOCK_MINUTES`; an unknown user name costs the same hashing work as a known one, so timing tells nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from tickets.domain.accounts import hash_password, verify_password
from tickets.storage.db import Database
from tickets.storage.models import StaffSession, User

MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 10
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


class SignInError(Exception):
    """Why a sign-in was refused: "invalid" (wrong name or password) or "locked"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignedIn:
    user: User
    csrf_token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(database: Database, *, username: str, password: str, now: datetime) -> str:
    """The new session's token, or SignInError."""
    with database.session() as session:
        user = session.exec(select(User).where(col(User.username) == username.strip().lower())).first()
        if user is None or not user.is_active:
            verify_password(_DUMMY_HASH, password)
            raise SignInError("invalid")
        if user.locked_until is not None and user.locked_until > now:
            raise SignInError("locked")
        if not verify_password(user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until, user.failed_logins = now + timedelta(minutes=LOCK_MINUTES), 0
            session.add(user)
            session.commit()
            raise SignInError("locked" if user.locked_until and user.locked_until > now else "invalid")
        user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
        token = secrets.token_urlsafe(32)
        session.add(user)
        session.add(
            StaffSession(
                token_hash=_hash(token),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + timedelta(hours=SESSION_HOURS),
            )
        )
        session.exec(delete(StaffSession).where(col(StaffSession.expires_at) < now))
        return token


def signed_in(database: Database, token: str | None, *, now: datetime) -> SignedIn | None:
    """The user behind a session cookie, or None when it is unknown, expired or the account disabled."""
    if not token:
        return None
    with database.session() as session:
        row = session.get(StaffSession, _hash(token))
        if row is None or row.expires_at <= now:
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.is_active:
            return None
        return SignedIn(user=user, csrf_token=row.csrf_token)


def sign_out(database: Database, token: str | None) -> None:
    if token:
        with database.session() as session:
            session.exec(delete(StaffSession).where(col(StaffSession.token_hash) == _hash(token)))
