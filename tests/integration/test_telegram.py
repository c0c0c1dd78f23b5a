"""Telegram end to end: python-telegram-bot in our server, a fake Bot API on 127.0.0.1, real HTTP both ways."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import select

from bot.app import create_app
from bot.dialogue import texts
from tests.fakes.servers import serve_asgi
from tests.fakes.telegram_api import FakeTelegramApi, callback_update, text_update
from tickets.domain import services as tickets
from tickets.domain.accounts import create_user
from tickets.storage.models import OutboxMessage, Role, Ticket

TOKEN = "123456:TEST-token"
SECRET = "webhook-secret_42"
CHAT = 777001
FILING = [
    "/phananh",
    "Hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 đến nay Chi cục Thuế chưa giải quyết",
    "Công ty TNHH Thương mại Minh An",
    "0312345678",  # wrong check digit: asked again
    "0312345673",
]


@pytest.fixture
def telegram() -> Iterator[FakeTelegramApi]:
    with FakeTelegramApi(TOKEN) as fake:
        yield fake


@pytest.fixture
def server(make_services, telegram: FakeTelegramApi):
    services = make_services(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        TELEGRAM_WEBHOOK_URL="https://donghanh.example.vn/webhooks/telegram",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    with serve_asgi(create_app(services, warm_up=False), lifespan="on") as running:
        running.services = services
        yield running


class Business:
    """A Telegram user whose updates Telegram posts to our webhook."""

    def __init__(self, server, telegram: FakeTelegramApi, chat_id: int = CHAT) -> None:
        self.url = f"{server.url}/webhooks/telegram"
        self.telegram = telegram
        self.chat_id = chat_id
        self.update_id = chat_id * 1000

    def post(self, update: dict, *, secret: str = SECRET) -> httpx.Response:
        return httpx.post(self.url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}, timeout=10)

    def say(self, text: str) -> dict:
        self.update_id += 1
        return self._exchange(text_update(self.update_id, self.chat_id, text))

    def press(self, title: str) -> dict:
        last = self.telegram.sent_messages(self.chat_id)[-1]
        payloads = {
            row[0]["text"]: row[0]["callback_data"] for row in (last["reply_markup"] or {}).get("inline_keyboard", [])
        }
        assert title in payloads, f"no button {title!r} in {payloads}"
        self.update_id += 1
        return self._exchange(
            callback_update(self.update_id, self.chat_id, payloads[title], callback_id=f"cb-{self.update_id}")
        )

    def _exchange(self, update: dict) -> dict:
        before = len(self.telegram.sent_messages(self.chat_id))
        assert self.post(update).status_code == 200
        return self.telegram.wait_for_messages(self.chat_id, before + 1)[-1]


def file_ticket(business: Business, place: str, *, choose: str | None = None) -> None:
    """The business files the tax-refund issue of FILING over Telegram, skipping the contact; `choose` is the
    ward button it presses when `place` is a former district."""
    for text in FILING:
        business.say(text)
    business.press("Bỏ qua")
    business.say(place)
    if choose:
        business.press(choose)
    business.press("Xác nhận gửi")


def tax_officer(services):
    return create_user(
        services.database,
        username="canbo.thue",
        password="mat-khau-du-dai-123",
        role=Role.staff,
        department="CUC_THUE",
        known_departments={"CUC_THUE"},
    )


def test_the_webhook_is_registered_with_its_secret_and_a_wrong_secret_gets_403(
    server, telegram: FakeTelegramApi
) -> None:
    assert telegram.webhook["url"] == "https://donghanh.example.vn/webhooks/telegram"
    assert telegram.webhook["secret_token"] == SECRET
    assert [c["command"] for c in telegram.commands] == ["start", "help", "phananh", "tracuu", "doithoai", "huy"]
    business = Business(server, telegram)
    assert business.post(text_update(1, CHAT, "xin chào"), secret="wrong").status_code == 403
    assert business.post(text_update(2, CHAT, "xin chào"), secret="").status_code == 403
    time.sleep(0.5)
    assert telegram.sent_messages(CHAT) == []


def test_a_question_is_answered_with_an_inline_keyboard_and_the_button_press_is_answered(
    server, telegram: FakeTelegramApi
) -> None:
    business = Business(server, telegram)
    reply = business.say("hoa don dien tu lap sai thi xu ly the nao")
    assert "254/2026/NĐ-CP" in reply["text"] and "Nguồn:" in reply["text"]
    keyboard = reply["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Hữu ích", "Chưa đúng", "Gửi phản ánh"]
    assert all(len(row[0]["callback_data"].encode()) <= 64 for row in keyboard)
    assert "Nội dung phản ánh:\n«hoa don dien tu lap sai thi xu ly the nao»" in business.press("Gửi phản ánh")["text"]
    deadline = time.monotonic() + 5
    while f"cb-{business.update_id}" not in telegram.answered_callbacks() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert f"cb-{business.update_id}" in telegram.answered_callbacks()


def test_a_retried_update_gives_no_second_reply_and_no_second_ticket(server, telegram: FakeTelegramApi) -> None:
    business = Business(server, telegram)
    for text in FILING:
        business.say(text)
    business.press("Bỏ qua")
    business.say("Phường Bến Thành")
    confirm = business.telegram.sent_messages(CHAT)[-1]
    payload = next(
        row[0]["callback_data"]
        for row in confirm["reply_markup"]["inline_keyboard"]
        if row[0]["text"] == "Xác nhận gửi"
    )
    update = callback_update(business.update_id + 1, CHAT, payload, callback_id="cb-confirm")
    before = len(telegram.sent_messages(CHAT))
    for _ in range(3):  # Telegram re-sends an update it thinks was not received
        assert business.post(update).status_code == 200
    telegram.wait_for_messages(CHAT, before + 1)
    time.sleep(1.5)  # a second reply, if there were one, would have arrived by now
    assert sum("Đã tiếp nhận phản ánh PA-" in m["text"] for m in telegram.sent_messages(CHAT)) == 1
    assert "Đã tiếp nhận phản ánh PA-" in telegram.sent_messages(CHAT)[-1]["text"]
    with server.services.database.session() as session:
        assert len(session.exec(select(Ticket)).all()) == 1


def test_many_businesses_at_once_each_get_their_reply_and_every_send_is_recorded_once(
    server, telegram: FakeTelegramApi
) -> None:
    chats = [CHAT + n for n in range(1, 13)]
    with ThreadPoolExecutor(max_workers=len(chats)) as pool:  # the webhook receives them all at the same moment
        statuses = list(
            pool.map(
                lambda chat: Business(server, telegram, chat).post(text_update(chat, chat, "/huy")).status_code, chats
            )
        )
    assert statuses == [200] * len(chats)
    for chat in chats:
        assert [m["text"] for m in telegram.wait_for_messages(chat, 1)] == [texts.NOTHING_TO_CANCEL]
    deadline = time.monotonic() + 5  # the "sent" records of sends finishing together are written together
    while time.monotonic() < deadline and _outbox_states(server) != {("sent", 1)}:
        time.sleep(0.05)
    assert _outbox_states(server) == {("sent", 1)}


def test_messages_sent_without_waiting_are_answered_one_by_one_in_order(server, telegram: FakeTelegramApi) -> None:
    business = Business(server, telegram)
    for update_id, text in enumerate(
        ["/help", "/tracuu", "/huy", "/huy"], start=1
    ):  # each stored before the previous is answered
        assert business.post(text_update(update_id, CHAT, text)).status_code == 200
    replies = [m["text"] for m in telegram.wait_for_messages(CHAT, 4)]
    assert replies == [texts.HELP, texts.ASK_CODE, texts.CANCELLED, texts.NOTHING_TO_CANCEL]


def _outbox_states(server) -> set[tuple[str, int]]:
    with server.services.database.session() as session:
        return {(m.state, m.attempts) for m in session.exec(select(OutboxMessage)).all()}


def test_a_staff_reply_reaches_the_telegram_user_in_the_same_chat(server, telegram: FakeTelegramApi) -> None:
    business = Business(server, telegram)
    file_ticket(business, "Bình Thạnh", choose="Phường Gia Định")  # the former district's wards come as buttons
    services = server.services
    staff = tax_officer(services)
    with services.database.session() as session:
        ticket = session.exec(select(Ticket)).one()
        assert ticket.ward == "Phường Gia Định"
        tickets.reply(
            session,
            ticket=ticket,
            actor=staff,
            text="Cơ quan thuế đã nhận hồ sơ và sẽ trả lời trong tuần này.",
            department_name="Thuế Thành phố Hồ Chí Minh",
            now=datetime.now(UTC),
        )
    before = len(telegram.sent_messages(CHAT))
    delivered = telegram.wait_for_messages(CHAT, before + 1)[-1]
    assert "Phản hồi của Thuế Thành phố Hồ Chí Minh" in delivered["text"] and "trong tuần này" in delivered["text"]
    assert delivered["reply_markup"]["inline_keyboard"][0][0]["text"] == "Trả lời phản ánh"
    assert "nội dung gửi thêm" in business.press("Trả lời phản ánh")["text"]


def test_a_long_staff_reply_is_split_under_4096_characters(server, telegram: FakeTelegramApi) -> None:
    business = Business(server, telegram)
    file_ticket(business, "Phường Bàn Cờ")
    services = server.services
    staff = tax_officer(services)
    long_text = "\n\n".join(
        f"Đoạn {n}: " + "nội dung hướng dẫn chi tiết về hồ sơ hoàn thuế. " * 12 for n in range(1, 16)
    )
    assert 8200 < len(long_text) < 12000  # three messages' worth
    before = len(telegram.sent_messages(CHAT))
    with services.database.session() as session:
        ticket = session.exec(select(Ticket)).one()
        tickets.reply(
            session, ticket=ticket, actor=staff, text=long_text, department_name="Cục Thuế", now=datetime.now(UTC)
        )
    parts = telegram.wait_for_messages(CHAT, before + 3)[before:]
    assert len(parts) == 3 and all(len(part["text"]) <= 4096 for part in parts)
    assert "Đoạn 1:" in parts[0]["text"] and "Đoạn 15:" in parts[-1]["text"]
    assert parts[0]["reply_markup"] is None and parts[-1]["reply_markup"] is not None


def test_a_rate_limited_message_is_retried_and_delivered_once(server, telegram: FakeTelegramApi) -> None:
    telegram.fail_next("sendMessage", status=429, retry_after=1)
    business = Business(server, telegram)
    business.post(text_update(5, CHAT, "xin chào"))
    greeting = telegram.wait_for_messages(CHAT, 1, timeout=15)
    time.sleep(0.5)
    assert len(telegram.sent_messages(CHAT)) == 1 and "Đồng hành" in greeting[0]["text"]
    with server.services.database.session() as session:
        sent = session.exec(select(OutboxMessage)).one()
    assert (sent.state, sent.attempts) == ("sent", 2)


def test_without_a_public_url_the_server_polls(make_services, telegram: FakeTelegramApi) -> None:
    services = make_services(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=telegram.base_url)
    with serve_asgi(create_app(services, warm_up=False), lifespan="on"):
        telegram.push_update(text_update(9001, CHAT, "/start"))
        reply = telegram.wait_for_messages(CHAT, 1, timeout=15)[0]
    assert "Đồng hành" in reply["text"]
    assert telegram.webhook is None


def test_a_message_telegram_refuses_is_marked_failed_and_shown_to_staff(server, telegram: FakeTelegramApi) -> None:
    telegram.fail_next("sendMessage", status=403)  # the user blocked the bot
    Business(server, telegram).post(text_update(7, CHAT, "xin chào"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        delivery = httpx.get(f"{server.url}/healthz", timeout=10).json()["delivery"]
        if delivery["outbox_failed"]:
            break
        time.sleep(0.1)
    assert delivery["outbox_failed"] == 1 and delivery["outbox_waiting"] == 0
    with server.services.database.session() as session:
        failed = session.exec(select(OutboxMessage)).one()
    assert failed.state == "failed" and "telegram refused" in failed.last_error
    assert telegram.sent_messages(CHAT) == []


def test_a_malformed_webhook_body_gets_a_vietnamese_400_and_nothing_breaks(server, telegram: FakeTelegramApi) -> None:
    url = f"{server.url}/webhooks/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    for body in (b"{not json", b"[1, 2, 3]", b'"chuoi"'):
        response = httpx.post(url, content=body, headers=headers, timeout=10)
        assert response.status_code == 400 and "không phải bản cập nhật Telegram" in response.json()["error"]
    assert "Đồng hành" in Business(server, telegram).say("xin chào")["text"]


def test_a_keyword_menu_a_follow_up_and_a_change_of_subject(server, telegram: FakeTelegramApi) -> None:
    """A conversation as people type it, turn by turn (the web chat's are in test_conversation.py)."""
    business = Business(server, telegram)
    menu = business.say("thuc pham")
    assert menu["text"].startswith("Về lĩnh vực «Y tế», quý doanh nghiệp muốn hỏi nội dung nào?")
    titles = [row[0]["text"] for row in menu["reply_markup"]["inline_keyboard"]]
    assert titles[-1] == "Gửi phản ánh" and len(titles) >= 3
    assert "Nguồn:" in business.press(titles[0])["text"]
    follow_up = business.say("nếu bị từ chối thì sao")
    assert follow_up["reply_markup"]["inline_keyboard"], follow_up
    changed = business.say("thủ tục hoàn thuế giá trị gia tăng cần hồ sơ gì")
    assert "Thuế Thành phố Hồ Chí Minh" in changed["text"]
