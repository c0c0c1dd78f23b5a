"""Channel-neutral messages: what a business said, and what the assistant says back.

Every channel turns its vendor payload into an `IncomingMessage` and renders `Reply` objects its own way
(Telegram as inline keyboards, Zalo as numbered options, the web chat as buttons).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for a button's payload
MAX_TEXT_CHARS = 4096  # the longest text taken in one message, and sent in one unless a channel allows less


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def __post_init__(self) -> None:
        if len(self.payload.encode("utf-8")) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"button payload longer than {CALLBACK_DATA_LIMIT} bytes: {self.payload!r}")


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons]}

    @classmethod
    def from_stored(cls, text: str, buttons: list[list[str]] | None) -> Reply:
        """A reply rebuilt from the outbox or the transcript, where buttons are stored as [title, payload]."""
        return cls(text, tuple(Button(title, payload) for title, payload in buttons or ()))

    def stored_buttons(self) -> list[list[str]]:
        return [[b.title, b.payload] for b in self.buttons]


@dataclass(frozen=True)
class IncomingMessage:
    """One thing a business did: a text, or a button press (`payload`)."""

    channel: str  # "telegram" | "zalo" | "webchat" | "terminal" | "rasa"
    user_key: str  # the channel's id of the user
    text: str | None = None
    payload: str | None = None
    external_id: str | None = None  # the channel's id of the event (update_id, msg_id), for deduplication
    callback_id: str | None = field(default=None, compare=False)  # a Telegram callback query to answer

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, str | None]) -> IncomingMessage:
        return cls(**data)  # type: ignore[arg-type]
