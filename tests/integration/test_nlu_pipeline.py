"""What the NLU understands of real business messages, typed carefully or in a hurry (real model)."""

from __future__ import annotations

import time

import pytest

from nlu.normalize import strip_diacritics

QUESTIONS = [
    ("cty minh muon hoan thue gtgt thi can ho so gi a", "thue", "CUC_THUE"),
    ("hd dien tu xuat sai mst nguoi mua thi sua sao ad", "thue", "CUC_THUE"),
    ("lo hang bi giu o cang cat lai 3 ngay chua thong quan", "hai_quan", "CUC_HAI_QUAN"),
    ("Doanh nghiệp muốn xin giấy phép xây dựng nhà xưởng ở Củ Chi thì nộp hồ sơ ở đâu?", "xay_dung", "SO_XD"),
    ("Đoàn kiểm tra đến công ty mà không có quyết định kiểm tra, tôi phản ánh ở đâu?", "khieu_nai", "THANH_TRA"),
    ("cty e muon vay von uu dai lai suat 2% thi lam the nao", "tin_dung", "NHNN_HCM"),
    ("Thủ tục thay đổi người đại diện theo pháp luật của công ty", "dang_ky_kinh_doanh", "SO_KHDT"),
    ("xin trich luc ban do dia chinh thua dat o binh chanh", "dat_dai", "SO_TNMT"),
]


@pytest.mark.parametrize(("text", "topic", "department"), QUESTIONS)
def test_topical_questions_get_their_topic_and_department(nlu_pipeline, text: str, topic: str, department: str) -> None:
    result = nlu_pipeline.parse(text)
    assert (result.intent, result.topic, result.department) == ("ask", topic, department)
    assert 0.3 < result.confidence <= 1.0


@pytest.mark.parametrize(("text", "topic", "_department"), QUESTIONS)
def test_the_same_question_without_diacritics_gets_the_same_topic(
    nlu_pipeline, text: str, topic: str, _department: str
) -> None:
    assert nlu_pipeline.parse(strip_diacritics(text)).topic == topic


@pytest.mark.parametrize(
    "text",
    [
        "Hôm nay trời Sài Gòn có mưa không?",
        "cach nau pho bo ngon",
        "tỷ số trận Việt Nam Thái Lan tối qua",
        "giá vàng hôm nay",
    ],
)
def test_off_topic_messages_are_out_of_scope(nlu_pipeline, text: str) -> None:
    result = nlu_pipeline.parse(text)
    assert (result.intent, result.topic, result.department) == ("out_of_scope", None, None)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Xin chào", "greet"),
        ("cam on ad nhiu", "thanks"),
        ("cho tôi gặp cán bộ trực tiếp", "human"),
        ("tra cứu PA-2026-000123", "check_ticket"),
        ("tôi muốn gửi phản ánh", "report_issue"),
        ("/tracuu", "check_ticket"),
        ("/phananh", "report_issue"),
    ],
)
def test_dialogue_intents(nlu_pipeline, text: str, intent: str) -> None:
    result = nlu_pipeline.parse(text)
    assert result.intent == intent
    if intent not in {"report_issue", "check_ticket"}:
        assert result.topic is None


def test_entities_travel_with_the_result(nlu_pipeline) -> None:
    result = nlu_pipeline.parse(
        "Lô hàng của cty (MST 0100233488, kho ở q7, văn phòng p. Tân Định) theo tờ khai 103456789012 "
        "bị giữ ở cảng chưa thông quan từ hôm qua"
    )
    assert type(result.topic) is str and result.topic == "hai_quan"
    assert [(e.type, e.value) for e in result.entities] == [
        ("tax_code", "0100233488"),
        ("former_district", "Quận 7"),
        ("ward", "Phường Tân Định"),
        ("customs_declaration", "103456789012"),
        ("date", "2026-11-26"),
    ]
    district = next(e for e in result.entities if e.type == "former_district").as_dict()
    assert district["candidates"] == ["Phường Phú Thuận", "Phường Tân Hưng", "Phường Tân Mỹ", "Phường Tân Thuận"]
    assert "candidates" not in next(e for e in result.entities if e.type == "ward").as_dict()


def test_output_has_exactly_the_spec_keys(nlu_pipeline) -> None:
    record = nlu_pipeline.parse("hoàn thuế gtgt").as_dict()
    assert list(record) == ["text", "intent", "topic", "department", "confidence", "entities"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀🎉👍",
        "x" * 10_000,
        "hoàn thuế " * 1000,
        "中文 русский العربية hoàn thuế",
        "\u0000\u0007\u202e abc",
        "<script>alert(1)</script> hoàn thuế",
        "💰" * 500,
    ],
)
def test_bad_input_never_crashes_and_takes_bounded_time(nlu_pipeline, text: str) -> None:
    started = time.perf_counter()
    result = nlu_pipeline.parse(text)
    assert time.perf_counter() - started < 2.0
    assert result.intent in {
        "ask",
        "report_issue",
        "check_ticket",
        "greet",
        "thanks",
        "goodbye",
        "human",
        "affirm",
        "deny",
        "out_of_scope",
    }
    assert 0.0 <= result.confidence <= 1.0
    if not any(ch.isalnum() for ch in text):
        assert (result.intent, result.topic) == ("out_of_scope", None)


def test_a_batch_gives_the_same_answers_as_one_at_a_time(nlu_pipeline) -> None:
    texts = [q for q, _, _ in QUESTIONS] + ["Xin chào", ""]
    assert [r.as_dict() for r in nlu_pipeline.parse_batch(texts)] == [nlu_pipeline.parse(t).as_dict() for t in texts]
