"""A business-dialogue session from end to end, in Chromium, on both databases: a supervisor creates the session;
a business registers a question over Telegram (fake Bot API, real webhook); the agenda shows it beside a recurring
problem and the last session's commitment; the secretary records the answer, which reaches the business in
Telegram, and a commitment; the commitment passes its deadline and is escalated; the public page shows it overdue;
an observer sees the session masked and cannot act."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from tests.conftest import BACKENDS, empty_database
from tests.e2e import test_console
from tests.e2e.test_console import CHAT, COMPANY, SECRET, account, file_directly, sign_in
from tests.fakes.telegram_api import FakeTelegramApi, callback_update, text_update
from tickets.calendar.sla import LOCAL_TZ, WorkingCalendar
from tickets.dialogues import commitments, jobs
from tickets.reports.clusters import embed_missing
from tickets.storage.models import Commitment, DialogueSession, Role, StaffNotification

QUESTION = "Hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 đến nay chưa có kết quả, đề nghị Cục Thuế trả lời"
ANSWER = "Đại diện Thuế Thành phố trả lời: hồ sơ của doanh nghiệp được giải quyết trong tuần sau."
PROMISE = "Rà soát toàn bộ hồ sơ hoàn thuế tồn đọng quá hạn và trả lời từng doanh nghiệp"
REFUND_DELAYS = [
    "Hồ sơ hoàn thuế giá trị gia tăng nộp đã lâu chưa có kết quả",
    "Hồ sơ hoàn thuế GTGT nộp đã lâu mà vẫn chưa có kết quả",
    "Hồ sơ hoàn thuế giá trị gia tăng của công ty nộp lâu rồi chưa có kết quả",
    "Hồ sơ hoàn thuế giá trị gia tăng đã nộp lâu vẫn chưa có kết quả giải quyết",
]
# The real app with Telegram on the fake Bot API, as the console's browser tests run it
telegram = test_console.telegram
server = test_console.server


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The cycle on both databases (the other browser tests use SQLite only)."""
    yield from empty_database(request, tmp_path)


