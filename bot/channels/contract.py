"""What a channel is: everything the rest of the system needs to know about one, in one object.

A channel module defines a subclass of `Channel` and exposes one instance as `CHANNEL`; the registry
(`bot.channels.registry`) lists the modules. The console and the reports take their labels from it, the outbox
its text limits, the filing form whether the chat already reaches the business, the demo data its shares,
and the app its routes and its sender. Nothing else names a channel.

Replies are channel-neutral (`bot.messages.Reply`). A channel that can show buttons renders them itself
(Telegram's inline keyboards, the web chat's buttons); any other gets the default: the buttons as numbered
options, which the dialogue engine maps back to the buttons when the user answers with a digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from bot.messages import MAX_TEXT_CHARS, IncomingMessage, Reply

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.bootstrap import Services
    from bot.delivery import Delivery
    from bot.settings import Settings

DEFAULT_TEXT_LIMIT = MAX_TEXT_CHARS  # characters per message, unless the channel sets its own
OPTIONS_HINT = "(Trả lời bằng số để chọn)"


class DeliveryError(Exception):
    """A channel could not deliver a message: retried later unless `permanent`."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class Outgoing:
    """One message of the outbox as a sender sees it: to whom, and the neutral reply."""

    id: int
    user_key: str
    conversation_id: int | None
    reply: Reply


class Sender(Protocol):
    """The asynchronous side of a channel: started with the server, sends what the outbox hands it."""

    name: str

    async def start(self, delivery: Delivery) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, message: Outgoing) -> None: ...

    async def acknowledge(self, message: IncomingMessage) -> None: ...


@dataclass
class Mounted:
    """What a channel adds to the app: its routes (webhooks, API) and its sender, either may be absent."""

    router: APIRouter | None = None
    sender: Sender | None = None


def numbered_options(reply: Reply, *, hint: str = OPTIONS_HINT) -> str:
    """The reply as plain text, its buttons as numbered options after the text."""
    if not reply.buttons:
        return reply.text
    options = "\n".join(f"{number}. {button.title}" for number, button in enumerate(reply.buttons, start=1))
    return f"{reply.text}\n\n{options}" + (f"\n{hint}" if hint else "")


class Channel:
    """One channel. Subclasses set the class attributes and override what differs from the defaults."""

    code: ClassVar[str]  # stored with every conversation; a public interface, never renamed
    label: ClassVar[str]  # how the console and the reports name it (Vietnamese)
    text_limit: ClassVar[int] = DEFAULT_TEXT_LIMIT  # longer replies are split at paragraph or sentence ends
    identifies_user: ClassVar[bool] = False  # the chat itself reaches the business: contact details optional
    demo_share: ClassVar[int] = 0  # relative share of the demo data's conversations (0: none)

    def enabled(self, settings: Settings) -> bool:
        """Whether the settings turn the channel on (its routes and sender are mounted only then)."""
        return True

    def render(self, reply: Reply) -> str:
        """The reply as text for a channel without buttons."""
        return numbered_options(reply)

    def mount(self, services: Services, delivery: Delivery) -> Mounted:
        """The routes and sender this channel adds to the app (none by default: a command-line channel)."""
        return Mounted()
