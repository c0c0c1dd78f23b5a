"""Structured logs as an operator reads them: one JSON object per line, an event id that follows a Telegram
message from the webhook to the reply sent, and no personal data in clear."""

from __future__ import annotations

import io
import json
import logging

import httpx

from bot import logs
from bot.app import create_app
from tests.fakes.servers import serve_asgi
from tests.fakes.telegram_api import FakeTelegramApi, text_update
from tests.integration.test_telegram import CHAT, SECRET, TOKEN

PERSONAL = {
    "tax code": "0312345673",
    "phone": "0901 234 567",
    "e-mail": "an.nguyen@minhan.com.vn",
}
MESSAGE = (
    f"Công ty TNHH Minh An mã số thuế {PERSONAL['tax code']}, điện thoại {PERSONAL['phone']}, "
    f"email {PERSONAL['e-mail']}: hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 chưa được giải quyết"
)


def test_a_message_full_of_personal_data_leaves_json_lines_with_its_event_id_and_nothing_personal(
    make_services,
) -> None:
    with FakeTelegramApi(TOKEN) as telegram:
        services = make_services(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=telegram.base_url,
            TELEGRAM_WEBHOOK_URL="https://donghanh.example.vn/webhooks/telegram",
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            DONGHANH_LOG_FORMAT="json",
        )
        assert isinstance(logging.getLogger().handlers[0].formatter, logs.JsonFormatter)  # the setting took
        written = io.StringIO()
        logs.configure("INFO", "json", stream=written)  # the same configuration, into a buffer the test reads
        with serve_asgi(create_app(services, warm_up=False), lifespan="on") as server:
            update = text_update(424242, CHAT, MESSAGE)
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            posted = httpx.post(f"{server.url}/webhooks/telegram", json=update, headers=headers, timeout=30)
            assert posted.status_code == 200
            telegram.wait_for_messages(CHAT, 1, timeout=30)
            health = httpx.get(f"{server.url}/healthz", headers={"X-Request-ID": "kiem-tra-1"}, timeout=30)
            assert health.headers["X-Request-ID"] == "kiem-tra-1"
            for _ in range(50):  # the "handled" line is written once the reply is sent
                if "handled" in written.getvalue():
                    break
                telegram.wait_for_messages(CHAT, 1, timeout=0.1)

    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    assert lines and all({"time", "level", "logger", "event", "message"} <= set(line) for line in lines)
    event = [line["message"] for line in lines if line["event"] == f"telegram:{update['update_id']}"]
    assert "telegram event accepted" in event and any("handled: 1 replies sent" in m for m in event)
    text = written.getvalue()
    for kind, value in PERSONAL.items():
        assert value not in text and value.replace(" ", "") not in text, f"a {kind} in the log"
    assert "hoàn thuế giá trị gia tăng nộp từ tháng 3" not in text and "Minh An" not in text


def test_masking_keeps_what_an_operator_needs() -> None:
    line = "PA-2026-000123 gửi lúc 08/12/2026; liên hệ +84 901 234 567, 090.123.4567, a.b@c.vn, MST 0312345673-001"
    assert logs.masked(line) == ("PA-2026-000123 gửi lúc 08/12/2026; liên hệ [number], [number], [email], MST [number]")
