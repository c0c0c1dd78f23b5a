"""Dialogue sessions in the console (/staff/doi-thoai) and on the public page (/doi-thoai).

Runs the real app (FastAPI, templates, domain) on SQLite and PostgreSQL through Starlette's test client: what
organisers, observers and department staff can see and do, and what the public may read.
"""

from __future__ import annotations

import io
import itertools
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from tickets.calendar.sla import LOCAL_TZ, WorkingCalendar
from tickets.dialogues import agenda, commitments, sessions
from tickets.domain import services as tickets
from tickets.domain.accounts import create_user
from tickets.storage.models import (
    Commitment,
    CommitmentState,
    Conversation,
    DialogueSession,
    OutboxMessage,
    Role,
    SessionState,
    Ticket,
)

PASSWORD = "mat-khau-du-dai-123"
DEPARTMENTS = {"CUC_THUE", "SO_KHDT", "CUC_HAI_QUAN"}
COMPANY = "Công ty TNHH An Phát"
TAX_CODE = "0312345673"
QUESTION = "Hồ sơ hoàn thuế GTGT nộp từ tháng 3 vẫn chưa có kết quả, xin gọi 0903123456"
_names = itertools.count()


@pytest.fixture
def app(services):
    from bot.app import create_app

    return create_app(services, warm_up=False)


def account(database, role: Role, department: str | None = None) -> str:
    username = f"{role.value}.{(department or 'all').lower()}.{next(_names)}"
    create_user(
        database, username=username, password=PASSWORD, role=role, department=department, known_departments=DEPARTMENTS
    )
    return username


