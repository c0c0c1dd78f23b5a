"""The shape of a message: its questions, whether it is a keyword, whether it points back, short replies."""

from __future__ import annotations

import pytest

from nlu.pipeline import short_replies, short_reply_key
from nlu.questions import detail_asked, is_keyword, leans_back, split_questions, states_detail


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Hoàn thuế GTGT cần hồ sơ gì? Nộp trễ tờ khai bị phạt thế nào?", 2),
        ("1) đăng ký hộ kinh doanh ở đâu 2) kê khai thuế thế nào 3) có cần con dấu không", 3),
        ("đăng ký hộ kinh doanh ở đâu;\nkê khai thuế hộ kinh doanh thế nào", 2),
        ("cho hỏi thủ tục giải thể và quyết toán thuế khi giải thể", 2),
        ("tam ngung kd cty thi phai thong bao truoc may ngay, con ho kd muon tam ngung thi lam o dau", 2),
        ("Thủ tục hoàn thuế giá trị gia tăng gồm những bước nào?", 1),
        ("hồ sơ và thủ tục hoàn thuế", 1),  # "hồ sơ" alone is no question
        ("Sở Kế hoạch và Đầu tư được giao tháo gỡ bao nhiêu dự án vướng mắc?", 1),  # a name, not two questions
        ("so tai nguyen va moi truong giai quyet ho so dat bao lau va phi bao nhieu", 2),
        ("Doanh nghiệp nhỏ và vừa được nhà nước hỗ trợ pháp lý những gì?", 1),
        ("Cần đáp ứng điều kiện gì về nhân sự và tên miền để được cấp phép trang tin?", 1),  # one question
        ("Giấy tờ ghi địa chỉ cũ có còn giá trị không?", 1),  # "còn" here is "still"
        ("Đất thuê 50 năm, còn hai năm nữa là hết thì gia hạn thế nào?", 1),
        ("Hồ sơ cấp giấy phép xây dựng gồm những gì và nộp ở đâu?", 2),
    ],
)
def test_a_message_is_cut_into_the_questions_it_asks(text: str, parts: int) -> None:
    assert len(split_questions(text)) == parts, split_questions(text)


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("lãi suất", True),
        ("hoa don dien tu", True),
        ("giấy phép xây dựng", True),
        ("chứng thực bản sao", True),  # "sao" here is a copy, not "why"
        ("hải quan", True),
        ("mất bao lâu?", False),
        ("thuế gì", False),
        ("lam online dc ko", False),
        ("Doanh nghiệp mới thành lập phải nộp những loại thuế nào?", False),
    ],
)
def test_a_keyword_is_a_few_words_asking_nothing(text: str, keyword: bool) -> None:
    assert is_keyword(text) is keyword


@pytest.mark.parametrize(
    ("text", "leans"),
    [
        ("còn hộ kinh doanh thì sao?", True),
        ("con ho kd thi sao", True),
        ("sau này muốn đóng nó thì làm sao", True),
        ("hộ kinh doanh", False),
        ("no xau", False),  # "nợ xấu", not "nó"
        ("nợ thuế", False),
    ],
)
def test_a_follow_up_that_points_back_is_recognised(text: str, leans: bool) -> None:
    assert leans_back(text) is leans


@pytest.mark.parametrize(
    ("text", "intent"),
    [("Có ạ", "affirm"), ("ừ", "affirm"), ("đúng rồi!", "affirm"), ("ok ad", "affirm"), ("thôi nhé", "deny")]
    + [("Không", "deny"), ("ko cần", "deny"), ("no", "deny"), ("yes", "affirm"), ("có phải nộp không", None)],
)
def test_short_replies_are_read_as_yes_or_no(text: str, intent: str | None) -> None:
    assert short_replies().get(short_reply_key(text)) == intent


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("mất bao lâu?", "duration"),
        ("tối đa được bao lâu", "duration"),
        ("lệ phí bao nhiêu", "cost"),
        ("mat phi ko", "cost"),
        ("nộp ở đâu", "place"),
        ("hồ sơ gồm gì ạ", "documents"),
        ("can giay to gi", "documents"),
        ("trễ hạn thì bị phạt sao", None),  # a matter of its own
        ("kiem tra mat bao lau", None),  # names what takes long
        ("còn hộ kinh doanh thì sao?", None),
    ],
)
def test_a_bare_question_about_one_detail_is_recognised(text: str, detail: str | None) -> None:
    assert detail_asked(text) == detail


def test_an_answer_sentence_states_the_detail_asked() -> None:
    assert states_detail("duration", "Trong 1 ngày làm việc, hệ thống đối chiếu thông tin người đại diện.")
    assert states_detail("cost", "Lệ phí đăng ký là 50.000 đồng/lần.")
    assert not states_detail("cost", "Hồ sơ nộp qua Cổng dịch vụ công quốc gia.")
    assert states_detail("place", "Hồ sơ nộp qua Cổng dịch vụ công quốc gia.")
