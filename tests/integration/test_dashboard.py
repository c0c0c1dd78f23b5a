"""The statistics dashboard (/staff/stats) and its PDF and XLSX downloads, through the real app, on SQLite
and PostgreSQL."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.integration.test_console import account, file_ticket, signed_in
from tickets.storage.models import Role


@pytest.fixture
def app(services):
    from bot.app import create_app

    return create_app(services, warm_up=False)


def received(page: str) -> int:
    return int(re.search(r"<b>(\d+)</b> phản ánh nhận", page).group(1))


def test_a_supervisor_sees_every_department_and_an_officer_only_their_own(app, database) -> None:
    file_ticket(database, department="CUC_THUE", topic="thue")
    file_ticket(
        database, department="CUC_HAI_QUAN", topic="hai_quan", description="Lô hàng nhập khẩu bị phân luồng đỏ kéo dài"
    )
    supervisor = signed_in(app, account(database, Role.supervisor))
    page = supervisor.get("/staff/stats").text
    assert received(page) == 2 and "Bảng xếp hạng đơn vị" in page and "<svg" in page and "Điểm (0–100)" in page
    assert re.search(
        r"<td>Phản ánh tiếp nhận</td><td>2</td><td>0</td><td[^>]*>↑ 2</td>", page
    )  # against the month before
    assert received(supervisor.get("/staff/stats", params={"department": "CUC_HAI_QUAN"}).text) == 1
    officer = signed_in(app, account(database, Role.staff, "CUC_THUE"))
    own = officer.get("/staff/stats", params={"department": "CUC_HAI_QUAN"}).text  # the filter cannot widen the scope
    assert received(own) == 1 and "Cục Hải quan" not in own.split("Bảng xếp hạng đơn vị")[1]


def test_recurring_problems_are_shown_with_their_topics_and_examples(app, database) -> None:
    import numpy as np

    from tickets.storage.models import TicketVector

    filed = [
        file_ticket(database, description=f"Hồ sơ hoàn thuế giá trị gia tăng lần {n} chưa có kết quả") for n in range(3)
    ]
    vector = np.full(384, 1 / np.sqrt(384), dtype="<f4").tobytes()  # the same meaning: one group
    with database.session() as session:
        session.add_all([TicketVector(ticket_id=ticket.id, model="test:query", vector=vector) for ticket in filed])
    page = signed_in(app, account(database, Role.supervisor)).get("/staff/stats").text
    problems = page.split("Vấn đề lặp lại")[1].split("Phản ánh quá hạn")[0]
    assert "· 3 phản ánh ·" in problems and "Thuế" in problems and filed[0].code in problems


def test_web_chat_tickets_count_under_their_channel(app, database) -> None:
    from datetime import UTC, datetime

    from tickets.calendar.sla import WorkingCalendar
    from tickets.domain import services as tickets
    from tickets.storage.models import Conversation

    now = datetime.now(UTC)
    with database.session() as session:
        conversation = Conversation(channel="webchat", user_key="phien-web-1", created_at=now, updated_at=now)
        session.add(conversation)
        session.flush()
        tickets.open_ticket(
            session,
            conversation=conversation,
            topic="thue",
            department="CUC_THUE",
            description="Hóa đơn điện tử bị lỗi",
            company_name="Công ty TNHH Minh An",
            tax_code="0312345673",
            contact=None,
            ward="Phường Bến Thành",
            now=now,
            deadlines=WorkingCalendar.load(),
        )
    file_ticket(database, department="CUC_THUE", topic="thue")
    supervisor = signed_in(app, account(database, Role.supervisor))
    assert received(supervisor.get("/staff/stats", params={"channel": "webchat"}).text) == 1
    assert "Trò chuyện trên web" in supervisor.get("/staff/stats").text
    queue = supervisor.get("/staff", params={"channel": "webchat"}).text
    assert queue.count("/staff/tickets/PA-") == 1


def test_the_report_downloads_as_pdf_with_vietnamese_text_and_as_a_typed_workbook(app, database) -> None:
    file_ticket(database, department="CUC_THUE", topic="thue")
    supervisor = signed_in(app, account(database, Role.supervisor))
    pdf = supervisor.get("/staff/stats/report.pdf")
    assert (
        pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    )
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Thuế Thành phố Hồ Chí Minh" in text
    workbook = load_workbook(io.BytesIO(supervisor.get("/staff/stats/report.xlsx").content))
    assert len(workbook.sheetnames) >= 5
    other = supervisor.get("/staff/stats/report.docx")
    assert other.status_code == 404 and "PDF (.pdf) hoặc Excel (.xlsx)" in other.text


def test_a_wrong_period_is_explained_and_strangers_are_sent_to_sign_in(app, database) -> None:
    supervisor = signed_in(app, account(database, Role.supervisor))
    wrong = supervisor.get("/staff/stats", params={"period": "2026-H3"})
    assert wrong.status_code == 422 and "Kỳ báo cáo không hợp lệ" in wrong.text
    backwards = supervisor.get("/staff/stats", params={"first": "2026-05-01", "last": "2026-04-01"})
    assert backwards.status_code == 422 and "Ngày kết thúc phải sau ngày bắt đầu" in backwards.text
    stranger = TestClient(app, follow_redirects=False)
    assert stranger.get("/staff/stats").headers["location"] == "/staff/login"
    assert stranger.get("/staff/stats/report.pdf").headers["location"] == "/staff/login"
