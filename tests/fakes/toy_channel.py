"""A channel of the tests' own, added the way any channel is: one module with a `Channel` subclass and its
`CHANNEL`, registered with the registry. It shows no buttons (the default numbered options), keeps texts to
60 characters, identifies its users, takes messages at `POST /webhooks/toy` and delivers replies through the
outbox to `sent`, as a real channel's sender would call its vendor's API."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from bot.channels.contract import Channel, Mounted, Outgoing
from bot.messages import IncomingMessage


class ToyMessage(BaseModel):
    user: str
    id: str
    text: str


class ToySender:
    name = "toy"

    def __init__(self, render) -> None:
        self.render = render
        self.sent: list[tuple[str, str]] = []  # (user, text as the user sees it)

    async def start(self, delivery) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, message: Outgoing) -> None:
        self.sent.append((message.user_key, self.render(message.reply)))

    async def acknowledge(self, message: IncomingMessage) -> None:
        return None


class Toy(Channel):
    code = "toy"
    label = "Kênh thử nghiệm"
    text_limit = 60
    identifies_user = True

    def __init__(self) -> None:
        self.sender = ToySender(self.render)

    def mount(self, services, delivery) -> Mounted:
        router = APIRouter()

        @router.post("/webhooks/toy")
        async def toy_webhook(message: ToyMessage) -> dict:
            accepted = await delivery.accept(
                IncomingMessage(self.code, message.user, text=message.text, external_id=message.id)
            )
            return {"ok": accepted}

        return Mounted(router=router, sender=self.sender)


CHANNEL = Toy()
