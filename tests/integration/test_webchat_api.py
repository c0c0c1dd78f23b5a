"""`POST /api/chat` and `GET /api/chat/updates` (docs/interfaces.md) as the web chat page uses them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from tickets.domain import services as tickets
from tickets.domain.accounts import create_user
from tickets.storage.models import Role, Ticket

SESSION = "web-session-0001"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The chat API's shape does not depend on the database: SQLite only (the database tests and the Telegram tests
    cover PostgreSQL)."""
    return f"sqlite:///{tmp_path / 'test.db'}"


def chat(url: str, **body: str) -> httpx.Response:
    return httpx.post(f"{url}/api/chat", json={"session": SESSION} | body, timeout=30)


def test_a_question_gets_replies_with_buttons_and_a_button_press_continues(chat_server_url: str) -> None:
    response = chat(chat_server_url, text="Hóa đơn điện tử lập sai thì xử lý thế nào?")
    assert response.status_code == 200
    (reply,) = response.json()["replies"]
    assert "Nguồn:" in reply["text"]
    assert reply["buttons"] == [
        {"title": "Hữu ích", "payload": "fb:up"},
        {"title": "Chưa đúng", "payload": "fb:down"},
        {"title": "Gửi phản ánh", "payload": "file"},
    ]
    pressed = chat(chat_server_url, payload="file").json()["replies"]
    assert "Nội dung phản ánh" in pressed[0]["text"] and [b["title"] for b in pressed[0]["buttons"]] == [
        "Giữ nguyên",
        "Hủy",
    ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"session": SESSION, "text": "x" * 10_000}, "dài quá 4096 ký tự"),
        ({"session": SESSION}, "không hợp lệ"),
        ({"session": SESSION, "text": "chào", "payload": "file"}, "không hợp lệ"),
        ({"session": "a b", "text": "chào"}, "session"),
        ({"text": "chào"}, "session: còn thiếu"),
    ],
)
def test_bad_requests_get_a_vietnamese_422(chat_server_url: str, body: dict, problem: str) -> None:
    response = httpx.post(f"{chat_server_url}/api/chat", json=body, timeout=30)
    assert response.status_code == 422
    assert problem in response.json()["error"]


def test_a_staff_reply_waits_for_the_page_and_is_fetched_once(chat_server_url: str, services) -> None:
    for said in [
        "/phananh",
        "Hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 chưa được giải quyết",
        "Công ty TNHH Hoa Sen",
        "0312345673",
        "ketoan@hoasen.vn",
        "Phường Chợ Lớn",
    ]:
        assert chat(chat_server_url, text=said).status_code == 200
    assert "Đã tiếp nhận" in chat(chat_server_url, payload="confirm").json()["replies"][0]["text"]
    staff = create_user(
        services.database,
        username="canbo.thue",
        password="mat-khau-du-dai-123",
        role=Role.staff,
        department="CUC_THUE",
        known_departments={"CUC_THUE"},
    )
    with services.database.session() as session:
        ticket = session.exec(select(Ticket)).one()
        tickets.reply(
            session,
            ticket=ticket,
            actor=staff,
            text="Đã chuyển hồ sơ cho đội kiểm tra.",
            department_name="Cục Thuế",
            now=datetime.now(UTC),
        )
    first = httpx.get(f"{chat_server_url}/api/chat/updates", params={"session": SESSION}, timeout=30).json()["replies"]
    again = httpx.get(f"{chat_server_url}/api/chat/updates", params={"session": SESSION}, timeout=30).json()["replies"]
    assert len(first) == 1 and "Đã chuyển hồ sơ cho đội kiểm tra." in first[0]["text"]
    assert first[0]["buttons"][0]["title"] == "Trả lời phản ánh"
    assert again == []
    other = httpx.get(f"{chat_server_url}/api/chat/updates", params={"session": "someone-else-01"}, timeout=30)
    assert other.json() == {"replies": []}
