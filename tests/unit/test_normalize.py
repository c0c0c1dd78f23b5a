"""Normalisation of Vietnamese chat text, as typed by businesses in a hurry."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.normalize import (
    MAX_CHARS,
    fold_preserving_offsets,
    has_vietnamese_diacritics,
    load_lexicon,
    normalize,
    normalize_tone_marks,
    strip_diacritics,
)

REQUIRED_ABBREVIATIONS = (
    "dn cty mst gtgt vat tndn tncn hq tk nh gpxd gcn qsdd kcn kcx ubnd ko k khong dc đc j ntn bn r ad"
).split()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("hoà", "hòa"),
        ("thuý", "thúy"),
        ("khoẻ", "khỏe"),
        ("Uỷ ban", "Ủy ban"),
        ("tuỳ", "tùy"),
        ("quý", "quý"),
        ("hoàng", "hoàng"),
        ("hoặc", "hoặc"),
        ("thủy", "thủy"),
        ("xoè", "xòe"),
    ],
)
def test_one_tone_mark_placement(typed: str, expected: str) -> None:
    assert normalize_tone_marks(typed) == expected


def test_decomposed_input_is_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Hoàn thuế")
    assert normalize(decomposed).text == "hoàn thuế"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("cty minh muon hoan thue gtgt", "công ty minh muon hoan thue giá trị gia tăng"),
        ("dn ko dc hoàn thuế tndn ?", "doanh nghiệp không được hoàn thuế thu nhập doanh nghiệp ?"),
        ("mst cua cty o q1", "mã số thuế cua công ty o quận 1"),
        ("phí 50k", "phí 50 nghìn"),
        ("xin gpxd ở kcn", "xin giấy phép xây dựng ở khu công nghiệp"),
    ],
)
def test_abbreviations_and_teencode_are_expanded(typed: str, expected: str) -> None:
    assert normalize(typed).text == expected


def test_lexicon_is_data_with_the_required_entries() -> None:
    lexicon = load_lexicon()
    assert len(lexicon) >= 150
    assert set(REQUIRED_ABBREVIATIONS) <= set(lexicon)
    assert lexicon["mst"] == "mã số thuế"


def test_spacing_punctuation_control_characters_and_markup() -> None:
    normalized = normalize("  <b>Xin   chào</b>\u0000\u200b ad!!  hoàn thuế,GTGT?")
    assert normalized.text == "xin chào quản trị viên ! ! hoàn thuế , giá trị gia tăng ?"


def test_folded_form_meets_text_typed_without_diacritics() -> None:
    accented = normalize("Công ty tôi muốn hoàn thuế GTGT")
    plain = normalize("cong ty toi muon hoan thue gtgt")
    assert accented.folded == plain.folded
    assert accented.has_diacritics and not plain.has_diacritics


def test_strip_diacritics_handles_d_with_stroke() -> None:
    assert strip_diacritics("Đồng hành đăng ký") == "Dong hanh dang ky"


def test_ten_thousand_characters_take_bounded_time() -> None:
    started = time.perf_counter()
    normalized = normalize("hoàn thuế gtgt cty " * 600)
    assert time.perf_counter() - started < 0.5
    assert len(normalized.original) > MAX_CHARS
    assert len(normalized.text) < 4 * MAX_CHARS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_normalize_never_fails_and_folded_has_no_diacritics(text: str) -> None:
    normalized = normalize(text)
    assert not has_vietnamese_diacritics(normalized.folded)
    assert "\u0000" not in normalized.text
    assert normalized.text == normalized.text.strip()
    assert "  " not in normalized.text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_offset_preserving_fold_keeps_the_length(text: str) -> None:
    composed = unicodedata.normalize("NFC", text)
    assert len(fold_preserving_offsets(composed)) == len(composed)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet="aăâeêioôơuưyđAĂÂEÊIOÔƠUƯYĐ "
        "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵbcdghklmnpqrstvx",
        max_size=80,
    )
)
def test_tone_mark_normalisation_is_idempotent(text: str) -> None:
    once = normalize_tone_marks(unicodedata.normalize("NFC", text))
    assert normalize_tone_marks(once) == once
    assert strip_diacritics(once) == strip_diacritics(unicodedata.normalize("NFC", text))
