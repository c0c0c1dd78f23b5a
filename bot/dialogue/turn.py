"""One turn of a conversation: the message, the stored conversation, and what the turn changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.dialogue.store import DialogueStore, TurnFacts
from bot.messages import IncomingMessage, Reply
from tickets.storage.models import Conversation


@dataclass
class Turn:
    store: DialogueStore
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
        for key in ("form", "ticket", "editing", "session", "question", "topic"):
            self.context.pop(key, None)

    def facts(self) -> TurnFacts:
        return TurnFacts(
            now=self.now, intent=self.intent, topic=self.topic, answer_id=self.answer_id, ticket_id=self.ticket_id
        )


# What a routing table maps to: the turn and a text, a command's argument or a button's argument in, the
# replies out; None from a button's handler when the button does not apply in the current state.
Handler = Callable[[Turn, str], list[Reply] | None]
