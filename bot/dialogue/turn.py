"""One turn of a conversation: the message, the stored conversation, and what the turn changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.messages import IncomingMessage
from tickets.storage.models import Conversation


@dataclass
class Turn:
    session: Session
    conversation: Conversation
    message: IncomingMessage
    now: datetime
    context: dict = field(default_factory=dict)
    intent: str | None = None
    topic: str | None = None
    answer_id: str | None = None
    ticket_id: int | None = None

    @property
    def state(self) -> str:
        return self.conversation.state

    def move(self, state: str) -> None:
        self.conversation.state = state

    @property
    def form(self) -> dict:
        return self.context.setdefault("form", {})

    def reset(self, state: str) -> None:
        """Leave any flow: back to `state` with the form and flow data forgotten."""
        self.conversation.state = state
        for key in ("form", "ticket", "editing"):
            self.context.pop(key, None)
