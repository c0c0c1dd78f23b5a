"""Places: every current commune-level unit and every former district recognised, as people write them."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.dialogue import slots
from nlu.entities import extract_entities
from nlu.normalize import strip_diacritics
from nlu.places import FORMER_DISTRICTS_PATH, current_units, former_districts

ROOT = Path(__file__).resolve().parents[2]
UNITS = current_units()
DISTRICTS = former_districts()


def places(text: str) -> list[tuple[str, str, str]]:
    return [
        (e.type, e.value, text[e.start : e.end])
        for e in extract_entities(text)
        if e.type in ("ward", "former_district")
    ]


def test_the_city_has_168_current_units() -> None:
    assert Counter(unit.type for unit in UNITS) == {"phường": 113, "xã": 54, "đặc khu": 1}
    assert len({unit.code for unit in UNITS}) == 168
    assert all("  " not in unit.name for unit in UNITS)  # the package's "Phường  Rạch Dừa" comes out clean


WRITINGS = {
    "phường": ("Phường {n}", "phường {n}", "p. {n}", "P.{n}", "p {n}", "phuong {f}", "P.{f}", "p. {f}"),
    "xã": ("Xã {n}", "xã {n}", "x. {n}", "xa {f}"),
    "đặc khu": ("Đặc khu {n}", "đặc khu {n}", "dac khu {f}"),
}


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_every_current_unit_is_recognised_with_and_without_diacritics(unit) -> None:
    bare, folded = unit.bare_name, strip_diacritics(unit.bare_name).lower()
    for pattern in WRITINGS[unit.type]:
        written = pattern.format(n=bare, f=folded)
        found = [e for e in extract_entities(f"Công ty ở {written}, cần hỗ trợ") if e.type == "ward"]
        assert len(found) == 1, written
        assert found[0].value == unit.name or unit.name in found[0].candidates, (written, found[0])


def test_an_unaccented_name_two_units_share_offers_both() -> None:
    (unaccented,) = [e for e in extract_entities("kho ở xa thanh an") if e.type == "ward"]
    assert set(unaccented.candidates) == {"Xã Thanh An", "Xã Thạnh An"}
    (accented,) = [e for e in extract_entities("kho ở Xã Thạnh An") if e.type == "ward"]
    assert (accented.value, accented.candidates) == ("Xã Thạnh An", ())


@pytest.mark.parametrize("district", DISTRICTS, ids=lambda district: district.name)
def test_every_former_district_is_recognised_with_its_successors(district) -> None:
    kind, bare = district.type, district.bare_name
    short = {"quận": ("Q.", "q."), "huyện": ("H.", "h."), "thành phố": ("TP ", "tp.")}[kind]
    for written in (
        district.name,
        f"{short[0]}{bare}",
        f"{short[1]} {strip_diacritics(bare).lower()}",
        strip_diacritics(district.name).lower(),
    ):
        found = [e for e in extract_entities(f"doanh nghiệp ở {written} ạ") if e.type == "former_district"]
        assert [(e.value, e.candidates) for e in found] == [(district.name, district.successors)], written


def test_the_writings_people_use() -> None:
    assert places("cty ở p. Sài Gòn") == [("ward", "Phường Sài Gòn", "p. Sài Gòn")]
    assert places("phuong tan dinh") == [("ward", "Phường Tân Định", "phuong tan dinh")]
    assert places("P.Chợ Lớn") == [("ward", "Phường Chợ Lớn", "P.Chợ Lớn")]
    assert places("Quận 3, Q.Bình Thạnh") == [
        ("former_district", "Quận 3", "Quận 3"),
        ("former_district", "Quận Bình Thạnh", "Q.Bình Thạnh"),
    ]
    assert places("huyện Củ Chi và TP Thủ Đức") == [
        ("former_district", "Huyện Củ Chi", "huyện Củ Chi"),
        ("former_district", "Thành phố Thủ Đức", "TP Thủ Đức"),
    ]
    assert places("xưởng ở q9") == [
        ("former_district", "Thành phố Thủ Đức", "q9")
    ]  # Quận 9 became part of Thủ Đức in 2021
    assert places("ở Bình Thạnh") == [("former_district", "Quận Bình Thạnh", "Bình Thạnh")]
    assert places("Phường Bình Thạnh") == [("ward", "Phường Bình Thạnh", "Phường Bình Thạnh")]


def test_words_that_only_look_like_places_are_not_places() -> None:
    assert places("liên quan 1 vấn đề về thuế") == []
    assert places("văn phòng ở khu Phú Mỹ Hưng") == []  # not the former Thành phố Phú Mỹ
    assert places("xin hỏi thủ tục hoàn thuế") == []


def test_every_successor_is_a_current_unit_and_every_unit_has_a_predecessor() -> None:
    names = {unit.name for unit in UNITS}
    successors = {name for district in DISTRICTS for name in district.successors}
    assert successors <= names
    assert successors == names
    assert len(DISTRICTS) == 38  # 22 of the city, 9 of Bình Dương, 7 of Bà Rịa - Vũng Tàu


def test_the_former_districts_file_is_what_the_script_makes_from_the_package() -> None:
    spec = importlib.util.spec_from_file_location("former_districts", ROOT / "scripts" / "former_districts.py")
    script = importlib.util.module_from_spec(spec)
    sys.modules["former_districts"] = script
    spec.loader.exec_module(script)
    assert script.former_districts(script.package_data()) == yaml.safe_load(
        FORMER_DISTRICTS_PATH.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("answer", "ward", "choices"),
    [
        ("Tân Định", "Phường Tân Định", ()),
        ("p. tan dinh", "Phường Tân Định", ()),
        ("con dao", "Đặc khu Côn Đảo", ()),
        ("Quận 3", None, ("Phường Bàn Cờ", "Phường Nhiêu Lộc", "Phường Xuân Hòa")),
        ("3", None, ("Phường Bàn Cờ", "Phường Nhiêu Lộc", "Phường Xuân Hòa")),
        ("tan dihn", None, ("Phường Tân Định",)),
    ],
)
def test_the_ward_step_reads_a_name_a_former_district_or_a_near_spelling(
    answer: str, ward: str | None, choices: tuple[str, ...]
) -> None:
    read = slots.ward(answer)
    assert read is not None and read.ward == ward
    assert set(choices) <= set(read.choices)


def test_the_ward_step_refuses_a_place_outside_the_city() -> None:
    assert slots.ward("Hà Nội") is None
    assert slots.ward("Quận Hoàn Kiếm") is None
