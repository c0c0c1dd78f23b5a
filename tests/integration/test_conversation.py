"""Whole conversations as people really type them, turn by turn, with the real NLU, knowledge and database:
keywords, follow-ups, "có" and "không", several questions at once, a change of subject, questions about the
plan. On the web chat through the engine; `test_telegram.py` plays one through the webhook and the fake Bot
API."""

from __future__ import annotations

from tests.transcript import Chat, verify_dialog

ANSWER_BUTTONS = ["Hữu ích", "Chưa đúng", "Gửi phản ánh"]


def test_a_keyword_gets_its_topic_menu_and_an_entry_is_chosen_from_it(services) -> None:
    chat = Chat(services.engine)
    assert chat.say("ngân hàng").startswith("Về lĩnh vực «Tín dụng, ngân hàng», quý doanh nghiệp muốn hỏi")
    assert 2 <= len(chat.buttons) <= 5 and chat.buttons[-1] == "Gửi phản ánh"
    first = chat.buttons[0]
    answer = chat.press(first)
    assert "Nguồn:" in answer and "Chi nhánh Khu vực 2" in answer and chat.buttons == ANSWER_BUTTONS
    unaccented = Chat(services.engine, user="another")
    assert unaccented.say("ngan hang").startswith("Về lĩnh vực «Tín dụng, ngân hàng»")


def test_a_follow_up_is_read_with_the_question_before_it_and_a_new_subject_is_not(services) -> None:
    chat = Chat(services.engine)
    verify_dialog(
        chat,
        [
            ("Đăng ký sử dụng hóa đơn điện tử như thế nào?", ["91/2026/TT-BTC", "Nguồn:"]),
            ("lập sai thì sửa sao?", "Quý doanh nghiệp muốn hỏi về nội dung nào"),
        ],
    )
    assert "Hóa đơn điện tử đã lập bị sai thì xử lý thế nào?"[:30] in chat.buttons[0]
    assert "Nguồn:" in chat.press(chat.buttons[0])
    assert chat.say("thời tiết hôm nay thế nào").startswith("Xin lỗi, câu hỏi này nằm ngoài phạm vi")
    alone = Chat(services.engine, user="another")
    assert alone.say("lập sai thì sửa sao?").startswith("Xin lỗi, câu hỏi này nằm ngoài phạm vi")
    new_subject = chat.say("thu tuc xin giay phep xay dung nha xuong the nao")
    assert "Luật Xây dựng" in new_subject and chat.buttons == ANSWER_BUTTONS


def test_a_bare_question_about_a_detail_is_answered_from_the_entry_just_given(services) -> None:
    chat = Chat(services.engine)
    whole = chat.say("Đăng ký sử dụng hóa đơn điện tử như thế nào?")
    detail = chat.say("mất bao lâu?")
    assert detail.startswith("Trong 1 ngày làm việc") and "91/2026/TT-BTC" in detail
    assert len(detail) < len(whole) and chat.buttons == ANSWER_BUTTONS
    assert "miễn phí" in chat.say("lệ phí bao nhiêu")


def test_yes_and_no_are_read_against_what_was_just_offered(services) -> None:
    chat = Chat(services.engine)
    verify_dialog(
        chat,
        [
            ("hàng xóm ồn quá", "nằm ngoài phạm vi"),
            ("có", "Rất vui được hỗ trợ"),
            ("hoàn thuế GTGT cần hồ sơ gì?", "Nguồn:"),
            ("ok", "Rất vui được hỗ trợ"),  # beside an answer, a yes files nothing
            ("hoàn thuế GTGT cần hồ sơ gì?", "Nguồn:"),
            ("[Chưa đúng]", "Xin lỗi vì câu trả lời chưa đúng ý"),
            ("không", "Dạ. Quý doanh nghiệp cần hỏi gì thêm"),
            ("hoàn thuế GTGT cần hồ sơ gì?", "Nguồn:"),
            ("[Chưa đúng]", "Xin lỗi vì câu trả lời chưa đúng ý"),
            ("có", ["Nội dung phản ánh:", "hoàn thuế GTGT cần hồ sơ gì?"]),
        ],
    )


def test_two_questions_in_one_message_are_answered_one_by_one(services) -> None:
    chat = Chat(services.engine)
    chat.say("Đăng ký hộ kinh doanh ở đâu? Hóa đơn điện tử đã lập bị sai thì xử lý thế nào?")
    assert [reply.text.split("\n")[0] for reply in chat.replies] == [
        "Về «Đăng ký hộ kinh doanh ở đâu»:",
        "Về «Hóa đơn điện tử đã lập bị sai thì xử lý thế nào»:",
    ]
    assert all("Nguồn:" in reply.text for reply in chat.replies) and chat.buttons == ANSWER_BUTTONS


def test_one_question_with_and_in_it_gets_one_answer(services) -> None:
    chat = Chat(services.engine)
    for question in (
        "Doanh nghiệp nhỏ và vừa được nhà nước hỗ trợ pháp lý những gì?",  # a name, not two questions
        "Hồ sơ đề nghị cấp giấy phép xây dựng gồm những gì, nộp ở đâu?",  # its second part is a detail of it
        "Đăng ký hộ kinh doanh ở đâu và cần giấy tờ gì?",
    ):
        chat.say(question)
        assert len(chat.replies) == 1 and "Nguồn:" in chat.replies[0].text and chat.buttons == ANSWER_BUTTONS


def test_two_questions_on_one_subject_are_not_both_given_its_entry(services) -> None:
    chat = Chat(services.engine)
    chat.say("cho hỏi thủ tục giải thể và quyết toán thuế khi giải thể")
    first, second = chat.replies
    assert first.text.startswith("Về «cho hỏi thủ tục giải thể»:") and "Điều 207 Luật Doanh nghiệp" in first.text
    assert second.text.startswith("Về «quyết toán thuế khi giải thể», Đồng hành chưa tìm được câu trả lời chắc chắn")
    assert any(title.startswith("Quyết toán thuế thu nhập doanh nghiệp") for title in chat.buttons)


def test_a_question_about_the_plan_is_answered_from_its_section_around_the_sentence(services) -> None:
    chat = Chat(services.engine)
    answer = chat.say("Sở Kế hoạch và Đầu tư được giao tham mưu tháo gỡ bao nhiêu dự án vướng mắc?")
    assert "174 dự án" in answer and "mục III.2.2.2" in answer
    assert len(answer.split("\n\nNguồn:")[0]) <= 900
    signed = Chat(services.engine, user="official").say("Ai là người ký ban hành kế hoạch chủ đề năm 2022?")
    assert "Lê Hòa Bình" in signed and "phần kết (nơi nhận, người ký)" in signed
    monitored = Chat(services.engine, user="another").say("Cơ quan nào theo dõi, đôn đốc việc thực hiện kế hoạch?")
    assert "mục IV.2" in monitored and "Sở Nội vụ" in monitored
    # typed without diacritics: the section whose sentence names the index, not the one about the investment climate
    index = Chat(services.engine, user="unaccented").say("ke hoach nam 2022 giao ai lam chi so dcci")
    assert "mục II.3.3" in index and "DCCI" in index
