"""Dialogue tests that read like transcripts: what the business says, and what the assistant answers."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dialogue.engine import DialogueEngine
from bot.messages import IncomingMessage, Reply


class Chat:
    """One business talking to the engine on one channel; `say` types, `press` taps a button by its title."""

    def __init__(self, engine: DialogueEngine, *, channel: str = "webchat", user: str = "business-1") -> None:
        self.engine = engine
        self.channel = channel
        self.user = user
        self.replies: list[Reply] = []

    def say(self, text: str) -> str:
        return self._send(IncomingMessage(self.channel, self.user, text=text))

    def press(self, title: str) -> str:
        buttons = {b.title: b.payload for reply in self.replies for b in reply.buttons}
        assert title in buttons, f"no button {title!r} among {list(buttons)}"
        return self._send(IncomingMessage(self.channel, self.user, payload=buttons[title]))

    def tap(self, payload: str) -> str:
        """Press a button that came in a later notice (a staff reply, an answer), by its payload."""
        return self._send(IncomingMessage(self.channel, self.user, payload=payload))

    def _send(self, message: IncomingMessage) -> str:
        self.replies = self.engine.handle(message)
        return self.text

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.replies)

    @property
    def buttons(self) -> list[str]:
        return [b.title for reply in self.replies for b in reply.buttons]

    @property
    def payloads(self) -> list[str]:
        return [b.payload for reply in self.replies for b in reply.buttons]


def verify_dialog(chat: Chat, steps: Sequence[tuple[str, str | Sequence[str]]]) -> None:
    """Play `steps` of (what the business does, what the answer must contain). "[Title]" presses a button."""
    for said, expected in steps:
        answer = chat.press(said[1:-1]) if said.startswith("[") and said.endswith("]") else chat.say(said)
        for fragment in [expected] if isinstance(expected, str) else expected:
            assert fragment in answer, f"after {said!r} expected {fragment!r} in:\n{answer}"
