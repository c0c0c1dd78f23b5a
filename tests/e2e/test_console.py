"""The staff console (/staff) in a laptop or tablet browser, against the real app with Telegram on a fake Bot API.

A business files a ticket over Telegram (real webhook, real dialogue engine); officers, a supervisor and an
observer then work in Chromium. Screenshots of every page visited go to test-artifacts/<test>__<step>.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Page, expect

from bot.app import create_app
from knowledge.catalog import load_catalog
from tests.fakes.servers import serve_asgi
from tests.fakes.telegram_api import FakeTelegramApi, callback_update, text_update
from tickets.calendar.sla import WorkingCalendar
from tickets.domain import services as tickets
from tickets.domain.accounts import create_user
from tickets.storage.models import Conversation, Role, Ticket

TOKEN = "123456:TEST-token"
SECRET = "webhook-secret_42"
CHAT = 777001
PASSWORD = "mat-khau-du-dai-123"
DEPARTMENTS = set(load_catalog().departments)
COMPANY = "Công ty TNHH Thương mại Minh An"
FILING = [
    "/phananh",
    "Hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 đến nay Chi cục Thuế chưa giải quyết",
    COMPANY,
    "0312345673",
]
Snap = Callable[[str], None]


@pytest.fixture
def telegram() -> Iterator[FakeTelegramApi]:
    with FakeTelegramApi(TOKEN) as fake:
        yield fake


@pytest.fixture
def server(make_services, telegram: FakeTelegramApi):
    """The real app with Telegram configured against the fake Bot API (its outbox dispatcher running)."""
    services = make_services(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        TELEGRAM_WEBHOOK_URL="https://donghanh.example.vn/webhooks/telegram",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    with serve_asgi(create_app(services, warm_up=False), lifespan="on") as running:
        running.services = services
        yield running


def file_by_telegram(server, telegram: FakeTelegramApi) -> str:
    """A business files the tax-refund ticket of FILING in a Telegram chat; returns the code it is told."""
    updates = iter(range(CHAT * 1000, CHAT * 1000 + 100))

    def exchange(update: dict) -> str:
        before = len(telegram.sent_messages(CHAT))
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        response = httpx.post(f"{server.url}/webhooks/telegram", json=update, headers=headers, timeout=30)
        assert response.status_code == 200
        return telegram.wait_for_messages(CHAT, before + 1, timeout=30)[-1]["text"]

    def press(title: str) -> str:
        buttons = telegram.sent_messages(CHAT)[-1]["reply_markup"]["inline_keyboard"]
        data = next(row[0]["callback_data"] for row in buttons if row[0]["text"] == title)
        return exchange(callback_update(next(updates), CHAT, data))

    for text in FILING:
        exchange(text_update(next(updates), CHAT, text))
    press("Bỏ qua")  # no contact
    exchange(text_update(next(updates), CHAT, "Bình Thạnh"))  # a former district: its wards come as buttons
    press("Phường Gia Định")
    return re.search(r"PA-\d{4}-\d{6}", press("Xác nhận gửi")).group(0)


def file_directly(
    server,
    *,
    department: str,
    topic: str,
    description: str,
    company: str,
    contact: str | None = None,
    chat_id: int = CHAT + 1,
) -> Ticket:
    """A ticket filed from a Telegram chat (the staff's answers go to `chat_id` on the fake Bot API)."""
    now = datetime.now(UTC)
    with server.services.database.session() as session:
        conversation = Conversation(channel="telegram", user_key=str(chat_id), created_at=now, updated_at=now)
        session.add(conversation)
        session.flush()
        return tickets.open_ticket(
            session,
            conversation=conversation,
            topic=topic,
            department=department,
            description=description,
            company_name=company,
            tax_code="0312345673",
            contact=contact,
            ward="Phường Sài Gòn",
            now=now,
            deadlines=WorkingCalendar.load(),
        )


def account(server, username: str, role: Role, department: str | None = None) -> str:
    create_user(
        server.services.database,
        username=username,
        password=PASSWORD,
        role=role,
        department=department,
        known_departments=DEPARTMENTS,
    )
    return username


def sign_in(page: Page, server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{server.url}/staff/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def assert_fits_the_screen(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_size}"


@pytest.mark.parametrize("console_page", ["laptop", "tablet"], indirect=True)
def test_a_tax_officer_answers_a_telegram_ticket_and_the_business_receives_it(
    server, telegram: FakeTelegramApi, console_page: Page, snap: Snap
) -> None:
    code = file_by_telegram(server, telegram)
    other = file_directly(
        server,
        department="SO_KHDT",
        topic="dang_ky_kinh_doanh",
        description="Đăng ký thay đổi ngành nghề bị trả hồ sơ",
        company="Công ty Cổ phần Đăng Ký Nhanh",
    )
    page = console_page
    account(server, "canbo.thue", Role.staff, "CUC_THUE")
    sign_in(page, server, "canbo.thue")

    expect(page.get_by_role("heading", name="Phản ánh cần xử lý")).to_be_visible()
    expect(page.locator(".bar .me")).to_have_text("canbo.thue · Cán bộ · Thuế TP.HCM")
    expect(page.locator("p.count")).to_have_text("1 phản ánh, sắp theo hạn xử lý.")
    row = page.locator("table.queue tbody tr", has=page.get_by_role("link", name=code, exact=True))
    expect(row).to_contain_text(COMPANY)
    expect(row).to_contain_text("Telegram")
    expect(row).to_contain_text("Mới")
    expect(page.get_by_role("link", name=other.code)).to_have_count(0)
    expect(page.get_by_text("Đăng Ký Nhanh")).to_have_count(0)
    assert_fits_the_screen(page)
    snap("queue")

    page.get_by_role("link", name=code, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.locator(".company")).to_have_text(COMPANY)
    expect(page.locator(".tax-code")).to_have_text("0312345673")
    expect(page.locator(".contact")).to_have_text("—")
    expect(page.locator(".department")).to_have_text("Thuế Thành phố Hồ Chí Minh")
    expect(page.locator(".transcript li.in").filter(has_text="hoàn thuế giá trị gia tăng")).not_to_have_count(0)
    # Button presses read as the buttons' titles, not their codes.
    expect(page.locator(".transcript li.in").filter(has_text="Xác nhận gửi")).to_have_count(1)
    expect(page.locator(".transcript li.in .text").filter(has_text=re.compile(r"^(confirm|skip)$"))).to_have_count(0)
    assert_fits_the_screen(page)
    snap("ticket")

    answer = "Cơ quan thuế đã nhận hồ sơ hoàn thuế của doanh nghiệp và sẽ trả lời trong tuần này."
    before = len(telegram.sent_messages(CHAT))
    page.get_by_role("textbox", name="Nội dung").fill(answer)
    page.get_by_role("button", name="Trả lời", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Đã gửi trả lời cho doanh nghiệp.")
    expect(page.locator("h1 .state")).to_have_text("Đang xử lý")
    expect(page.locator(".timeline li").filter(has_text="Trả lời doanh nghiệp")).to_contain_text(answer)
    expect(page.get_by_role("textbox", name="Nội dung")).to_have_value("")
    snap("after-reply")

    delivered = telegram.wait_for_messages(CHAT, before + 1, timeout=15)[-1]["text"]
    assert answer in delivered and "Phản hồi của Thuế Thành phố Hồ Chí Minh" in delivered and code in delivered


def test_a_supervisor_transfers_a_misrouted_ticket_to_customs(server, console_page: Page, snap: Snap) -> None:
    ticket = file_directly(
        server,
        department="CUC_THUE",
        topic="thue",
        company="Công ty TNHH Xuất Nhập Khẩu Sao Việt",
        description="Lô hàng nhập khẩu bị áp mã HS sai nên thuế nhập khẩu tăng gấp đôi",
    )
    page = console_page
    sign_in(page, server, account(server, "giamsat", Role.supervisor))
    page.get_by_role("link", name=ticket.code, exact=True).click()
    expect(page.locator(".department")).to_have_text("Thuế Thành phố Hồ Chí Minh")
    snap("ticket-before")

    reason = "Thuế nhập khẩu và mã HS thuộc thẩm quyền cơ quan hải quan"
    page.get_by_label("Chuyển sang đơn vị").select_option(label="Chi cục Hải quan khu vực II")
    page.get_by_label("Lý do").fill(reason)
    page.get_by_role("button", name="Chuyển", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Đã chuyển phản ánh sang đơn vị khác.")
    expect(page.locator(".department")).to_have_text("Chi cục Hải quan khu vực II")
    transfer = page.locator(".timeline li").filter(has_text="Chuyển đơn vị")
    expect(transfer).to_contain_text(reason)
    expect(transfer).to_contain_text("Thuế Thành phố Hồ Chí Minh → Chi cục Hải quan khu vực II")
    expect(page.get_by_label("Chuyển sang đơn vị").locator("option", has_text="Hải quan khu vực II")).to_have_count(0)
    snap("after-transfer")

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    sign_in(page, server, account(server, "canbo.haiquan", Role.staff, "CUC_HAI_QUAN"))
    row = page.locator("table.queue tbody tr", has=page.get_by_role("link", name=ticket.code, exact=True))
    expect(row).to_contain_text("Sao Việt")
    expect(row).to_contain_text("Hải quan KV II")
    snap("customs-queue")
    row.get_by_role("link").click()
    expect(page.get_by_role("textbox", name="Nội dung")).to_be_editable()
    snap("customs-ticket")


def test_an_observer_reads_masked_data_and_cannot_act(server, console_page: Page, snap: Snap) -> None:
    ticket = file_directly(
        server,
        department="CUC_THUE",
        topic="thue",
        company="Công ty TNHH An Phát",
        contact="0903123456",
        description="Hồ sơ hoàn thuế nộp từ tháng 3 chưa có kết quả",
    )
    page = console_page
    username = account(server, "quansat", Role.observer)
    page.goto(f"{server.url}/staff/login")
    snap("login")
    sign_in(page, server, username, password="mat-khau-sai-roi-nhe")
    expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page.get_by_label("Tên đăng nhập")).to_have_value(username)
    expect(page.get_by_label("Mật khẩu")).to_have_value("")
    snap("wrong-password")

    sign_in(page, server, username)
    row = page.locator("table.queue tbody tr", has=page.get_by_role("link", name=ticket.code, exact=True))
    expect(row).to_contain_text("C*** t*** T*** A*** P***")
    snap("queue")
    row.get_by_role("link").click()
    expect(page.locator(".company")).to_have_text("C*** t*** T*** A*** P***")
    expect(page.locator(".tax-code")).to_have_text("03******73")
    expect(page.locator(".contact")).to_have_text("09******56")
    for secret in ("An Phát", "0312345673", "0903123456"):
        expect(page.get_by_text(secret)).to_have_count(0)
    expect(page.locator("textarea")).to_have_count(0)
    for action in ("Trả lời", "Đề nghị bổ sung", "Ghi chú nội bộ", "Chuyển", "Phân công"):
        expect(page.get_by_role("button", name=action, exact=True)).to_have_count(0)
    snap("ticket")


def test_an_admin_checks_an_faq_entry_against_the_law_in_force_and_marks_it_reviewed(
    server, console_page: Page, snap: Snap
) -> None:
    page = console_page
    sign_in(page, server, account(server, "quantri", Role.admin))
    page.get_by_role("link", name="Rà soát nội dung").click()
    expect(page.get_by_role("heading", name="Rà soát nội dung hỏi đáp")).to_be_visible()
    expect(page.locator(".cards .card")).to_have_count(4)
    expect(page.get_by_role("heading", name="Doanh nghiệp bấm «Chưa đúng» nhiều nhất")).to_be_visible()
    assert_fits_the_screen(page)
    snap("overview")

    page.goto(f"{server.url}/staff/content/thue-thoi-han-nop-to-khai")
    expect(page.locator(".sources")).to_contain_text("Nghị định số 252/2026/NĐ-CP")
    expect(page.locator(".sources .standing").first).to_have_text("Còn hiệu lực")
    page.get_by_label("Ghi chú (đã đối chiếu văn bản nào, ở đâu)").fill("Đối chiếu Điều 10 Nghị định 252/2026/NĐ-CP")
    page.get_by_label("Hạn rà soát tiếp theo").first.fill("2027-08-31")
    page.get_by_role("button", name="Đã rà soát").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận rà soát")
    expect(page.locator(".review-by")).to_have_text("31/08/2027")
    expect(page.locator(".timeline")).to_contain_text("quantri")
    expect(page.locator(".timeline")).to_contain_text("Đối chiếu Điều 10 Nghị định 252/2026/NĐ-CP")
    assert_fits_the_screen(page)
    snap("reviewed")
