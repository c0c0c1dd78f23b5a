"""The staff console (/staff): sign-in, department scoping, actions, masking and the usual web attacks.

Runs the real app (FastAPI, templates, services) on SQLite and PostgreSQL through Starlette's test client.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from tickets.calendar.sla import WorkingCalendar
from tickets.domain import drafts
from tickets.domain import services as tickets
from tickets.domain.accounts import create_user
from tickets.storage.models import (
    Conversation,
    OutboxMessage,
    Role,
    Ticket,
    TicketEvent,
    TicketState,
    TranscriptMessage,
    User,
)

PASSWORD = "mat-khau-du-dai-123"
DEPARTMENTS = {"CUC_THUE", "SO_KHDT", "CUC_HAI_QUAN"}
_users = itertools.count()


@pytest.fixture
def app(services):
    from bot.app import create_app

    return create_app(services, warm_up=False)


def file_ticket(
    database,
    *,
    department: str = "CUC_THUE",
    topic: str = "thue",
    description: str = "Hồ sơ hoàn thuế nộp từ tháng 3 chưa có kết quả",
    company: str = "Công ty TNHH An Phát",
    tax_code: str = "0312345673",
    contact: str | None = "0903123456",
    user_key: str | None = None,
    days_ago: int = 0,
) -> Ticket:
    now = datetime.now(UTC) - timedelta(days=days_ago)
    with database.session() as session:
        conversation = Conversation(
            channel="telegram", user_key=user_key or f"tg-{next(_users)}", created_at=now, updated_at=now
        )
        session.add(conversation)
        session.flush()
        return tickets.open_ticket(
            session,
            conversation=conversation,
            topic=topic,
            department=department,
            description=description,
            company_name=company,
            tax_code=tax_code,
            contact=contact,
            ward="Phường Sài Gòn",
            now=now,
            deadlines=WorkingCalendar.load(),
        )


def account(database, role: Role, department: str | None = None) -> str:
    username = f"{role.value}.{(department or 'all').lower()}.{next(_users)}"
    create_user(
        database, username=username, password=PASSWORD, role=role, department=department, known_departments=DEPARTMENTS
    )
    return username


def log_in(client: TestClient, username: str, password: str = PASSWORD):
    """Fill the sign-in form as a browser does: its CSRF token comes with the page."""
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/staff/login").text).group(1)
    return client.post("/staff/login", data={"username": username, "password": password, "csrf": token})


def signed_in(app, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    response = log_in(client, username)
    assert response.status_code == 303, response.text
    return client


def csrf_of(client: TestClient, code: str) -> str:
    page = client.get(f"/staff/tickets/{code}").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_a_wrong_password_is_refused_in_vietnamese_and_five_lock_the_account(app, database) -> None:
    username = account(database, Role.staff, "CUC_THUE")
    client = TestClient(app, follow_redirects=False)
    for _ in range(4):
        refused = log_in(client, username, "sai-mat-khau-roi")
        assert refused.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng" in refused.text
    locked = log_in(client, username, "sai-mat-khau-roi")
    assert "tạm khóa" in locked.text
    still_locked = log_in(client, username)
    assert still_locked.status_code == 401 and "tạm khóa" in still_locked.text
    unknown = log_in(client, "khong.ton.tai")
    assert unknown.status_code == 401 and "không đúng" in unknown.text


def test_a_sign_in_posted_without_the_form_token_is_refused(app, database) -> None:
    username = account(database, Role.staff, "CUC_THUE")
    client = TestClient(app, follow_redirects=False)
    client.get("/staff/login")
    forged = client.post("/staff/login", data={"username": username, "password": PASSWORD, "csrf": "tu-trang-khac"})
    assert forged.status_code == 403 and "Phiên làm việc không hợp lệ" in forged.text
    assert "donghanh_staff" not in forged.headers.get("set-cookie", "")


def test_the_session_cookie_is_httponly_and_strict_and_signing_out_ends_it(app, database) -> None:
    client = TestClient(app, follow_redirects=False)
    response = log_in(client, account(database, Role.supervisor))
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("donghanh_staff=")).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/staff" in cookie
    queue = client.get("/staff")
    assert queue.status_code == 200 and "Phản ánh cần xử lý" in queue.text
    token = re.search(r'name="csrf" value="([^"]+)"', queue.text).group(1)
    stolen = dict(client.cookies)
    assert client.post("/staff/logout", data={"csrf": token}).headers["location"] == "/staff/login"
    replay = TestClient(app, follow_redirects=False, cookies=stolen)
    assert replay.get("/staff").headers["location"] == "/staff/login"


def test_an_officer_sees_only_the_department_queue_ordered_by_deadline(app, database) -> None:
    late = file_ticket(database, days_ago=20, company="Công ty Quá Hạn")
    fresh = file_ticket(database, company="Công ty Mới Gửi")
    other = file_ticket(database, department="SO_KHDT", topic="dang_ky_kinh_doanh", company="Công ty Đăng Ký")
    with database.session() as session:  # 80 % of the fresh ticket's working time is used up
        stored = session.get(Ticket, fresh.id)
        stored.warn_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(stored)
    client = signed_in(app, account(database, Role.staff, "CUC_THUE"))
    page = client.get("/staff").text
    assert late.code in page and fresh.code in page and other.code not in page
    assert page.index(late.code) < page.index(fresh.code)

    def row(code: str) -> str:
        return page.split(f">{code}</a>")[1].split("</tr>")[0]

    assert "Quá hạn" in row(late.code) and "Sắp đến hạn" not in row(late.code)
    assert "Sắp đến hạn" in row(fresh.code) and "Quá hạn" not in row(fresh.code)
    only_late = client.get("/staff", params={"overdue": "1"}).text
    assert late.code in only_late and fresh.code not in only_late
    assert client.get(f"/staff/tickets/{other.code}").status_code == 404


def test_the_queue_shows_the_open_work_by_deadline_and_answered_tickets_one_filter_away(app, database) -> None:
    closed = file_ticket(database, days_ago=365, company="Công ty Đã Đóng")
    answered = file_ticket(database, days_ago=200, company="Công ty Đã Trả Lời")
    waiting = file_ticket(database, days_ago=10, company="Công ty Chờ Bổ Sung")
    working = file_ticket(database, days_ago=3, company="Công ty Đang Xử Lý")
    new = file_ticket(database, company="Công ty Mới Gửi")
    username = account(database, Role.staff, "CUC_THUE")
    with database.session() as session:
        officer = session.exec(select(User).where(User.username == username)).one()
        now = datetime.now(UTC)
        changes = [(closed, tickets.resolve), (answered, tickets.resolve), (waiting, tickets.request_info)]
        for ticket, change in [*changes, (working, tickets.reply)]:
            stored = session.get(Ticket, ticket.id)
            change(session, ticket=stored, actor=officer, text="Nội dung", department_name="Thuế", now=now)
        tickets.rate(session, ticket=session.get(Ticket, closed.id), score=4, now=now)
    client = signed_in(app, username)

    def listed(page: str) -> list[str]:
        return re.findall(r'<a href="/staff/tickets/(PA-[^"]+)">', page)

    page = client.get("/staff").text
    assert listed(page) == [waiting.code, working.code, new.code]
    assert '<option value="" selected>' in page and '<option value="all" >' in page
    assert listed(client.get("/staff", params={"state": "khong-co"}).text) == [waiting.code, working.code, new.code]
    everything = client.get("/staff", params={"state": "all"}).text
    assert listed(everything) == [closed.code, answered.code, waiting.code, working.code, new.code]
    assert '<option value="all" selected>Tất cả trạng thái</option>' in everything
    assert '<option value="" >' in everything
    only_closed = client.get("/staff", params={"state": TicketState.dong.value}).text
    assert listed(only_closed) == [closed.code] and '<option value="dong" selected>Đã đóng</option>' in only_closed


def test_a_reply_reaches_the_business_outbox_and_a_note_stays_inside(app, database) -> None:
    ticket = file_ticket(database)
    client = signed_in(app, account(database, Role.staff, "CUC_THUE"))
    token = csrf_of(client, ticket.code)
    note = client.post(
        f"/staff/tickets/{ticket.code}/note", data={"csrf": token, "text": "Đã gọi điện cho Chi cục, chờ hồ sơ gốc"}
    )
    reply = client.post(
        f"/staff/tickets/{ticket.code}/reply", data={"csrf": token, "text": "Cục Thuế đã nhận, sẽ trả lời trong tuần."}
    )
    assert note.status_code == reply.status_code == 303
    page = client.get(reply.headers["location"]).text
    assert "Đã gửi trả lời cho doanh nghiệp." in page and "Đang xử lý" in page and "Đã gọi điện cho Chi cục" in page
    with database.session() as session:
        sent = session.exec(select(OutboxMessage)).all()
    assert len(sent) == 1 and "Cục Thuế đã nhận" in sent[0].text and "Chi cục" not in sent[0].text


def test_a_button_press_in_the_conversation_shows_the_button_s_title_not_its_code(app, database) -> None:
    ticket = file_ticket(database)
    moment = itertools.count()
    start = datetime.now(UTC)

    def said(direction: str, text: str = "", *, payload: str | None = None, buttons: list | None = None):
        return TranscriptMessage(
            conversation_id=ticket.conversation_id,
            direction=direction,
            text=text,
            payload=payload,
            buttons=buttons,
            created_at=start + timedelta(seconds=next(moment)),
        )

    summary = [["Xác nhận gửi", "confirm"], ["Sửa nội dung", "edit"], ["Hủy", "cancel"]]
    with database.session() as session:
        session.add_all(
            [
                said("in", "Hồ sơ hoàn thuế nộp từ tháng 3 chưa có kết quả"),
                said("out", "Xin kiểm tra lại nội dung phản ánh.", buttons=summary),
                said("out", "Hoặc gõ nội dung mới để sửa."),  # a second message, without buttons
                said("in", payload="confirm"),  # as the web chat and Telegram store a press
                said("out", "Đã tiếp nhận phản ánh.", buttons=[["Hữu ích", "fb:up"], ["Chưa đúng", "fb:down"]]),
                said("in", "fb:down", payload="fb:down"),  # the press stored with a text equal to its payload
                said("out", "Xin lỗi quý doanh nghiệp."),
                said("in", "fb:up"),  # the text alone, the buttons two messages back
                said("in", payload=f"rate:{ticket.code}:4"),  # the rating prompt's buttons went out by the outbox
            ]
        )
    page = signed_in(app, account(database, Role.staff, "CUC_THUE")).get(f"/staff/tickets/{ticket.code}").text
    business = re.findall(r'<li class="in">.*?<span class="text">(.*?)</span>', page, re.S)
    assert business == [
        "Hồ sơ hoàn thuế nộp từ tháng 3 chưa có kết quả",
        "Xác nhận gửi",
        "Chưa đúng",
        "Hữu ích",
        f"Đánh giá 4/5 cho phản ánh {ticket.code}",
    ]


def test_a_form_without_its_csrf_token_is_refused(app, database) -> None:
    ticket = file_ticket(database)
    client = signed_in(app, account(database, Role.staff, "CUC_THUE"))
    for data in ({"text": "Trả lời"}, {"text": "Trả lời", "csrf": "gia-mao"}):
        refused = client.post(f"/staff/tickets/{ticket.code}/reply", data=data)
        assert refused.status_code == 403 and "Phiên làm việc không hợp lệ" in refused.text
    with database.session() as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_a_script_in_a_business_message_is_shown_as_text(app, database) -> None:
    ticket = file_ticket(database, description='<script>alert("xss")</script><img src=x onerror=alert(1)>')
    page = signed_in(app, account(database, Role.staff, "CUC_THUE")).get(f"/staff/tickets/{ticket.code}").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page


@pytest.mark.parametrize("search", ["' OR 1=1 --", "%", "_", "\\", "PA-%'; DROP TABLE tickets; --"])
def test_injection_strings_in_search_match_nothing_and_break_nothing(app, database, search: str) -> None:
    file_ticket(database)
    client = signed_in(app, account(database, Role.supervisor))
    page = client.get("/staff", params={"q": search})
    assert page.status_code == 200 and "Không có phản ánh nào khớp bộ lọc." in page.text
    assert "An Phát" in client.get("/staff", params={"q": "an phát"}).text
    with database.session() as session:
        assert len(session.exec(select(Ticket)).all()) == 1


def test_an_observer_reads_masked_personal_data_and_cannot_act(app, database) -> None:
    ticket = file_ticket(database, description="Liên hệ anh Nam 0903123456 hoặc nam@anphat.vn")
    client = signed_in(app, account(database, Role.observer))
    page = client.get(f"/staff/tickets/{ticket.code}").text
    for secret in ("0312345673", "0903123456", "nam@anphat.vn", "An Phát"):
        assert secret not in page
    assert "03******73" in page and "n***@anphat.vn" in page and "C*** t*** T*** A*** P***" in page
    assert "<textarea" not in page
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    refused = client.post(f"/staff/tickets/{ticket.code}/reply", data={"csrf": token, "text": "Không được gửi"})
    assert refused.status_code == 403 and "không có quyền" in refused.text


def test_a_supervisor_transfers_a_misrouted_ticket_with_its_history(app, database) -> None:
    ticket = file_ticket(database, description="Lô hàng nhập khẩu bị áp mã HS sai, thuế nhập khẩu tăng")
    supervisor = signed_in(app, account(database, Role.supervisor))
    token = csrf_of(supervisor, ticket.code)
    no_reason = supervisor.post(
        f"/staff/tickets/{ticket.code}/transfer", data={"csrf": token, "department": "CUC_HAI_QUAN", "reason": " "}
    )
    assert no_reason.status_code == 422 and "lý do" in no_reason.text
    moved = supervisor.post(
        f"/staff/tickets/{ticket.code}/transfer",
        data={"csrf": token, "department": "CUC_HAI_QUAN", "reason": "Thuế nhập khẩu thuộc Hải quan"},
    )
    assert moved.status_code == 303
    customs = signed_in(app, account(database, Role.staff, "CUC_HAI_QUAN"))
    page = customs.get(f"/staff/tickets/{ticket.code}").text
    assert (
        "Chuyển đơn vị" in page
        and "Thuế nhập khẩu thuộc Hải quan" in page
        and "Thuế Thành phố Hồ Chí Minh → Chi cục Hải quan khu vực II" in page
    )
    assert (
        signed_in(app, account(database, Role.staff, "CUC_THUE")).get(f"/staff/tickets/{ticket.code}").status_code
        == 404
    )
    with database.session() as session:
        stored = session.exec(select(Ticket).where(Ticket.code == ticket.code)).one()
        kinds = [e.kind for e in session.exec(select(TicketEvent).where(TicketEvent.ticket_id == stored.id))]
    assert stored.department == "CUC_HAI_QUAN" and stored.transfer_count == 1 and kinds == ["created", "transfer"]


# Every console route x every role x a ticket of the user's own department or of another one.
ROUTES = [
    "queue",
    "notifications",
    "drafts",
    "page",
    "reply",
    "request-info",
    "note",
    "resolve",
    "assign",
    "transfer",
    "propose",
    "draft-review",
]
ROLES = [
    (Role.staff, "CUC_THUE"),
    (Role.lead, "CUC_THUE"),
    (Role.supervisor, None),
    (Role.observer, None),
    (Role.admin, None),
]


def expected_status(role: Role, own: bool, route: str) -> int:
    if route in ("queue", "notifications"):
        return 200
    if route == "drafts":
        return 200 if role == Role.admin else 403
    if route == "draft-review":  # drafts are not a department's: only an admin reviews them
        return 303 if role == Role.admin else 403
    scoped = role in (Role.staff, Role.lead)
    if scoped and not own:
        return 404
    if route == "page":
        return 200
    if role == Role.observer or (route == "assign" and role == Role.staff):
        return 403
    return 303


def test_every_route_for_every_role_and_department(app, database) -> None:
    colleagues = {
        "CUC_THUE": account(database, Role.staff, "CUC_THUE"),
        "SO_KHDT": account(database, Role.staff, "SO_KHDT"),
    }
    with database.session() as session:
        ids = {d: session.exec(select(User).where(User.username == u)).one().id for d, u in colleagues.items()}
    anonymous = TestClient(app, follow_redirects=False)
    outcomes = []
    for role, department in ROLES:
        client = signed_in(app, account(database, role, department))
        for own, route in itertools.product((True, False), ROUTES):
            target = "CUC_THUE" if own else "SO_KHDT"
            ticket = file_ticket(database, department=target, topic="thue" if own else "dang_ky_kinh_doanh")
            draft_id = None
            if route in ("propose", "draft-review"):  # only an answered ticket can be proposed
                with database.session() as session:
                    stored, colleague = session.get(Ticket, ticket.id), session.get(User, ids[target])
                    tickets.resolve(
                        session,
                        ticket=stored,
                        actor=colleague,
                        text="Đã trả lời",
                        department_name="Cơ quan",
                        now=datetime.now(UTC),
                    )
                    if route == "draft-review":
                        draft_id = drafts.propose(
                            session,
                            ticket=stored,
                            actor=colleague,
                            question="Hỏi",
                            answer="Đáp",
                            sources="",
                            now=datetime.now(UTC),
                        ).id
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/staff").text).group(1)
            if route in ("queue", "notifications", "drafts"):
                status = client.get("/staff" if route == "queue" else f"/staff/{route}").status_code
            elif route == "page":
                status = client.get(f"/staff/tickets/{ticket.code}").status_code
            else:
                data = {
                    "csrf": token,
                    "text": "Nội dung xử lý",
                    "assignee": str(ids[target]),
                    "department": "CUC_HAI_QUAN",
                    "reason": "Sai đơn vị",
                    "question": "Câu hỏi",
                    "answer": "Câu trả lời",
                    "sources": "Luật Quản lý thuế số 38/2019/QH14",
                }
                target_url = f"/staff/drafts/{draft_id}/reject" if draft_id else f"/staff/tickets/{ticket.code}/{route}"
                status = client.post(target_url, data=data).status_code
            outcomes.append((role.value, own, route, status, expected_status(role, own, route)))
            if route not in ("queue", "notifications", "drafts"):
                assert anonymous.get(f"/staff/tickets/{ticket.code}").headers["location"] == "/staff/login"
                assert (
                    anonymous.post(f"/staff/tickets/{ticket.code}/reply", data={"text": "x"}).headers["location"]
                    == "/staff/login"
                )
    wrong = [o for o in outcomes if o[3] != o[4]]
    assert wrong == [], wrong
    assert len(outcomes) == len(ROLES) * 2 * len(ROUTES)


def test_the_first_admin_must_replace_the_one_time_password_before_anything_else(app, database) -> None:
    from tickets.domain.accounts import ensure_first_admin

    one_time = ensure_first_admin(database)
    client = TestClient(app, follow_redirects=False)
    assert log_in(client, "admin", one_time).headers["location"] == "/staff"
    assert client.get("/staff").headers["location"] == "/staff/password"
    form = client.get("/staff/password").text
    assert "mật khẩu tạm" in form
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    short = client.post("/staff/password", data={"csrf": token, "current": one_time, "new": "ngan", "confirm": "ngan"})
    assert short.status_code == 422 and "ít nhất 12 ký tự" in short.text
    changed = client.post(
        "/staff/password",
        data={"csrf": token, "current": one_time, "new": "mat-khau-moi-rat-dai", "confirm": "mat-khau-moi-rat-dai"},
    )
    assert changed.headers["location"] == "/staff"
    assert client.get("/staff").status_code == 200
    assert log_in(TestClient(app, follow_redirects=False), "admin", one_time).status_code == 401


def test_an_overdue_ticket_shows_in_the_lead_s_notifications(app, database) -> None:
    from tickets.domain import escalation

    ticket = file_ticket(database, days_ago=30)
    client = signed_in(app, account(database, Role.lead, "CUC_THUE"))
    escalation.run_once(database, now=datetime.now(UTC))
    assert '<span class="badge red">1</span>' in client.get("/staff").text
    page = client.get("/staff/notifications").text
    assert "Quá hạn xử lý" in page and ticket.code in page
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/staff/notifications/read", data={"csrf": token})
    assert "Không có thông báo mới." in client.get("/staff/notifications").text


# SQLite only: re-indexing costs over a minute, and the drafts' storage is the same plain ORM on both
# databases (the routes test runs the drafts pages on PostgreSQL).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_resolved_answer_becomes_an_faq_entry_the_assistant_answers_from(
    make_services, knowledge_base, database, tmp_path
) -> None:
    import shutil

    from bot.app import create_app
    from bot.bootstrap import build_knowledge
    from knowledge.catalog import load_catalog
    from knowledge.legal import load_register
    from knowledge.loader import load_plan

    kb_dir = tmp_path / "var" / "kb"
    shutil.copytree(
        knowledge_base.kb_dir, kb_dir
    )  # the vectors of the files' entries are reused; only the new entry is encoded
    services = make_services()
    services.knowledge = build_knowledge(
        services.settings,
        encoder=knowledge_base.encoder,
        catalog=load_catalog(),
        register=load_register(),
        plan=load_plan(),
        database=database,
    )
    app = create_app(services, warm_up=False)
    question = "Doanh nghiệp đóng cửa hàng xăng dầu tạm thời thì báo Chi cục Thuế nơi nào?"
    ticket = file_ticket(database, description=question)
    officer = signed_in(app, account(database, Role.staff, "CUC_THUE"))
    token = csrf_of(officer, ticket.code)
    officer.post(
        f"/staff/tickets/{ticket.code}/resolve",
        data={
            "csrf": token,
            "text": "Doanh nghiệp gửi thông báo tạm ngừng kinh doanh tới cơ quan thuế quản lý trực tiếp.",
        },
    )
    page = officer.get(f"/staff/tickets/{ticket.code}").text
    assert "Đề xuất thành câu hỏi thường gặp" in page and "gửi thông báo tạm ngừng kinh doanh" in page
    proposed = officer.post(
        f"/staff/tickets/{ticket.code}/propose",
        data={
            "csrf": token,
            "question": question,
            "answer": "Doanh nghiệp gửi thông báo tạm ngừng kinh doanh tới cơ quan thuế quản lý trực tiếp.",
            "sources": "Luật Quản lý thuế số 38/2019/QH14",
        },
    )
    assert proposed.status_code == 303
    assert officer.get("/staff/drafts").status_code == 403

    admin = signed_in(app, account(database, Role.admin))
    drafts_page = admin.get("/staff/drafts").text
    assert ticket.code.lower() in drafts_page
    draft_id = re.search(r'action="/staff/drafts/(\d+)/publish"', drafts_page).group(1)
    admin_token = re.search(r'name="csrf" value="([^"]+)"', drafts_page).group(1)
    fields = {
        "csrf": admin_token,
        "question": question,
        "answer": "Doanh nghiệp gửi thông báo tạm ngừng kinh doanh tới cơ quan thuế quản lý trực tiếp.",
        "sources": "Luật Quản lý thuế số 38/2019/QH14",
        "paraphrases": "tam dong cua cay xang bao thue o dau",
    }
    too_few = admin.post(f"/staff/drafts/{draft_id}/publish", data=fields)
    assert too_few.status_code == 422 and "ít nhất 3 cách hỏi" in too_few.text
    fields["paraphrases"] = (
        "tam dong cua cay xang bao thue o dau\n"
        "Cửa hàng xăng dầu nghỉ tạm thời có phải báo thuế không?\n"
        "Đóng cây xăng vài tháng thì thông báo cơ quan thuế nào?"
    )
    assert (
        admin.post(f"/staff/drafts/{draft_id}/publish", data=fields).headers["location"] == "/staff/drafts?done=publish"
    )
    answer = services.knowledge.ask("tam dong cua cay xang bao thue o dau")
    assert (
        answer.decision == "answer"
        and answer.citations[0].id == ticket.code.lower()
        and "tạm ngừng kinh doanh" in answer.answer
    )
