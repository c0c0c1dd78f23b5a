"""The dialogue engine as a business meets it, on the web chat, with the real NLU, knowledge and database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.messages import IncomingMessage
from tests.transcript import Chat, verify_dialog
from tickets.domain import services as tickets
from tickets.storage.models import (
    Conversation,
    OutboxMessage,
    Ticket,
    TicketEvent,
    TicketState,
    TranscriptMessage,
    User,
)

TAX_QUESTION = "Hóa đơn điện tử lập sai thì xử lý thế nào?"
FILING = [
    ("/phananh", "mô tả vấn đề"),
    ("Hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 đến nay Chi cục Thuế chưa giải quyết", "Tên doanh nghiệp"),
    ("Công ty TNHH Thương mại Minh An", "Mã số thuế"),
    ("0312345678", ["chưa đúng", "ví dụ: 0312345673"]),
    ("0312345673", "Số điện thoại hoặc email"),
    ("0901234567", "phường, xã nào"),
    ("quan binh thanh", "địa bàn Quận Bình Thạnh cũ thuộc các phường, xã sau"),
    (
        "[Phường Gia Định]",
        ["Xin kiểm tra lại", "Thuế Thành phố Hồ Chí Minh", "0312345673", "Phường Gia Định", "+84901234567"],
    ),
    ("[Xác nhận gửi]", ["Đã tiếp nhận phản ánh PA-2026-", "Hạn trả lời:", "10 ngày làm việc"]),
]


def _ticket(services, code: str | None = None) -> Ticket:
    with services.database.session() as session:
        query = select(Ticket).where(Ticket.code == code) if code else select(Ticket)
        return session.exec(query).one()


def _staff(services, department: str = "CUC_THUE") -> User:
    from tickets.domain.accounts import create_user
    from tickets.storage.models import Role

    return create_user(
        services.database,
        username="canbo.thue",
        password="mat-khau-du-dai-123",
        role=Role.staff,
        department=department,
        known_departments={department},
    )


def test_an_accented_and_an_unaccented_question_are_answered_with_source_and_buttons(services) -> None:
    chat = Chat(services.engine)
    for question in (TAX_QUESTION, "hoa don dien tu lap sai thi xu ly the nao"):
        answer = chat.say(question)
        assert "254/2026/NĐ-CP" in answer
        assert "Nguồn:" in answer and "Đơn vị phụ trách: Thuế Thành phố Hồ Chí Minh" in answer
        assert chat.buttons == ["Hữu ích", "Chưa đúng", "Gửi phản ánh"]
    assert "Cảm ơn" in chat.press("Hữu ích")


def test_greeting_help_out_of_scope_and_asking_for_a_person(services) -> None:
    verify_dialog(
        Chat(services.engine),
        [
            ("xin chào", ["Đồng hành", "PA-2026-000123"]),
            ("/help", "/phananh"),
            ("Cách nấu phở bò ngon?", "ngoài phạm vi"),
            ("cho tôi gặp cán bộ", "cán bộ phụ trách"),
            ("/huy", "không có thao tác"),
        ],
    )


def test_a_full_filing_with_a_wrong_tax_code_corrected_gives_a_ticket_with_its_deadline(services) -> None:
    chat = Chat(services.engine)
    verify_dialog(chat, FILING)
    ticket = _ticket(services)
    assert ticket.code in chat.text
    assert (ticket.topic, ticket.department, ticket.state) == ("thue", "CUC_THUE", TicketState.moi)
    assert (ticket.tax_code, ticket.contact, ticket.ward, ticket.district) == (
        "0312345673",
        "+84901234567",
        "Phường Gia Định",
        None,
    )
    assert ticket.due_at > ticket.acknowledge_due > ticket.created_at
    assert ticket.due_at.astimezone(UTC).strftime("%d/%m/%Y") in chat.text or "Hạn trả lời" in chat.text


def test_the_description_is_taken_from_the_question_and_can_be_edited_from_the_summary(services) -> None:
    chat = Chat(services.engine)
    chat.say("Hoàn thuế GTGT cho doanh nghiệp xuất khẩu mất bao lâu?")
    verify_dialog(
        chat,
        [
            ("[Gửi phản ánh]", "«Hoàn thuế GTGT cho doanh nghiệp xuất khẩu mất bao lâu?»"),
            ("[Giữ nguyên]", "Tên doanh nghiệp"),
            ("Công ty Cổ phần Sao Mai", "Mã số thuế"),
            ("0312345673-001", "Số điện thoại"),
            ("ketoan@saomai.vn", "phường, xã"),
            ("3", "địa bàn Quận 3 cũ"),
            ("tan dihn", "Có phải ý quý doanh nghiệp"),
            ("[Phường Tân Định]", ["Phường Tân Định", "ketoan@saomai.vn", "0312345673-001"]),
            ("[Sửa nội dung]", "gõ nội dung khác"),
            ("Hồ sơ hoàn thuế xuất khẩu quý 2 của công ty đã quá hạn mà chưa được giải quyết", "Xin kiểm tra lại"),
            ("[Xác nhận gửi]", "Đã tiếp nhận phản ánh"),
        ],
    )
    assert _ticket(services).description.startswith("Hồ sơ hoàn thuế xuất khẩu quý 2")


def test_cancelling_halfway_files_nothing_and_forgets_the_form(services) -> None:
    chat = Chat(services.engine)
    verify_dialog(chat, [*FILING[:3], ("/huy", "Đã hủy"), ("/huy", "không có thao tác")])
    with services.database.session() as session:
        assert session.exec(select(Ticket)).all() == []
        conversation = session.exec(select(Conversation)).one()
    assert conversation.state == "idle" and "form" not in conversation.context


def test_a_restart_in_the_middle_of_filing_loses_nothing(services) -> None:
    from bot.dialogue.engine import DialogueEngine
    from bot.dialogue.store import SqlStore

    verify_dialog(Chat(services.engine), FILING[:4])
    restarted = DialogueEngine(
        stores=SqlStore.opener(services.database),
        nlu=lambda: services.nlu,
        knowledge=services.knowledge,
        catalog=services.catalog,
        deadlines=services.calendar,
        identifies_user=services.channels.identifies_user,
    )
    verify_dialog(Chat(restarted), FILING[4:])
    assert _ticket(services).company_name == "Công ty TNHH Thương mại Minh An"


def test_status_shows_one_own_ticket_and_never_someone_elses(services) -> None:
    owner = Chat(services.engine, user="owner")
    verify_dialog(owner, FILING)
    code = _ticket(services).code
    verify_dialog(
        owner,
        [
            (f"tra cứu {code}", ["Mới tiếp nhận", "Thuế Thành phố Hồ Chí Minh", "Trả lời gần nhất: chưa có"]),
            (code, code),
        ],
    )
    stranger = Chat(services.engine, user="stranger")
    assert "Không tìm thấy" in stranger.say(f"tra cứu {code}")
    assert "Mới tiếp nhận" not in stranger.text
    other_channel = Chat(services.engine, channel="zalo", user="owner")
    assert "Không tìm thấy" in other_channel.say(f"/tracuu {code}")


def test_a_staff_reply_reaches_the_business_who_answers_into_the_ticket_and_rates_it(services) -> None:
    chat = Chat(services.engine)
    verify_dialog(chat, FILING)
    staff = _staff(services)
    now = datetime.now(UTC)
    with services.database.session() as session:
        ticket = session.exec(select(Ticket)).one()
        tickets.request_info(
            session,
            ticket=ticket,
            actor=staff,
            text="Xin gửi số và ngày của hồ sơ hoàn thuế.",
            department_name="Thuế Thành phố Hồ Chí Minh",
            now=now,
        )
    with services.database.session() as session:
        notice = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "request_info")).one()
    assert "Xin gửi số và ngày" in notice.text and notice.user_key == "business-1"
    chat.replies = []
    verify_dialog(
        chat,
        [
            ("1", "Xin nhập nội dung gửi thêm"),  # the notice's only button, chosen by its number
            ("Hồ sơ số 123/HT nộp ngày 15/3/2026", "Đã chuyển nội dung vào phản ánh"),
        ],
    )
    with services.database.session() as session:
        ticket = session.exec(select(Ticket)).one()
        assert ticket.state == TicketState.dang_xu_ly
        tickets.resolve(
            session,
            ticket=ticket,
            actor=staff,
            text="Hồ sơ đã được giải quyết ngày 20/11.",
            department_name="Thuế Thành phố Hồ Chí Minh",
            now=datetime.now(UTC),
        )
    verify_dialog(chat, [("4", "đánh giá 4/5"), ("Cán bộ trả lời nhanh", "Cảm ơn góp ý")])
    ticket = _ticket(services)
    assert (ticket.state, ticket.rating, ticket.rating_comment) == (TicketState.dong, 4, "Cán bộ trả lời nhanh")
    with services.database.session() as session:
        kinds = [e.kind for e in session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))]
    assert {"created", "request_info", "business_message", "resolve", "rate", "rating_comment"} <= set(kinds)


def test_a_ten_thousand_character_message_is_refused_politely_and_kept(services) -> None:
    chat = Chat(services.engine)
    message = "thuế " * 2000
    assert "dài quá 4096 ký tự" in chat.say(message)
    with services.database.session() as session:
        kept = session.exec(select(TranscriptMessage).where(TranscriptMessage.direction == "in")).one()
    assert kept.text == message


def test_replies_for_async_channels_go_to_the_outbox(services) -> None:
    services.engine.handle(IncomingMessage("telegram", "42", text="/start"), deliver=True)
    with services.database.session() as session:
        queued = session.exec(select(OutboxMessage)).all()
    assert [(m.channel, m.user_key, m.state) for m in queued] == [("telegram", "42", "pending")]
    assert "Đồng hành" in queued[0].text and queued[0].buttons[0] == ["Gửi phản ánh", "file"]


def test_a_second_filing_reuses_the_business_details(services) -> None:
    chat = Chat(services.engine)
    verify_dialog(chat, FILING)
    verify_dialog(
        chat,
        [
            ("/phananh", "mô tả vấn đề"),
            ("Tờ khai hải quan hàng nhập khẩu bị giữ ở cảng Cát Lái ba tuần chưa thông quan", "Tên doanh nghiệp"),
            (
                "[Dùng lại: Công ty TNHH Thương mại Minh An]",
                ["Xin kiểm tra lại", "Chi cục Hải quan khu vực II", "0312345673", "Phường Gia Định"],
            ),
            ("[Xác nhận gửi]", "Đã tiếp nhận phản ánh PA-2026-"),
        ],
    )
    with services.database.session() as session:
        filed = session.exec(select(Ticket).order_by(Ticket.id)).all()
    assert [(t.department, t.tax_code) for t in filed] == [("CUC_THUE", "0312345673"), ("CUC_HAI_QUAN", "0312345673")]
    assert filed[0].code != filed[1].code


def test_when_the_nlu_cannot_tell_the_topic_the_business_chooses_it(services) -> None:
    chat = Chat(services.engine)
    chat.say("/phananh")
    assert "Phản ánh này thuộc lĩnh vực nào?" in chat.say("Công ty tôi gặp khó khăn cần được hỗ trợ giải quyết sớm")
    offered = chat.buttons
    assert 2 <= len(offered) <= 4 and offered[-1] == "Hủy"
    assert "Tên doanh nghiệp" in chat.press(offered[0])
    verify_dialog(
        chat,
        [
            ("Công ty TNHH Minh An", "Mã số thuế"),
            ("0312345673", "Số điện thoại"),
            ("0901234567", "phường, xã"),
            ("Phường Vườn Lài", f"Lĩnh vực: {offered[0]}"),
            ("[Xác nhận gửi]", "Đã tiếp nhận"),
        ],
    )
    topic = next(code for code, t in services.catalog.topics.items() if t.name == offered[0])
    assert _ticket(services).topic == topic


def test_a_food_safety_problem_goes_to_the_food_safety_department(services) -> None:
    chat = Chat(services.engine)
    verify_dialog(
        chat,
        [
            ("/phananh", "mô tả vấn đề"),
            (
                "Bếp ăn tập thể của công ty bị nghi ngộ độc thực phẩm, đề nghị cơ quan an toàn thực "
                "phẩm hướng dẫn xử lý",
                "Tên doanh nghiệp",
            ),
            ("Công ty TNHH Suất Ăn Minh An", "Mã số thuế"),
            ("0312345673", "Số điện thoại"),
            ("0901234567", "phường, xã"),
            ("p. tân định", ["Sở An toàn thực phẩm Thành phố Hồ Chí Minh", "Phường Tân Định"]),
            ("[Xác nhận gửi]", ["Đã tiếp nhận phản ánh", "Sở An toàn thực phẩm"]),
        ],
    )
    ticket = _ticket(services)
    assert (ticket.topic, ticket.department, ticket.ward) == ("y_te", "SO_ATTP", "Phường Tân Định")


def test_a_conversation_left_at_the_old_district_step_goes_on_with_wards(services) -> None:
    chat = Chat(services.engine)
    verify_dialog(chat, FILING[:6])
    with services.database.session() as session:
        conversation = session.exec(select(Conversation)).one()
        conversation.state = "filing_district"  # as stored before wards replaced districts
        session.add(conversation)
    verify_dialog(chat, [("Phường Gia Định", "Xin kiểm tra lại"), ("[Xác nhận gửi]", "Đã tiếp nhận phản ánh")])
    assert _ticket(services).ward == "Phường Gia Định"


def test_a_business_remembered_with_a_district_is_asked_its_ward(services) -> None:
    chat = Chat(services.engine)
    chat.say("/start")
    with services.database.session() as session:
        conversation = session.exec(select(Conversation)).one()
        conversation.context = {
            "business": {
                "company_name": "Công ty TNHH Minh An",
                "tax_code": "0312345673",
                "contact": None,
                "district": "Quận 3",
            }
        }
        session.add(conversation)
    verify_dialog(
        chat,
        [
            ("/phananh", "mô tả vấn đề"),
            ("Hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 đến nay chưa được giải quyết", "Tên doanh nghiệp"),
            ("[Dùng lại: Công ty TNHH Minh An]", "phường, xã nào"),
            ("Bàn Cờ", ["Xin kiểm tra lại", "Phường Bàn Cờ"]),
        ],
    )


def _answer_ticket(services, *, days_ago: int) -> tuple[Ticket, str]:
    """File the FILING ticket, have Cục Thuế answer it `days_ago` days ago; the answer notice's reopen button
    payload."""
    chat = Chat(services.engine)
    verify_dialog(chat, FILING)
    staff = _staff(services)
    with services.database.session() as session:
        ticket = session.exec(select(Ticket)).one()
        tickets.resolve(
            session,
            ticket=ticket,
            actor=staff,
            text="Hồ sơ đã được giải quyết.",
            department_name="Thuế Thành phố Hồ Chí Minh",
            now=datetime.now(UTC) - timedelta(days=days_ago),
        )
        notice = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "resolution")).one()
    assert "mở lại phản ánh trong 7 ngày" in notice.text
    ((title, payload),) = notice.buttons
    assert title == "Mở lại phản ánh"
    return ticket, payload


def test_a_business_reopens_an_answer_that_did_not_solve_it_within_seven_days(services) -> None:
    ticket, reopen = _answer_ticket(services, days_ago=2)
    chat = Chat(services.engine)
    assert "Đã mở lại phản ánh" in chat.tap(reopen)
    verify_dialog(chat, [("Chi cục vẫn chưa trả tiền hoàn thuế", "Đã chuyển nội dung vào phản ánh")])
    reopened = _ticket(services)
    assert (reopened.state, reopened.reopen_count, reopened.resolved_at) == (TicketState.dang_xu_ly, 1, None)
    with services.database.session() as session:
        kinds = [e.kind for e in session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))]
    assert kinds[-3:] == ["state", "reopen", "business_message"]


def test_an_answer_older_than_seven_days_cannot_be_reopened_and_the_sweep_closes_it(services) -> None:
    from tickets.domain import escalation

    _answered, reopen = _answer_ticket(services, days_ago=8)
    chat = Chat(services.engine)
    assert "không mở lại được" in chat.tap(reopen)
    assert _ticket(services).state == TicketState.da_tra_loi
    assert escalation.run_once(services.database, now=datetime.now(UTC)).closed == 1
    closed = _ticket(services)
    assert closed.state == TicketState.dong and closed.closed_at is not None