def local_field(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def an_earlier_session_with_a_commitment(services) -> None:
    now = datetime.now(UTC)
    with services.database.session() as session:
        earlier = DialogueSession(
            title="Phiên đối thoại quý trước",
            starts_at=now - timedelta(days=20),
            place="Hội trường",
            departments=["CUC_THUE"],
            registration_opens_at=now - timedelta(days=40),
            registration_closes_at=now - timedelta(days=22),
            state="minutes_published",
            created_by="giamsat",
        )
        session.add(earlier)
        session.flush()
        calendar = WorkingCalendar.load()
        commitments.make(
            session,
            earlier,
            department="CUC_THUE",
            promise="Công khai tiến độ giải quyết hồ sơ hoàn thuế trên cổng thông tin",
            due_at=calendar.add_working_days(earlier.starts_at, 30),
            calendar=calendar,
            actor="thuky",
            now=earlier.starts_at,
        )


def register_over_telegram(server, telegram: FakeTelegramApi, title: str) -> str:
    updates = iter(range(CHAT * 1000 + 500, CHAT * 1000 + 600))  # after the updates of its ticket

    def exchange(update: dict) -> str:
        before = len(telegram.sent_messages(CHAT))
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert (
            httpx.post(f"{server.url}/webhooks/telegram", json=update, headers=headers, timeout=30).status_code == 200
        )
        return telegram.wait_for_messages(CHAT, before + 1, timeout=30)[-1]["text"]

    def press(title_start: str) -> str:
        buttons = telegram.sent_messages(CHAT)[-1]["reply_markup"]["inline_keyboard"]
        data = next(row[0]["callback_data"] for row in buttons if title_start in row[0]["text"])
        return exchange(callback_update(next(updates), CHAT, data))

    assert title in exchange(text_update(next(updates), CHAT, "/doithoai"))
    assert "Xin nhập câu hỏi" in press(title[:20])
    summary = exchange(text_update(next(updates), CHAT, QUESTION))
    assert "Gửi câu hỏi" in summary and COMPANY in summary  # the details of its ticket, reused
    receipt = press("Gửi câu hỏi")
    return re.search(r"DT-\d{4}-\d{6}", receipt).group(0)


def test_a_dialogue_session_from_registration_to_an_overdue_commitment(
    server, telegram: FakeTelegramApi, console_page: Page, snap
) -> None:
    services, page = server.services, console_page
    an_earlier_session_with_a_commitment(services)
    for n, description in enumerate(REFUND_DELAYS):
        file_directly(
            server,
            department="CUC_THUE",
            topic="thue",
            description=description,
            company=f"Công ty TNHH Xuất khẩu Số {n + 1}",
            chat_id=CHAT + 10 + n,
        )
    embed_missing(services.database, services.encoder)
    account(server, "giamsat", Role.supervisor)
    account(server, "quansat", Role.observer)

    # The supervisor creates the session in the console.
    now = datetime.now(UTC)
    title = "Đối thoại thuế cuối năm"
    sign_in(page, server, "giamsat")
    page.goto(f"{server.url}/staff/doi-thoai/moi")
    page.get_by_label("Tên phiên đối thoại").fill(title)
    page.get_by_label("Thời gian khai mạc").fill(local_field(now + timedelta(days=3)))
    page.get_by_label("Địa điểm").fill("Hội trường Ủy ban nhân dân Thành phố")
    page.get_by_label("Chủ trì").fill("Phó Chủ tịch Ủy ban nhân dân Thành phố")
    page.locator("input[name=departments][value=CUC_THUE]").check()
    page.locator("input[name=topics][value=thue]").check()
    page.get_by_label("Bắt đầu nhận đăng ký").fill(local_field(now - timedelta(hours=1)))
    page.get_by_label("Hết hạn đăng ký").fill(local_field(now + timedelta(days=2)))
    page.get_by_role("button", name="Tạo phiên đối thoại").click()
    expect(page.locator("h1")).to_contain_text(title)
    session_id = int(re.search(r"/staff/doi-thoai/(\d+)", page.url).group(1))

    # A business that filed a ticket in Telegram registers its question there.
    test_console.file_by_telegram(server, telegram)
    code = register_over_telegram(server, telegram, title)
    page.reload()
    expect(page.locator("main")).to_contain_text(COMPANY)  # the supervisor sees who asked

    # The agenda shows it, the recurring problem and the last session's commitment.
    page.get_by_role("button", name="Lập chương trình từ dữ liệu").click()
    agenda = page.locator("ol.agenda")
    expect(agenda).to_contain_text(QUESTION)
    expect(agenda).to_contain_text("Công khai tiến độ giải quyết hồ sơ hoàn thuế")
    expect(agenda).to_contain_text("phản ánh)")  # a recurring problem: "<label> (4 phản ánh)"
    snap("agenda")

    # The secretary records the answer and a commitment on the question.
    question_item = agenda.locator("li.agenda-item", has_text=code)
    question_item.get_by_text("Ghi câu trả lời tại phiên").click()
    question_item.get_by_label("Nội dung trả lời").fill(ANSWER)
    question_item.get_by_role("button", name="Ghi nhận câu trả lời").click()
    answered = telegram.wait_for_messages(CHAT, len(telegram.sent_messages(CHAT)) + 1, timeout=30)[-1]
    assert ANSWER in answered["text"] and code in answered["text"]
    question_item = page.locator("ol.agenda li.agenda-item", has_text=code)
    question_item.get_by_text("Ghi nhận cam kết").first.click()
    question_item.get_by_label("Nội dung cam kết").fill(PROMISE)
    question_item.get_by_label("Thời hạn: số ngày làm việc").fill("5")
    question_item.get_by_role("button", name="Ghi nhận cam kết").click()
    expect(page.locator("ol.agenda")).to_contain_text(PROMISE)

    # Held, minutes approved and published.
    page.get_by_role("button", name="Xác nhận đã tổ chức phiên").click()
    page.get_by_role("button", name="Phê duyệt và công bố biên bản").click()
    expect(page.locator("body")).to_contain_text("Đã công bố biên bản")

    # The commitment's deadline passes: the department's lead and the supervisors are told.
    with services.database.session() as session:
        promise = session.exec(select(Commitment).where(col(Commitment.promise) == PROMISE)).one()
        promise.due_at = promise.warn_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(promise)
    assert jobs.run_once(services.database, now=datetime.now(UTC)).escalated == 1
    with services.database.session() as session:
        assert session.exec(select(StaffNotification).where(col(StaffNotification.kind) == "overdue")).all()
    page.goto(f"{server.url}/staff/notifications")
    expect(page.locator("ul.notifications")).to_contain_text("Cam kết phiên đối thoại")

    # The public page shows it overdue, without any business's name.
    page.goto(f"{server.url}/doi-thoai/{session_id}")
    public = page.locator("body")
    expect(public).to_contain_text(PROMISE)
    expect(public).to_contain_text("Quá hạn")
    assert "Minh An" not in public.inner_text() and "Xuất khẩu Số" not in public.inner_text()
    snap("public")

    # An observer reads the session masked and cannot act.
    page.context.clear_cookies()
    sign_in(page, server, "quansat")
    page.goto(f"{server.url}/staff/doi-thoai/{session_id}")
    expect(page.locator("h1")).to_contain_text(title)
    assert page.get_by_role("button", name="Ghi nhận câu trả lời").count() == 0
    assert page.get_by_role("button", name="Lập chương trình từ dữ liệu").count() == 0
    shown = page.locator("main").inner_text()
    assert QUESTION in shown and COMPANY not in shown and "0312345673" not in shown
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    refused = page.request.post(
        f"{server.url}/staff/doi-thoai/{session_id}/lap-chuong-trinh", form={"csrf": csrf}, max_redirects=0
    )
    assert refused.status == 403
    snap("observer")
