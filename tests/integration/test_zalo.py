"""Zalo OA end to end: signed webhooks into our server, customer-service messages out to a fake Zalo API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from bot.app import create_app
from tests.fakes.servers import serve_asgi
from tests.fakes.zalo_api import FakeZaloApi
from tickets.domain import services as tickets
from tickets.domain.accounts import create_user
from tickets.storage.models import ChannelSecret, InboundEvent, Role, Ticket

APP_ID, APP_SECRET, OA_SECRET = "4143012345", "app-secret-xyz", "oa-secret-key-abc"
USER = "8123456789012345678"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Zalo's protocol does not depend on the database: SQLite only (the database tests and the Telegram tests cover
    PostgreSQL)."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def zalo() -> Iterator[FakeZaloApi]:
    with FakeZaloApi(APP_ID, APP_SECRET, OA_SECRET, access_token="access-1", refresh_token="refresh-1") as fake:
        yield fake


@pytest.fixture
def server(make_services, zalo: FakeZaloApi):
    services = make_services(
        ZALO_APP_ID=APP_ID,
        ZALO_APP_SECRET=APP_SECRET,
        ZALO_OA_SECRET_KEY=OA_SECRET,
        ZALO_ACCESS_TOKEN="access-1",
        ZALO_REFRESH_TOKEN="refresh-1",
        ZALO_API_BASE_URL=zalo.api_base_url,
        ZALO_OAUTH_BASE_URL=zalo.oauth_base_url,
    )
    with serve_asgi(create_app(services, warm_up=False), lifespan="on") as running:
        running.services = services
        yield running


class Business:
    def __init__(self, server, zalo: FakeZaloApi, user: str = USER) -> None:
        self.url = f"{server.url}/webhooks/zalo"
        self.zalo = zalo
        self.user = user
        self.count = 0

    def post(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return httpx.post(self.url, content=body, headers=headers | {"Content-Type": "application/json"}, timeout=10)

    def say(self, text: str, *, msg_id: str | None = None) -> str:
        self.count += 1
        before = len(self.zalo.sent_messages(self.user))
        body, headers = self.zalo.signed_text_event(self.user, text, msg_id=msg_id or f"msg-{self.count}")
        started = time.monotonic()
        response = self.post(body, headers)
        assert response.status_code == 200 and time.monotonic() - started < 2.0
        return self.zalo.wait_for_messages(self.user, before + 1)[-1]["text"]


def test_a_forged_or_missing_signature_gets_401_and_nothing_is_kept(server, zalo: FakeZaloApi) -> None:
    body, headers = zalo.signed_text_event(USER, "xin chào", msg_id="m-forged")
    forged = Business(server, zalo).post(body.replace("xin chào".encode(), "chào bạn".encode()), headers)
    missing = Business(server, zalo).post(body, {})
    assert (forged.status_code, missing.status_code) == (401, 401)
    assert "Chữ ký" in forged.json()["error"]
    time.sleep(0.5)
    assert zalo.sent_messages() == []
    with server.services.database.session() as session:
        assert session.exec(select(InboundEvent)).all() == []


def test_buttons_become_numbered_options_answered_with_a_digit(server, zalo: FakeZaloApi) -> None:
    business = Business(server, zalo)
    answer = business.say("Hóa đơn điện tử lập sai thì xử lý thế nào?")
    assert "Nguồn:" in answer and "1. Hữu ích\n2. Chưa đúng\n3. Gửi phản ánh" in answer and "Trả lời bằng số" in answer
    assert "Nội dung phản ánh" in business.say("3")


def test_a_resent_msg_id_is_handled_once(server, zalo: FakeZaloApi) -> None:
    business = Business(server, zalo)
    body, headers = zalo.signed_text_event(USER, "xin chào", msg_id="m-same")
    for _ in range(3):
        assert business.post(body, headers).status_code == 200
    zalo.wait_for_messages(USER, 1)
    time.sleep(1.0)
    assert len(zalo.sent_messages(USER)) == 1


def test_an_expired_token_is_refreshed_stored_and_the_message_delivered(server, zalo: FakeZaloApi) -> None:
    zalo.expire_access_token()
    assert "Đồng hành" in Business(server, zalo).say("xin chào")
    assert zalo.refresh_count == 1
    access, refresh = zalo.current_tokens()
    with server.services.database.session() as session:
        stored = {s.name: s.value for s in session.exec(select(ChannelSecret))}
    assert stored == {"zalo_access_token": access, "zalo_refresh_token": refresh}
    assert refresh != "refresh-1"


def test_a_filing_over_zalo_and_the_staff_reply_reaching_the_zalo_user(server, zalo: FakeZaloApi) -> None:
    business = Business(server, zalo)
    for said, expected in [
        ("tôi muốn gửi phản ánh", "mô tả vấn đề"),
        ("Công trình nhà xưởng xin giấy phép xây dựng đã quá hạn hai tháng chưa được cấp", "Tên doanh nghiệp"),
        ("Công ty Cổ phần Cơ khí Phú Thịnh", "Mã số thuế"),
        ("0312345673", "có thể bỏ qua"),
        ("1", "phường, xã nào"),  # option 1: Bỏ qua
        ("Thủ Đức", "địa bàn Thành phố Thủ Đức cũ thuộc các phường, xã sau"),  # its 12 wards as numbered options
        ("11", "Phường Thủ Đức"),  # option 11, and the summary
        ("1", "Đã tiếp nhận phản ánh PA-"),  # option 1: Xác nhận gửi
    ]:
        assert expected in business.say(said), said
    services = server.services
    with services.database.session() as session:
        ticket = session.exec(select(Ticket)).one()
    assert (ticket.channel, ticket.topic, ticket.contact) == ("zalo", "xay_dung", None)
    staff = create_user(
        services.database,
        username="canbo.xaydung",
        password="mat-khau-du-dai-123",
        role=Role.staff,
        department=ticket.department,
        known_departments={ticket.department},
    )
    with services.database.session() as session:
        ticket = session.exec(select(Ticket)).one()
        tickets.resolve(
            session,
            ticket=ticket,
            actor=staff,
            text="Giấy phép đã được cấp ngày 25/11/2026.",
            department_name="Sở Xây dựng",
            now=datetime.now(UTC),
        )
    before = len(zalo.sent_messages(USER))
    answer, prompt = (m["text"] for m in zalo.wait_for_messages(USER, before + 2)[before:])
    assert "Sở Xây dựng đã trả lời phản ánh" in answer and "25/11/2026" in answer
    assert "1. 1\n2. 2" in prompt and "5. 5" in prompt
    assert "đánh giá 5/5" in business.say("5")
    with services.database.session() as session:
        assert session.exec(select(Ticket)).one().rating == 5
