"""Telegram through python-telegram-bot v22: a webhook mounted in our app, or polling without a public URL.

The bot is wrapped, not subclassed: updates become `IncomingMessage`s, outbox messages become
`send_message` calls with inline keyboards, and every callback query is answered.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from typing import TYPE_CHECKING

os.environ.setdefault("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta, without a deprecation warning

from fastapi import APIRouter, Request  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError  # noqa: E402

from bot.channels.contract import Channel, DeliveryError, Mounted, Outgoing  # noqa: E402
from bot.channels.telegram_transport import AiohttpRequest  # noqa: E402
from bot.messages import IncomingMessage  # noqa: E402
from bot.settings import Settings  # noqa: E402

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from bot.delivery import Delivery

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
COMMANDS = (  # shown in Telegram's command menu
    ("start", "Bắt đầu trò chuyện với Đồng hành"),
    ("help", "Hướng dẫn sử dụng"),
    ("phananh", "Gửi phản ánh, kiến nghị"),
    ("tracuu", "Tra cứu phản ánh đã gửi"),
    ("doithoai", "Đăng ký câu hỏi cho phiên đối thoại doanh nghiệp"),
    ("huy", "Hủy thao tác đang làm"),
)
POLL_TIMEOUT_SECONDS = 20


class Telegram(Channel):
    """Telegram: inline keyboards for buttons; the chat reaches the business, so contact details are optional."""

    code = "telegram"
    label = "Telegram"
    text_limit = 4096
    identifies_user = True
    demo_share = 30

    def enabled(self, settings: Settings) -> bool:
        return settings.telegram_enabled

    def mount(self, services: Services, delivery: Delivery) -> Mounted:
        sender = TelegramChannel(services.settings)
        return Mounted(router=telegram_routes(sender, delivery), sender=sender)


CHANNEL = Telegram()


class TelegramChannel:
    """The Bot API client: sends replies, answers button presses, polls when there is no webhook."""

    name = Telegram.code

    def __init__(self, settings: Settings) -> None:
        self.bot = Bot(
            settings.TELEGRAM_BOT_TOKEN or "",
            base_url=settings.TELEGRAM_API_BASE_URL,
            request=AiohttpRequest(connection_pool_size=32),
            get_updates_request=AiohttpRequest(read_timeout=POLL_TIMEOUT_SECONDS + 10),
        )
        self.webhook_url = settings.TELEGRAM_WEBHOOK_URL
        self.secret = settings.TELEGRAM_WEBHOOK_SECRET
        self._poller: asyncio.Task | None = None

    async def start(self, delivery: Delivery) -> None:
        await self.bot.initialize()  # getMe: a wrong token stops here, loudly
        await self.bot.set_my_commands([BotCommand(name, description) for name, description in COMMANDS])
        if self.webhook_url:
            await self.bot.set_webhook(self.webhook_url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: webhook registered")
        else:
            await self.bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll(delivery), name="telegram-polling")
            log.info("telegram: polling")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        await self.bot.shutdown()

    def incoming(self, data: dict) -> IncomingMessage | None:
        """The neutral message of an update; None for updates the assistant does not handle."""
        update = Update.de_json(data, self.bot)
        if update is None:
            return None
        if update.callback_query is not None:
            query = update.callback_query
            chat_id = query.message.chat.id if query.message else query.from_user.id
            return IncomingMessage(
                self.name,
                str(chat_id),
                payload=query.data or "",
                external_id=str(update.update_id),
                callback_id=query.id,
            )
        message = update.message
        if message is None or message.chat.type != "private":
            return None
        return IncomingMessage(
            self.name, str(message.chat.id), text=message.text or "", external_id=str(update.update_id)
        )

    async def _poll(self, delivery: Delivery) -> None:
        offset: int | None = None
        failures = 0
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT_SECONDS, allowed_updates=ALLOWED_UPDATES
                )
                failures = 0
            except asyncio.CancelledError:
                raise
            except TelegramError as error:
                failures += 1
                log.warning("telegram: getUpdates failed (%s); retrying", error)
                await asyncio.sleep(min(2**failures, 60))
                continue
            for update in updates:
                message = self.incoming(update.to_dict())
                if message is not None:
                    await delivery.accept(message)
                offset = update.update_id + 1

    async def send(self, message: Outgoing) -> None:
        buttons = message.reply.buttons
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(b.title, callback_data=b.payload)] for b in buttons])
        try:
            await self.bot.send_message(
                chat_id=int(message.user_key), text=message.reply.text, reply_markup=markup if buttons else None
            )
        except RetryAfter as error:
            raise DeliveryError("telegram rate limit", retry_after=error.retry_after.total_seconds()) from error
        except (Forbidden, BadRequest, InvalidToken) as error:
            raise DeliveryError(
                f"telegram refused: {error.message}", permanent=isinstance(error, (Forbidden, BadRequest))
            ) from error
        except TelegramError as error:
            raise DeliveryError(f"telegram unreachable: {error.message}") from error

    async def acknowledge(self, message: IncomingMessage) -> None:
        """Answer the button press, so the user's client stops its spinner."""
        if message.callback_id is None:
            return
        try:
            await self.bot.answer_callback_query(message.callback_id)
        except TelegramError as error:
            log.warning("telegram: answerCallbackQuery failed (%s)", error)


def telegram_routes(channel: TelegramChannel, delivery: Delivery) -> APIRouter:
    router = APIRouter()

    @router.post("/webhooks/telegram")
    async def telegram_webhook(request: Request) -> JSONResponse:
        sent_secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not channel.secret or not hmac.compare_digest(sent_secret.encode(), channel.secret.encode()):
            log.warning("telegram webhook: wrong secret token from %s", request.client.host if request.client else "?")
            return JSONResponse({"error": "Mã bí mật không đúng."}, status_code=403)
        try:
            message = channel.incoming(await request.json())
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("telegram webhook: a body that is not a Telegram update")
            return JSONResponse({"error": "Dữ liệu không phải bản cập nhật Telegram hợp lệ."}, status_code=400)
        if message is not None:
            await delivery.accept(message)
        return JSONResponse({"ok": True})

    return router
