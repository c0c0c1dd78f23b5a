"""What the rest of the product knows of ticket rules without touching storage: the error a refused change
raises, and what deadlines are computed with (the working-day calendar implements it)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class TicketError(ValueError):
    """A change the ticket's state does not allow."""


class Deadlines(Protocol):
    acknowledge_days: int

    def resolve_days_for(self, topic: str | None) -> int: ...

    def add_working_days(self, start: datetime, days: int) -> datetime: ...

    def warning_at(self, start: datetime, deadline: datetime) -> datetime: ...
