"""Who may see and do what in the console, enforced in the queries themselves.

Staff and leads see their own department's tickets only; supervisors and admins see and act on every
department; observers (HĐND, Ủy ban MTTQ) read everything with personal data masked and act on nothing.
"""

from __future__ import annotations

import re

from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from tickets.storage.models import DEPARTMENT_ROLES, Role, Ticket, User

ACTING_ROLES = frozenset({Role.staff, Role.lead, Role.supervisor, Role.admin})
# Who may hand a ticket to a colleague: leads within their department, supervisors anywhere.
ASSIGNING_ROLES = frozenset({Role.lead, Role.supervisor, Role.admin})
TRANSFERRING_ROLES = frozenset({Role.staff, Role.lead, Role.supervisor, Role.admin})


def scoped(query: SelectOfScalar[Ticket], user: User) -> SelectOfScalar[Ticket]:
    """The query restricted to the tickets the user may read."""
    if user.role in DEPARTMENT_ROLES:
        return query.where(col(Ticket.department) == user.department)
    return query


def visible_ticket(code: str) -> SelectOfScalar[Ticket]:
    return select(Ticket).where(col(Ticket.code) == code)


def can_act(user: User, ticket: Ticket) -> bool:
    """Reply, ask, note, resolve: the ticket's own department, or a supervisor/admin."""
    if user.role not in ACTING_ROLES:
        return False
    return user.role not in DEPARTMENT_ROLES or ticket.department == user.department


def can_assign(user: User, ticket: Ticket) -> bool:
    return user.role in ASSIGNING_ROLES and can_act(user, ticket)


def can_transfer(user: User, ticket: Ticket) -> bool:
    return user.role in TRANSFERRING_ROLES and can_act(user, ticket)


def masks_personal_data(user: User) -> bool:
    return user.role == Role.observer


_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)")
_DIGITS = re.compile(r"\d[\d .-]{5,}\d")


def mask_text(text: str | None) -> str:
    """Free text with e-mail addresses and phone-like digit runs masked (tax codes included)."""
    if not text:
        return text or ""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _DIGITS.sub(lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 4) + m.group(0)[-2:], text)


def mask_name(name: str | None) -> str:
    """A company or person's name reduced to initials: "Công ty TNHH An Phát" -> "C*** t*** T*** A*** P***"."""
    if not name:
        return name or ""
    return " ".join(word[0] + "***" for word in name.split())
