"""Zalo Official Account (Open API v3): a signed webhook in, customer-service messages out.

Zalo cannot show our buttons in a customer-service text, so they become numbered options and the user
answers with a digit (the engine maps the digit back to the button). The access token is refreshed on
error -216 with the single-use refresh token, and both are kept in the database so a restart keeps them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.channels.contract import Channel, DeliveryError, Mounted, Outgoing
from bot.messages import IncomingMessage
from bot.settings import Settings
from tickets.storage.db import Database
from tickets.storage.models import ChannelSecret, Conversation, utcnow

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from bot.delivery import Delivery

log = logging.getLogger(__name__)
TOKEN_EXPIRED = -216
ACCESS_TOKEN = "zalo_access_token"
REFRESH_TOKEN = "zalo_refresh_token"
_USER_MESSAGE_EVENTS = (
    "user_send_text",
    "user_send_image",
    "user_send_sticker",
    "user_send_gif",
    "user_send_file",
    "user_send_audio",
    "user_send_video",
    "user_send_location",
    "user_send_link",
)


class Zalo(Channel):
    """Zalo OA: customer-service texts cannot carry buttons, so they go as numbered options (the default)."""

    code = "zalo"
    label = "Zalo"
    # Zalo publishes no limit we could verify: texts are kept short enough to read on a phone, the numbered
    # options added at sending included.
    text_limit = 2000
    identifies_user = True
    demo_share = 48

    def enabled(self, settings: Settings) -> bool:
        return settings.zalo_enabled

    def mount(self, services: Services, delivery: Delivery) -> Mounted:
        sender = ZaloChannel(services.settings, services.database)
        return Mounted(router=zalo_routes(sender, delivery), sender=sender)


CHANNEL = Zalo()


class ZaloChannel:
    """The OA Open API client: verifies webhooks, sends within the message window, refreshes the token."""

    name = Zalo.code

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.database = database
        self.clock = clock
        self.window = timedelta(hours=settings.ZALO_MESSAGE_WINDOW_HOURS)
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        self._refreshing = asyncio.Lock()

    async def start(self, delivery: Delivery) -> None:
        await asyncio.to_thread(self._seed_tokens)

    async def stop(self) -> None:
        await self.client.aclose()

    async def acknowledge(self, message: IncomingMessage) -> None:
        return None

    # ------------------------------------------------------------------ in

    def verify(self, body: bytes, signature: str | None) -> dict | None:
        """The event if its `X-ZEvent-Signature` is right: mac = SHA-256(app_id + body + timestamp + OA secret)."""
        try:
            event = json.loads(body)
            app_id, timestamp = str(event["app_id"]), str(event["timestamp"])
        except (ValueError, KeyError, TypeError):
            return None
        if not signature or app_id != self.settings.ZALO_APP_ID:
            return None
        secret = (self.settings.ZALO_OA_SECRET_KEY or "").encode()
        expected = "mac=" + hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret).hexdigest()
        return event if hmac.compare_digest(signature.strip().encode(), expected.encode()) else None

    def incoming(self, event: dict) -> IncomingMessage | None:
        """The neutral message of a user's event; other events (follow, OA messages) are not for the dialogue."""
        if event.get("event_name") not in _USER_MESSAGE_EVENTS:
            return None
        sender, message = event.get("sender") or {}, event.get("message") or {}
        if not sender.get("id") or not message.get("msg_id"):
            return None
        text = message.get("text", "") if event["event_name"] == "user_send_text" else ""
        return IncomingMessage(self.name, str(sender["id"]), text=str(text), external_id=str(message["msg_id"]))

    # ------------------------------------------------------------------ out

    async def send(self, message: Outgoing) -> None:
        last_seen = await asyncio.to_thread(self._last_user_message_at, message.conversation_id)
        if last_seen is not None and self.clock() - last_seen > self.window:
            raise DeliveryError(
                f"outside Zalo's {self.settings.ZALO_MESSAGE_WINDOW_HOURS}-hour message window", permanent=True
            )
        text = CHANNEL.render(message.reply)
        token = await asyncio.to_thread(self._secret, ACCESS_TOKEN)
        result = await self._post(token, message.user_key, text)
        if result.get("error") == TOKEN_EXPIRED:
            token = await self._refresh(expired=token)
            result = await self._post(token, message.user_key, text)
        if result.get("error") != 0:
            raise DeliveryError(f"zalo error {result.get('error')}: {result.get('message', '')}"[:300])

    async def _post(self, token: str, user_id: str, text: str) -> dict:
        url = f"{self.settings.ZALO_API_BASE_URL}/v3.0/oa/message/cs"
        body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        try:
            response = await self.client.post(url, json=body, headers={"access_token": token})
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise DeliveryError(f"zalo unreachable: {type(error).__name__}") from error

    async def _refresh(self, *, expired: str) -> str:
        """A new access token from the single-use refresh token (once, however many sends saw -216)."""
        async with self._refreshing:
            current = await asyncio.to_thread(self._secret, ACCESS_TOKEN)
            if current != expired:  # another send refreshed it meanwhile
                return current
            refresh_token = await asyncio.to_thread(self._secret, REFRESH_TOKEN)
            try:
                response = await self.client.post(
                    f"{self.settings.ZALO_OAUTH_BASE_URL}/v4/oa/access_token",
                    headers={"secret_key": self.settings.ZALO_APP_SECRET or ""},
                    data={
                        "refresh_token": refresh_token,
                        "app_id": self.settings.ZALO_APP_ID or "",
                        "grant_type": "refresh_token",
                    },
                )
                tokens = response.json()
            except (httpx.HTTPError, ValueError) as error:
                raise DeliveryError(f"zalo token refresh unreachable: {type(error).__name__}") from error
            if not tokens.get("access_token") or not tokens.get("refresh_token"):
                log.error("zalo: token refresh refused (%s)", tokens.get("error_name") or tokens.get("error"))
                raise DeliveryError("zalo token refresh refused")
            await asyncio.to_thread(self._store_tokens, tokens["access_token"], tokens["refresh_token"])
            log.info("zalo: access token refreshed")
            return tokens["access_token"]

    # ------------------------------------------------------------------ storage

    def _seed_tokens(self) -> None:
        """The configured tokens, stored on first start; afterwards the stored (refreshed) ones win."""
        with self.database.session() as session:
            for name, value in (
                (ACCESS_TOKEN, self.settings.ZALO_ACCESS_TOKEN),
                (REFRESH_TOKEN, self.settings.ZALO_REFRESH_TOKEN),
            ):
                if value and session.get(ChannelSecret, name) is None:
                    session.add(ChannelSecret(name=name, value=value, updated_at=self.clock()))

    def _secret(self, name: str) -> str:
        with self.database.session() as session:
            stored = session.get(ChannelSecret, name)
            return stored.value if stored else ""

    def _store_tokens(self, access_token: str, refresh_token: str) -> None:
        with self.database.session() as session:
            for name, value in ((ACCESS_TOKEN, access_token), (REFRESH_TOKEN, refresh_token)):
                stored = session.get(ChannelSecret, name) or ChannelSecret(name=name, value=value)
                stored.value, stored.updated_at = value, self.clock()
                session.add(stored)

    def _last_user_message_at(self, conversation_id: int | None) -> datetime | None:
        if conversation_id is None:
            return None
        with self.database.session() as session:
            conversation = session.get(Conversation, conversation_id)
            return conversation.last_user_message_at if conversation else None


def zalo_routes(channel: ZaloChannel, delivery: Delivery) -> APIRouter:
    router = APIRouter()

    @router.post("/webhooks/zalo")
    async def zalo_webhook(request: Request) -> JSONResponse:
        event = channel.verify(await request.body(), request.headers.get("X-ZEvent-Signature"))
        if event is None:
            log.warning(
                "zalo webhook: missing or wrong signature from %s", request.client.host if request.client else "?"
            )
            return JSONResponse({"error": "Chữ ký X-ZEvent-Signature không hợp lệ."}, status_code=401)
        message = channel.incoming(event)
        if message is not None:
            await delivery.accept(message)
        return JSONResponse({"ok": True})

    return router