def signed_in(app, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    token = csrf(client.get("/staff/login").text)
    response = client.post("/staff/login", data={"username": username, "password": PASSWORD, "csrf": token})
    assert response.status_code == 303, response.text
    return client


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def typed(moment: datetime) -> str:
    """A moment as a datetime-local field holds it."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def session_form(title: str, *, starts_in: timedelta = timedelta(days=10), **changes: object) -> dict:
    now = datetime.now(UTC)
    return {
        "title": title,
        "starts_at": typed(now + starts_in),
        "place": "Hội trường UBND Thành phố, 86 Lê Thánh Tôn",
        "online_link": "",
        "chair": "Phó Chủ tịch UBND Thành phố",
        "departments": ["CUC_THUE", "SO_KHDT"],
        "topics": ["thue"],
        "theme": "Hoàn thuế và thủ tục thuế",
        "registration_opens_at": typed(now - timedelta(hours=1)),
        "registration_closes_at": typed(now + starts_in - timedelta(days=1)),
        **changes,
    }


def create_session(client: TestClient, title: str, **changes: object) -> int:
    page = client.get("/staff/doi-thoai/moi").text
    created = client.post("/staff/doi-thoai/moi", data={"csrf": csrf(page), **session_form(title, **changes)})
    assert created.status_code == 303, created.text
    return int(re.search(r"/staff/doi-thoai/(\d+)\?done=created", created.headers["location"]).group(1))


def register(database, session_id: int, *, user_key: str = "tg-4242") -> str:
    with database.session() as session:
        return sessions.register(
            session,
            session.get(DialogueSession, session_id),
            channel="telegram",
            user_key=user_key,
            question=QUESTION,
            now=datetime.now(UTC),
            company_name=COMPANY,
            tax_code=TAX_CODE,
            topic="thue",
            department="CUC_THUE",
        ).code


def overdue_ticket(database) -> Ticket:
    """A tax ticket filed 30 days ago and never answered: past its 10 working days."""
    then = datetime.now(UTC) - timedelta(days=30)
    with database.session() as session:
        conversation = Conversation(channel="zalo", user_key="zl-1", created_at=then, updated_at=then)
        session.add(conversation)
        session.flush()
        return tickets.open_ticket(
            session,
            conversation=conversation,
            topic="thue",
            department="CUC_THUE",
            description="Chưa được hoàn thuế xuất khẩu dù hồ sơ đầy đủ",
            company_name="Công ty CP Bình Minh",
            tax_code="0301111111",
            contact=None,
            ward="Phường Sài Gòn",
            now=then,
            deadlines=WorkingCalendar.load(),
        )


def item_ids(database, session_id: int, kind: str | None = None) -> list[int]:
    with database.session() as session:
        return [i.id for i in agenda.items_of(session, session_id) if kind in (None, i.kind)]


def test_a_supervisor_creates_a_session_builds_its_agenda_and_records_an_answer_and_a_commitment(app, database) -> None:
    supervisor = signed_in(app, account(database, Role.supervisor))
    token = csrf(supervisor.get("/staff/doi-thoai/moi").text)
    late_window = session_form(
        "Đối thoại thuế quý IV", registration_closes_at=typed(datetime.now(UTC) + timedelta(days=11))
    )
    refused = supervisor.post("/staff/doi-thoai/moi", data={"csrf": token, **late_window})
    assert refused.status_code == 422 and "kết thúc không muộn hơn giờ khai mạc" in refused.text
    assert 'value="Đối thoại thuế quý IV"' in refused.text
    assert re.search(r'value="SO_KHDT"\s+checked', refused.text) and not re.search(
        r'value="CUC_HAI_QUAN"\s+checked', refused.text
    )

    session_id = create_session(supervisor, "Đối thoại thuế quý IV")
    page = supervisor.get(f"/staff/doi-thoai/{session_id}?done=created").text
    assert "Đã tạo phiên đối thoại." in page and "Đang nhận đăng ký câu hỏi" in page
    assert "Thuế Thành phố Hồ Chí Minh" in page and "Sở Tài chính Thành phố Hồ Chí Minh" in page
    listed = supervisor.get("/staff/doi-thoai").text
    assert listed.index("Sắp diễn ra") < listed.index("Đối thoại thuế quý IV") < listed.index("Đã tổ chức")

    late = overdue_ticket(database)
    code = register(database, session_id)
    page = supervisor.get(f"/staff/doi-thoai/{session_id}").text
    assert COMPANY in page and QUESTION in page and late.code in page
    assert "Chương trình phiên đối thoại (0 mục)" in page

    built = supervisor.post(f"/staff/doi-thoai/{session_id}/lap-chuong-trinh", data={"csrf": token})
    assert built.status_code == 303
    supervisor.post(f"/staff/doi-thoai/{session_id}/lap-chuong-trinh", data={"csrf": token})  # nothing new twice
    page = supervisor.get(f"/staff/doi-thoai/{session_id}").text
    assert "Chương trình phiên đối thoại (2 mục)" in page and f"Phản ánh {late.code}" in page
    question_item = item_ids(database, session_id, "question")[0]
    assert item_ids(database, session_id)[0] == question_item  # registered questions come before tickets

    moved = supervisor.post(f"/staff/doi-thoai/{session_id}/muc/{question_item}/xuong", data={"csrf": token})
    assert moved.status_code == 303 and item_ids(database, session_id)[1] == question_item

    action = f"/staff/doi-thoai/{session_id}/muc/{question_item}"
    empty = supervisor.post(f"{action}/tra-loi", data={"csrf": token, "department": "CUC_THUE", "answer": " "})
    assert empty.status_code == 422 and "Cần ghi nội dung trả lời." in empty.text
    answer = "Thuế Thành phố sẽ giải quyết hồ sơ hoàn thuế trong 5 ngày làm việc."
    answered = supervisor.post(f"{action}/tra-loi", data={"csrf": token, "department": "CUC_THUE", "answer": answer})
    assert answered.status_code == 303
    page = supervisor.get(answered.headers["location"]).text
    assert "doanh nghiệp đăng ký câu hỏi sẽ nhận được" in page and answer in page
    with database.session() as session:
        sent = session.exec(select(OutboxMessage).where(OutboxMessage.user_key == "tg-4242")).all()
    assert any(answer in m.text and code in m.text for m in sent)

    promise = "Hoàn thành hoàn thuế cho các hồ sơ tồn đọng từ tháng 3"
    no_deadline = supervisor.post(
        f"{action}/cam-ket", data={"csrf": token, "department": "CUC_THUE", "promise": promise, "working_days": ""}
    )
    assert no_deadline.status_code == 422 and "Cần ghi thời hạn" in no_deadline.text and promise in no_deadline.text
    made = supervisor.post(
        f"{action}/cam-ket", data={"csrf": token, "department": "CUC_THUE", "promise": promise, "working_days": "5"}
    )
    assert made.status_code == 303
    with database.session() as session:
        commitment = session.exec(select(Commitment)).one()
    assert commitment.item_id == question_item and commitment.department == "CUC_THUE"
    assert commitment.due_at == WorkingCalendar.load().add_working_days(commitment.created_at, 5)
    page = supervisor.get(f"/staff/doi-thoai/{session_id}").text
    assert "Cam kết tại phiên (1)" in page and promise in page and "Đang thực hiện" in page
    assert commitment.due_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y") in page

    workbook = supervisor.get(f"/staff/doi-thoai/{session_id}/chuong-trinh.xlsx")
    assert workbook.status_code == 200 and "chuong-trinh-doi-thoai" in workbook.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["Chương trình"]
    contents = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]  # in the order the meeting takes
    assert len(contents) == 2 and contents[0].startswith(f"Phản ánh {late.code} (quá hạn") and contents[1] == QUESTION
    pdf = supervisor.get(f"/staff/doi-thoai/{session_id}/chuong-trinh.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert supervisor.get(f"/staff/doi-thoai/{session_id}/bien-ban.pdf").status_code == 404  # not held yet

    kept = supervisor.post(f"{action}/bo", data={"csrf": token})
    assert kept.status_code == 422 and "không bỏ khỏi chương trình được" in kept.text
    assert question_item in item_ids(database, session_id)


def test_an_observer_reads_the_session_masked_and_every_change_is_refused(app, database) -> None:
    supervisor = signed_in(app, account(database, Role.supervisor))
    session_id = create_session(supervisor, "Đối thoại với doanh nghiệp xuất khẩu")
    register(database, session_id)
    token = csrf(supervisor.get("/staff/doi-thoai").text)
    assert supervisor.post(f"/staff/doi-thoai/{session_id}/lap-chuong-trinh", data={"csrf": token}).status_code == 303

    observer = signed_in(app, account(database, Role.observer))
    page = observer.get(f"/staff/doi-thoai/{session_id}")
    assert page.status_code == 200 and "Đối thoại với doanh nghiệp xuất khẩu" in page.text
    for secret in ("An Phát", TAX_CODE, "0903123456"):
        assert secret not in page.text
    assert "C*** t*** T*** A*** P***" in page.text and "03******73" in page.text and "09******56" in page.text
    assert "Hồ sơ hoàn thuế GTGT nộp từ tháng 3" in page.text  # the question itself stays readable
    assert 'action="/staff/doi-thoai' not in page.text and "Lập chương trình từ dữ liệu" not in page.text
    exported = observer.get(f"/staff/doi-thoai/{session_id}/chuong-trinh.json").json()
    assert [q["company_name"] for group in exported["question_groups"] for q in group] == ["C*** t*** T*** A*** P***"]
    assert "0903123456" not in str(exported) and "09******56" in exported["items"][0]["title"]
    assert "Tạo phiên đối thoại" not in observer.get("/staff/doi-thoai").text
    assert observer.get("/staff/doi-thoai/moi").status_code == 403

    token = csrf(page.text)  # the sign-out form's token: valid, so only the role refuses
    item = item_ids(database, session_id, "question")[0]
    for url, data in (
        (f"/staff/doi-thoai/{session_id}/lap-chuong-trinh", {}),
        (f"/staff/doi-thoai/{session_id}/trang-thai", {"state": "held"}),
        (f"/staff/doi-thoai/{session_id}/muc/{item}/tra-loi", {"department": "CUC_THUE", "answer": "Trả lời"}),
        (f"/staff/doi-thoai/{session_id}/sua", session_form("Đã đổi tên")),
        ("/staff/doi-thoai/moi", session_form("Phiên của quan sát viên")),
    ):
        refused = observer.post(url, data={"csrf": token, **data})
        assert refused.status_code == 403 and "không có quyền" in refused.text, url
    with database.session() as session:
        dialogues = session.exec(select(DialogueSession)).all()
        assert [(d.title, d.state) for d in dialogues] == [
            ("Đối thoại với doanh nghiệp xuất khẩu", SessionState.registration_open)
        ]
        assert all(i.answer is None for i in agenda.items_of(session, session_id))

    own = signed_in(app, account(database, Role.staff, "CUC_THUE")).get(f"/staff/doi-thoai/{session_id}").text
    other = signed_in(app, account(database, Role.staff, "SO_KHDT")).get(f"/staff/doi-thoai/{session_id}").text
    assert COMPANY in own and "An Phát" not in other and "C*** t*** T*** A*** P***" in other
    assert 'action="/staff/doi-thoai' not in own


def test_department_staff_note_progress_and_complete_their_own_commitment(app, database) -> None:
    now = datetime.now(UTC)
    calendar = WorkingCalendar.load()
    with database.session() as session:
        dialogue = sessions.create(
            session,
            sessions.SessionForm(
                title="Đối thoại thuế tháng 11",
                starts_at=now - timedelta(days=2),
                place="Hội trường Thuế Thành phố",
                chair="Chủ tịch UBND Thành phố",
                departments=["CUC_THUE", "SO_KHDT"],
                topics=["thue"],
                registration_opens_at=now - timedelta(days=20),
                registration_closes_at=now - timedelta(days=3),
            ),
            actor="organiser",
            now=now - timedelta(days=21),
            departments=sorted(DEPARTMENTS),
            topics=["thue"],
        )
        ours, theirs = (
            commitments.make(
                session,
                dialogue,
                department=department,
                promise=promise,
                due_at=calendar.add_working_days(now, 10),
                calendar=calendar,
                actor="organiser",
                now=now,
            ).id
            for department, promise in (
                ("CUC_THUE", "Rút ngắn thời gian hoàn thuế xuống 6 ngày làm việc"),
                ("SO_KHDT", "Công khai danh mục dự án kêu gọi đầu tư"),
            )
        )
    staff = signed_in(app, account(database, Role.staff, "CUC_THUE"))
    page = staff.get("/staff/doi-thoai/cam-ket").text
    assert "Rút ngắn thời gian hoàn thuế" in page and "Công khai danh mục dự án" not in page
    assert "Đang thực hiện" in page and "Đối thoại thuế tháng 11" in page
    token = csrf(page)

    elsewhere = signed_in(app, account(database, Role.staff, "SO_KHDT"))
    foreign_token = csrf(elsewhere.get("/staff/doi-thoai/cam-ket").text)
    refused = elsewhere.post(f"/staff/doi-thoai/cam-ket/{ours}/hoan-thanh", data={"csrf": foreign_token, "text": "X"})
    assert refused.status_code == 403 and "Cam kết thuộc sở, ngành khác." in refused.text

    empty = staff.post(f"/staff/doi-thoai/cam-ket/{ours}/tien-do", data={"csrf": token, "text": ""})
    assert empty.status_code == 422 and "Cần ghi nội dung tiến độ." in empty.text
    noted = staff.post(
        f"/staff/doi-thoai/cam-ket/{ours}/tien-do", data={"csrf": token, "text": "Đã họp với các Chi cục Thuế"}
    )
    assert noted.status_code == 303
    page = staff.get(noted.headers["location"]).text
    assert "Đã cập nhật tiến độ thực hiện cam kết." in page and "Đã họp với các Chi cục Thuế" in page

    no_evidence = staff.post(f"/staff/doi-thoai/cam-ket/{ours}/hoan-thanh", data={"csrf": token, "text": " "})
    assert no_evidence.status_code == 422 and "Cần ghi kết quả thực hiện" in no_evidence.text
    evidence = "Công văn số 1234/CT-TTHT ngày 01/12 hướng dẫn hoàn thuế trong 6 ngày"
    done = staff.post(f"/staff/doi-thoai/cam-ket/{ours}/hoan-thanh", data={"csrf": token, "text": evidence})
    assert done.status_code == 303
    page = staff.get(done.headers["location"]).text
    assert "Đã thực hiện đúng hạn" in page and evidence in page
    assert f"/staff/doi-thoai/cam-ket/{ours}/" not in page  # nothing left to do on it
    with database.session() as session:
        assert session.get(Commitment, ours).state == CommitmentState.done
        assert session.get(Commitment, theirs).state == CommitmentState.open

    everything = signed_in(app, account(database, Role.observer)).get("/staff/doi-thoai/cam-ket").text
    assert "Rút ngắn thời gian hoàn thuế" in everything and "Công khai danh mục dự án" in everything
    assert "/tien-do" not in everything and "/hoan-thanh" not in everything


def test_the_public_page_lists_sessions_and_publishes_minutes_without_personal_data(app, database) -> None:
    supervisor = signed_in(app, account(database, Role.supervisor))
    upcoming = create_session(supervisor, "Đối thoại về hải quan tháng 12")
    held = create_session(supervisor, "Đối thoại thuế quý III", starts_in=timedelta(days=2))
    register(database, held)
    token = csrf(supervisor.get("/staff/doi-thoai").text)
    supervisor.post(f"/staff/doi-thoai/{held}/lap-chuong-trinh", data={"csrf": token})
    item = item_ids(database, held, "question")[0]
    answer = "Thuế Thành phố đã giải quyết hồ sơ, doanh nghiệp nhận tiền hoàn trong tuần."
    promise = "Rà soát toàn bộ hồ sơ hoàn thuế tồn đọng"
    for action, data in (
        ("tra-loi", {"department": "CUC_THUE", "answer": answer}),
        ("cam-ket", {"department": "CUC_THUE", "promise": promise, "working_days": "20"}),
    ):
        response = supervisor.post(f"/staff/doi-thoai/{held}/muc/{item}/{action}", data={"csrf": token, **data})
        assert response.status_code == 303
    with database.session() as session:  # a promise of the same session whose deadline has passed
        commitments.make(
            session,
            session.get(DialogueSession, held),
            department="SO_KHDT",
            promise="Công bố quy trình cấp giấy phép mới",
            due_at=datetime.now(UTC) - timedelta(days=1),
            calendar=WorkingCalendar.load(),
            actor="organiser",
            now=datetime.now(UTC) - timedelta(days=30),
        )

    public = TestClient(app, follow_redirects=False)
    assert (
        supervisor.post(f"/staff/doi-thoai/{held}/trang-thai", data={"csrf": token, "state": "held"}).status_code == 303
    )
    unpublished = public.get(f"/doi-thoai/{held}")
    assert unpublished.status_code == 404 and "chưa được công bố" in unpublished.text
    assert f'href="/doi-thoai/{held}"' not in public.get("/doi-thoai").text

    published = supervisor.post(f"/staff/doi-thoai/{held}/cong-bo", data={"csrf": token})
    assert published.status_code == 303
    assert "Đã phê duyệt và công bố biên bản" in supervisor.get(published.headers["location"]).text
    late = supervisor.post(
        f"/staff/doi-thoai/{held}/muc/{item}/tra-loi", data={"csrf": token, "department": "CUC_THUE", "answer": "Sửa"}
    )
    assert late.status_code == 409 and "Biên bản đã công bố" in late.text

    listing = public.get("/doi-thoai")
    assert listing.status_code == 200
    text = listing.text
    assert "Đối thoại về hải quan tháng 12" in text and "Đang nhận đăng ký câu hỏi" in text and "/doithoai" in text
    assert f'href="/doi-thoai/{upcoming}"' not in text and f'href="/doi-thoai/{held}"' in text
    assert "Đang thực hiện: 1 cam kết" in text and "Quá hạn: 1 cam kết" in text

    minutes = public.get(f"/doi-thoai/{held}")
    assert minutes.status_code == 200
    text = minutes.text
    assert "Câu hỏi của doanh nghiệp" in text and answer in text and promise in text
    assert "Thuế Thành phố Hồ Chí Minh" in text and "Sở Tài chính Thành phố Hồ Chí Minh" in text
    assert "Đang thực hiện" in text and "Quá hạn" in text
    assert re.search(r"Câu hỏi doanh nghiệp đăng ký</dt><dd[^>]*>1<", text)
    for page in (listing.text, minutes.text):
        for secret in ("An Phát", TAX_CODE, "0903123456", "Hồ sơ hoàn thuế GTGT nộp từ tháng 3"):
            assert secret not in page
