"""A new channel is one module and its registration: the tests' toy channel (`tests/fakes/toy_channel.py`),
plugged into the registry, gets its webhook mounted, its replies split to its text limit and rendered with
numbered options, the filing form's optional contact (it identifies its users), and its label in the console
and the reports — with no line of the project changed."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from bot.app import create_app
from bot.channels.registry import default_registry
from tests.fakes import toy_channel
from tests.fakes.servers import serve_asgi
from tests.integration.test_console import account, signed_in
from tickets.storage.models import Role, Ticket

QUESTION = "Hạn nộp tờ khai thuế giá trị gia tăng theo quý là khi nào?"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The contract does not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def toy():
    return toy_channel.Toy()


@pytest.fixture
def server(make_services, toy):
    services = make_services(channels=default_registry().with_channel(toy))
    app = create_app(services, warm_up=False)
    with serve_asgi(app, lifespan="on") as running:
        running.services, running.app = services, app
        yield running


class ToyUser:
    def __init__(self, server, toy, user: str = "toy-user-1") -> None:
        self.url, self.toy, self.user, self.count = f"{server.url}/webhooks/toy", toy, user, 0

    def say(self, text: str) -> str:
        """Send a message; what the user received in return, once the replies stop coming."""
        before = len(self.toy.sender.sent)
        self.count += 1
        response = httpx.post(self.url, json={"user": self.user, "id": f"m{self.count}", "text": text}, timeout=10)
        assert response.status_code == 200 and response.json() == {"ok": True}
        deadline, seen = time.monotonic() + 30, before
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = len(self.toy.sender.sent)
            if now > before and now == seen:
                break
            seen = now
        return "\n".join(text for _, text in self.toy.sender.sent[before:])

    def option(self, received: str, title: str) -> str:
        """The number of the option titled `title` among those just received."""
        return re.search(rf"^(\d+)\. {re.escape(title)}$", received, re.M).group(1)


def test_a_toy_channel_added_in_one_module_carries_a_whole_conversation(server, toy) -> None:
    user = ToyUser(server, toy)

    answer = user.say(QUESTION)
    parts = [text for _, text in toy.sender.sent]
    assert len(parts) > 2 and all(len(part.split("\n\n1. ")[0]) <= toy.text_limit for part in parts)
    assert "1. Hữu ích\n2. Chưa đúng\n3. Gửi phản ánh\n(Trả lời bằng số để chọn)" in answer

    assert "Nội dung phản ánh" in user.say(user.option(answer, "Gửi phản ánh"))  # the question, to keep or replace
    assert "Tên doanh nghiệp" in user.say("Hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 đến nay chưa giải quyết")
    assert "Mã số thuế" in user.say("Công ty TNHH Thương mại Minh An")
    contact = user.say("0312345673")
    assert "có thể bỏ qua" in contact  # the channel identifies its users: no contact needed
    wards = user.say(user.option(contact, "Bỏ qua"))
    assert "phường, xã nào" in wards
    wards = user.say("quan binh thanh")
    summary = user.say(user.option(wards, "Phường Gia Định"))
    assert "Xin kiểm tra lại" in summary and "Phường Gia Định" in summary
    filed = user.say(user.option(summary, "Xác nhận gửi"))
    code = re.search(r"PA-\d{4}-\d{6}", filed).group(0)

    with server.services.database.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.code == code)).one()
    assert ticket.channel == "toy" and ticket.contact is None and ticket.ward == "Phường Gia Định"
    supervisor = signed_in(server.app, account(server.services.database, Role.supervisor))
    page = supervisor.get(f"/staff/tickets/{code}").text
    assert "Kênh thử nghiệm" in page
    assert code in supervisor.get("/staff", params={"channel": "toy"}).text
