"""The fake Telegram and Zalo servers behave like the real services for the real client code."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, InvalidToken, RetryAfter

from tests.fakes.servers import serve_asgi
from tests.fakes.telegram_api import FakeTelegramApi, callback_update, text_update
from tests.fakes.zalo_api import FakeZaloApi

TOKEN = "123456:TEST-token_abc"
CHAT = 777001


@pytest.fixture
def telegram() -> Iterator[FakeTelegramApi]:
    with FakeTelegramApi(TOKEN) as fake:
        yield fake


@pytest.fixture
def zalo() -> Iterator[FakeZaloApi]:
    with FakeZaloApi("app-1", "app-secret", "oa-secret", "access-1", "refresh-1") as fake:
        yield fake


def test_serve_asgi_serves_on_a_free_local_port_and_stops() -> None:
    app = Starlette(routes=[Route("/ping", lambda request: PlainTextResponse("pong"))])
    with serve_asgi(app) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{server.url}/ping").text == "pong"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/ping", timeout=1)


def test_ptb_initializes_and_sends_a_message_with_inline_buttons(telegram: FakeTelegramApi) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Thuế", callback_data="topic:tax")]])

    async def scenario() -> int:
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            assert bot.username == "donghanh_test_bot"
            message = await bot.send_message(CHAT, "Xin chào, doanh nghiệp cần hỗ trợ gì?", reply_markup=markup)
            assert message.reply_markup == markup
            return message.message_id

    message_id = asyncio.run(scenario())
    [getme] = telegram.calls("getMe")
    assert getme == ("getMe", {})
    received = telegram.wait_for_messages(CHAT, 1, timeout=1)
    assert isinstance(received[0].pop("received_at"), float)
    assert received == [
        {
            "chat_id": CHAT,
            "text": "Xin chào, doanh nghiệp cần hỗ trợ gì?",
            "reply_markup": {"inline_keyboard": [[{"text": "Thuế", "callback_data": "topic:tax"}]]},
            "message_id": message_id,
        }
    ]
    # python-telegram-bot sends form fields; the markup arrives as a JSON string
    [(_, params)] = telegram.calls("sendMessage")
    assert params["chat_id"] == str(CHAT) and isinstance(params["reply_markup"], str)


def test_ptb_sees_bot_api_errors(telegram: FakeTelegramApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after warns otherwise (PTB 22)
    telegram.fail_next("sendMessage", status=429, retry_after=3)
    too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])

    async def scenario() -> None:
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            with pytest.raises(RetryAfter) as flood:
                await bot.send_message(CHAT, "một")
            assert flood.value.retry_after == timedelta(seconds=3)
            with pytest.raises(BadRequest, match="(?i)message is too long"):
                await bot.send_message(CHAT, "a" * 4097)
            with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
                await bot.send_message(CHAT, "b", reply_markup=too_long_data)
            await bot.send_message(CHAT, "a" * 4096)
        with pytest.raises(InvalidToken):
            async with Bot("999:wrong", base_url=telegram.base_url):
                pass

    asyncio.run(scenario())
    assert [len(m["text"]) for m in telegram.sent_messages()] == [4096]


def test_ptb_polls_pushed_updates_and_answers_callbacks(telegram: FakeTelegramApi) -> None:
    telegram.push_update(text_update(1, CHAT, "mã số thuế"))
    telegram.push_update(callback_update(2, CHAT, "topic:tax", callback_id="cb-42"))

    async def scenario() -> None:
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            first = await bot.get_updates(timeout=1)
            assert [u.update_id for u in first] == [1, 2]
            assert first[0].message.text == "mã số thuế" and first[0].effective_user.id == CHAT
            assert first[1].callback_query.data == "topic:tax"
            await bot.answer_callback_query(first[1].callback_query.id)
            assert await bot.get_updates(offset=3, timeout=0) == ()
            await bot.set_webhook("https://example.test/webhooks/telegram", secret_token="s3cret")
            with pytest.raises(Conflict):
                await bot.get_updates()

    asyncio.run(scenario())
    assert telegram.answered_callbacks() == ["cb-42"]
    assert telegram.webhook is not None and telegram.webhook["secret_token"] == "s3cret"


def test_get_updates_long_polls_until_an_update_arrives(telegram: FakeTelegramApi) -> None:
    async def scenario() -> tuple[list[int], float]:
        async with Bot(TOKEN, base_url=telegram.base_url) as bot:
            threading.Timer(0.3, telegram.push_update, [text_update(7, CHAT, "alo")]).start()
            started = time.monotonic()
            updates = await bot.get_updates(timeout=5)
            return [u.update_id for u in updates], time.monotonic() - started

    update_ids, waited = asyncio.run(scenario())
    assert update_ids == [7] and 0.2 < waited < 2


def test_zalo_send_expiry_and_single_use_refresh(zalo: FakeZaloApi) -> None:
    send_url = f"{zalo.api_base_url}/v3.0/oa/message/cs"
    body = {"recipient": {"user_id": "u-1"}, "message": {"text": "Xin chào"}}
    with httpx.Client(timeout=5) as client:
        ok = client.post(send_url, json=body, headers={"access_token": "access-1"}).json()
        assert ok["error"] == 0 and ok["data"]["user_id"] == "u-1"

        zalo.expire_access_token()
        expired = client.post(send_url, json=body, headers={"access_token": "access-1"})
        assert expired.status_code == 200 and expired.json()["error"] == -216

        form = {"refresh_token": "refresh-1", "app_id": "app-1", "grant_type": "refresh_token"}
        token_url = f"{zalo.oauth_base_url}/v4/oa/access_token"
        fresh = client.post(token_url, data=form, headers={"secret_key": "app-secret"}).json()
        assert zalo.current_tokens() == (fresh["access_token"], fresh["refresh_token"])
        assert zalo.refresh_count == 1 and fresh["expires_in"] == "90000"
        reused = client.post(token_url, data=form, headers={"secret_key": "app-secret"}).json()
        assert reused["error"] < 0 and reused["error_name"] == "invalid_refresh_token"

        again = client.post(send_url, json=body, headers={"access_token": fresh["access_token"]}).json()
        assert again["error"] == 0
        zalo.fail_next(status=503)
        assert client.post(send_url, json=body, headers={"access_token": fresh["access_token"]}).status_code == 503
    assert [m["text"] for m in zalo.wait_for_messages("u-1", 2, timeout=1)] == ["Xin chào", "Xin chào"]


def test_zalo_text_event_is_signed_as_spec_section_8_says(zalo: FakeZaloApi) -> None:
    raw, headers = zalo.signed_text_event("u-9", "Tôi cần tư vấn thuế", msg_id="m-1", timestamp_ms=1700000000123)
    event = json.loads(raw)
    assert event["event_name"] == "user_send_text" and event["sender"] == {"id": "u-9"}
    assert event["message"] == {"msg_id": "m-1", "text": "Tôi cần tư vấn thuế"}
    assert event["timestamp"] == "1700000000123" and event["app_id"] == "app-1"
    expected = hashlib.sha256(b"app-1" + raw + b"1700000000123" + b"oa-secret").hexdigest()
    assert headers["X-ZEvent-Signature"] == f"mac={expected}"
