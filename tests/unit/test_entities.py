"""Entities a business types into a message, with their offsets."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.vn import mst

from nlu.entities import extract_entities

TODAY = date(2026, 11, 27)  # a Friday


def found(text: str) -> list[tuple[str, str, str]]:
    """(type, value, the text at the offsets) for every entity."""
    return [(e.type, e.value, text[e.start : e.end]) for e in extract_entities(text, today=TODAY)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MST 0100233488 bị khóa", [("tax_code", "0100233488", "0100233488")]),
        ("mã số thuế chi nhánh 0100233488-001", [("tax_code", "0100233488-001", "0100233488-001")]),
        ("mst 0100233488001 nha", [("tax_code", "0100233488-001", "0100233488001")]),
        ("sđt 0903 123 456 nhé", [("phone", "+84903123456", "0903 123 456")]),
        ("gọi +84 28 3823 4567", [("phone", "+842838234567", "+84 28 3823 4567")]),
        ("zalo 84903123456", [("phone", "+84903123456", "84903123456")]),
        ("email Ke.Toan@congty.com.vn", [("email", "ke.toan@congty.com.vn", "Ke.Toan@congty.com.vn")]),
        ("tra cứu PA-2026-000123", [("ticket_code", "PA-2026-000123", "PA-2026-000123")]),
        ("pa 2025 001234 sao roi", [("ticket_code", "PA-2025-001234", "pa 2025 001234")]),
        ("tờ khai 103456789012 chưa thông quan", [("customs_declaration", "103456789012", "103456789012")]),
        ("so tk 501234567890 bi luong do", [("customs_declaration", "501234567890", "501234567890")]),
        ("mã HS 8471.30.20 thuế bao nhiêu", [("hs_code", "84713020", "8471.30.20")]),
        ("hs code 8517", [("hs_code", "8517", "8517")]),
        ("vay 2 tỷ", [("money", "2000000000 VND", "2 tỷ")]),
        ("500 triệu", [("money", "500000000 VND", "500 triệu")]),
        ("phạt 1.500.000 đ", [("money", "1500000 VND", "1.500.000 đ")]),
        ("1,5 ty", [("money", "1500000000 VND", "1,5 ty")]),
        ("300tr", [("money", "300000000 VND", "300tr")]),
        ("100 USD", [("money", "100.00 USD", "100 USD")]),
        ("nộp ngày 15/3/2026", [("date", "2026-03-15", "15/3/2026")]),
        ("ngày 5 tháng 6 năm 2025", [("date", "2025-06-05", "ngày 5 tháng 6 năm 2025")]),
        ("hôm qua", [("date", "2026-11-26", "hôm qua")]),
        ("hom qua", [("date", "2026-11-26", "hom qua")]),
        ("tuần trước", [("date", "2026-11-16/2026-11-22", "tuần trước")]),
        ("tháng trước", [("date", "2026-10-01/2026-10-31", "tháng trước")]),
        ("3 ngày trước", [("date", "2026-11-24", "3 ngày trước")]),
        ("xưởng ở Thủ Đức", [("former_district", "Thành phố Thủ Đức", "Thủ Đức")]),
        ("cty o quan 9", [("former_district", "Thành phố Thủ Đức", "quan 9")]),
        ("q1 và Q.10", [("former_district", "Quận 1", "q1"), ("former_district", "Quận 10", "Q.10")]),
        (
            "Bình Thạnh, huyện Cần Giờ",
            [
                ("former_district", "Quận Bình Thạnh", "Bình Thạnh"),
                ("former_district", "Huyện Cần Giờ", "huyện Cần Giờ"),
            ],
        ),
        ("kho ở hoc mon", [("former_district", "Huyện Hóc Môn", "hoc mon")]),
        ("cty ở P.Tân Định", [("ward", "Phường Tân Định", "P.Tân Định")]),
    ],
)
def test_entity_values_and_offsets(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "MST 0312345678",  # check digit wrong
        "liên quan 1 vấn đề",
        "cơ quan 3 lần trả hồ sơ",
        "32/13/2026",  # no such date
        "số 123456",
        "",
    ],
)
def test_no_entity_where_there_is_none(text: str) -> None:
    assert found(text) == []


def test_context_decides_between_a_mobile_number_and_a_tax_code() -> None:
    # 0903123404 is both a valid mobile number and a valid tax code.
    assert found("sđt 0903123404") == [("phone", "+84903123404", "0903123404")]
    assert found("mst 0903123404") == [("tax_code", "0903123404", "0903123404")]


def test_several_entities_in_one_message_in_order() -> None:
    text = "Cty MST 0100233488 ở q7, tờ khai 103456789012 bị giữ từ hôm qua, liên hệ 0903123456"
    assert [t for t, _, _ in found(text)] == ["tax_code", "former_district", "customs_declaration", "date", "phone"]


def test_ten_thousand_characters_take_bounded_time() -> None:
    text = ("mst 0100233488 sdt 0903123456 ngay 15/3/2026 2 ty quan 1 " * 200)[:10_000]
    started = time.perf_counter()
    extract_entities(text, today=TODAY)
    assert time.perf_counter() - started < 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_ordered_non_overlapping_entities_inside_it(text: str) -> None:
    entities = extract_entities(text, today=TODAY)
    previous_end = 0
    for entity in entities:
        assert 0 <= previous_end <= entity.start < entity.end
        previous_end = entity.end
        if entity.type == "tax_code":
            assert mst.is_valid(entity.value)


digits = st.text(alphabet="0123456789 -./+", max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(digits, st.sampled_from(["mst ", "sđt ", "tờ khai ", "HS ", "tỷ", "triệu", "q", "/", "pa-"])),
        max_size=12,
    )
)
def test_number_heavy_text_never_breaks_a_parser(parts: list[str]) -> None:
    text = "".join(parts)
    for entity in extract_entities(text, today=TODAY):
        assert text[entity.start : entity.end].strip()
        if entity.type == "phone":
            assert entity.value.startswith("+84") and entity.value[3:].isdigit()
        if entity.type == "customs_declaration":
            assert len(entity.value) == 12
        if entity.type == "hs_code":
            assert 4 <= len(entity.value) <= 8
