"""The web chat (docs/interfaces.md): `POST /api/chat` answers at once; later messages for the session (a department's
reply, a rating prompt) wait in the outbox until the page fetches them."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator

from bot.channels.contract import Channel, Mounted
from bot.messages import CALLBACK_DATA_LIMIT, MAX_TEXT_CHARS, IncomingMessage, Reply
from tickets.storage import outbox
from tickets.storage.models import utcnow

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from bot.delivery import Delivery

SESSION_PATTERN = r"^[A-Za-z0-9_-]{8,128}$"


class WebChat(Channel):
    """The chat page: buttons shown as buttons; the session is anonymous, so contact details are asked."""

    code = "webchat"
    label = "Trò chuyện trên web"
    demo_share = 22

    def mount(self, services: Services, delivery: Delivery) -> Mounted:
        return Mounted(router=webchat_routes(services))


CHANNEL = WebChat()


class ChatRequest(BaseModel):
    session: str = Field(pattern=SESSION_PATTERN)
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    payload: str | None = Field(default=None, min_length=1, max_length=CALLBACK_DATA_LIMIT)

    @model_validator(mode="after")
    def _text_or_payload(self) -> ChatRequest:
        if (self.text is None or not self.text.strip()) == (self.payload is None):
            raise ValueError("text or payload, one of them")
        return self


def _pending(services: Services, session: str) -> list[dict]:
    delivered = outbox.claim_for_recipient(services.database, channel=CHANNEL.code, user_key=session, now=utcnow())
    return [Reply.from_stored(m.text, m.buttons).as_dict() for m in delivered]


def webchat_routes(services: Services) -> APIRouter:
    router = APIRouter()

    def chat(request: ChatRequest) -> dict:
        message = IncomingMessage(CHANNEL.code, request.session, text=request.text, payload=request.payload)
        replies = [reply.as_dict() for reply in services.engine.handle(message)]
        return {"replies": _pending(services, request.session) + replies}

    @router.post("/api/chat")
    async def api_chat(request: ChatRequest) -> dict:
        return await asyncio.to_thread(chat, request)

    @router.get("/api/chat/updates")
    async def api_chat_updates(session: str = Query(pattern=SESSION_PATTERN)) -> dict:
        return {"replies": await asyncio.to_thread(_pending, services, session)}

    return router
