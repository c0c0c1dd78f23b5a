"""Word segmentation (underthesea) and diacritic restoration."""

from __future__ import annotations

from nlu.diacritics import DiacriticRestorer
from nlu.segment import segment, segmented_text


def test_segmentation_keeps_multi_syllable_words_together() -> None:
    assert segment("Doanh nghiệp muốn hoàn thuế giá trị gia tăng") == [
        "Doanh nghiệp",
        "muốn",
        "hoàn",
        "thuế",
        "giá trị",
        "gia tăng",
    ]
    assert segmented_text("Công ty tôi") == "Công_ty tôi"


def test_segmentation_of_empty_or_markup_only_text() -> None:
    assert segment("") == []
    assert segment("<b></b>\u0000") == []


def test_restoration_picks_the_form_the_context_makes_likely() -> None:
    restorer = DiacriticRestorer.train(
        ["hoàn thuế giá trị gia tăng", "hồ sơ hoàn thuế", "lô hàng chưa thông quan", "cảng cát lái", "hàng hóa bị giữ"]
    )
    assert restorer.restore("ho so hoan thue gia tri gia tang") == "hồ sơ hoàn thuế giá trị gia tăng"
    assert restorer.restore("lo hang bi giu o cang cat lai") == "lô hàng bị giữ o cảng cát lái"


def test_restoration_leaves_accented_and_unknown_syllables_alone() -> None:
    restorer = DiacriticRestorer.train(["hoàn thuế"])
    assert restorer.restore("hoàn thue xyz") == "hoàn thuế xyz"
    assert restorer.restore("") == ""
