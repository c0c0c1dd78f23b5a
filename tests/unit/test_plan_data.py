"""The cleaned plan (`data/plan/plan-2022.yaml`) against its OCR source, and the plan loader's checks."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from knowledge.loader import CLOSING_ID, PREAMBLE_ID, Plan, load_plan

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_PATH = REPO_ROOT.parent / "shared" / "seed" / "plan-2022.txt"

# A heading at line start, tolerant of the OCR's leading space: "II. NỘI DƯNG", " 2. Yêu cầu",
# "2.2.11. Cục Thuế". Roman headings are upper case in the original.
_ROMAN_HEADING = re.compile(r"^\s*(IV|V?I{1,3}|V)\.\s+[A-ZÀ-ỸĐ]")
_ARABIC_HEADING = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*)\.\s+\S")
_PAGE_NUMBER_LINE = re.compile(r"^\s*\d{1,3}\s*$")
_MIN_COVERAGE = 0.98

# OCR artefacts of the seed that must not survive in the cleaned copy.
_ARTEFACTS = (
    r"[ủúÚỦ] y\s",
    r"\bUy ban",
    r"\bKe hoạch",
    r"Thành ph[ổô]\b",
    r"Tiêp",
    r"tiêp",
    r"•",
    r"\bĐe\b",
    r"\b[vV] ề",
    r"NỘI DƯNG",
    r"YÊU CÀU",
    r"Muc đích",
    r"Nhiêm",
    r"\bhọp\b",
    r"/TƯ\b",
    r"ỌĐ",
    r"\bs ĩ",
    r"  ",
    r"\bsô\b",
    r"\bđê\b",
    r"\bvê\b",
    r"\bđên\b",
    r"\bđât\b",
    r"\bchê\b",
    r"\bcâp\b",
)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


def _seed_heading_ids(seed: str) -> list[str]:
    """The ids of the seed's numbered headings, in document order."""
    ids: list[str] = []
    roman: str | None = None
    for line in seed.splitlines():
        if match := _ROMAN_HEADING.match(line):
            roman = match.group(1)
            ids.append(roman)
        elif (match := _ARABIC_HEADING.match(line)) and roman is not None:
            ids.append(f"{roman}.{match.group(1)}")
    return ids


def _tokens(text: str) -> list[str]:
    """NFC, lower case, no diacritics (đ → d), punctuation as separators; split on whitespace."""
    text = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[^\w\s]|_", " ", text).split()


def _match_tokens(source: list[str], target: Counter[str]) -> tuple[int, list[str], list[str]]:
    """Counts the source tokens found in the target multiset, each target token used once.

    The OCR splits syllables ("ủ y ban", "chiến s ĩ"): two neighbouring source tokens whose
    concatenation is a target token are matched together, as the syllable they are, when the first
    alone is not in the target.

    Returns:
        The number of source tokens matched, the unmatched ones, and the source re-tokenised with the
        repaired syllables.
    """
    target = Counter(target)
    matched, missing, repaired = 0, [], []
    index = 0
    while index < len(source):
        token = source[index]
        joined = token + source[index + 1] if index + 1 < len(source) else ""
        if target[token] > 0:
            target[token] -= 1
            matched += 1
        elif joined.isalpha() and target[joined] > 0:
            target[joined] -= 1
            matched += 2
            repaired.append(joined)
            index += 2
            continue
        else:
            missing.append(token)
        repaired.append(token)
        index += 1
    return matched, missing, repaired


def _seed_without_page_numbers(seed: str) -> str:
    return "\n".join(line for line in seed.splitlines() if not _PAGE_NUMBER_LINE.match(line))


# (a) every numbered heading of the seed is a section ------------------------------------------------


def test_every_numbered_heading_of_the_seed_is_a_section(plan: Plan, seed_text: str) -> None:
    seed_ids = set(_seed_heading_ids(seed_text))
    yaml_ids = {s.id for s in plan.sections} - {PREAMBLE_ID, CLOSING_ID}
    assert len(seed_ids) >= 36, sorted(seed_ids)
    assert seed_ids == yaml_ids, (sorted(seed_ids - yaml_ids), sorted(yaml_ids - seed_ids))


def test_sections_are_in_document_order(plan: Plan, seed_text: str) -> None:
    ordered = [s.id for s in plan.sections]
    assert ordered[0] == PREAMBLE_ID
    assert ordered[-1] == CLOSING_ID
    assert ordered[1:-1] == _seed_heading_ids(seed_text)


# (b) the cleaned text keeps the seed's words ----------------------------------------------------------


def test_cleaned_text_keeps_at_least_98_percent_of_the_seed_words(plan: Plan, seed_text: str) -> None:
    seed_tokens = _tokens(_seed_without_page_numbers(seed_text))
    clean_tokens = _tokens(plan.full_text())
    matched, missing, repaired = _match_tokens(seed_tokens, Counter(clean_tokens))
    coverage = matched / len(seed_tokens)
    # The other way round: words of the cleaned copy that the seed does not have (additions).
    kept, added, _ = _match_tokens(clean_tokens, Counter(repaired))
    precision = kept / len(clean_tokens)
    print(
        f"\nplan-2022 word coverage: {coverage:.2%} of {len(seed_tokens)} seed tokens "
        f"({len(missing)} unmatched: {sorted(Counter(missing).items())})"
        f"\nplan-2022 words of the cleaned copy found in the seed: {precision:.2%} of "
        f"{len(clean_tokens)} ({sorted(Counter(added).items())})"
    )
    assert coverage >= _MIN_COVERAGE
    assert precision >= _MIN_COVERAGE


def test_tokens_ignore_case_diacritics_and_punctuation() -> None:
    assert _tokens("Đồng hành, “Ủy ban” 131/2020/QH14") == [
        "dong",
        "hanh",
        "uy",
        "ban",
        "131",
        "2020",
        "qh14",
    ]
    matched, missing, _ = _match_tokens(["u", "y", "ban", "x"], Counter(["uy", "ban"]))
    assert (matched, missing) == (3, ["x"])


# (c) the loader rejects broken files --------------------------------------------------------------------

_HEADER = "id: plan-2022\ntitle: Kế hoạch\nissuer: Ủy ban nhân dân\nsigner: Lê Hòa Bình\nsections:\n"


def _write(tmp_path: Path, sections: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(_HEADER + sections, encoding="utf-8")
    return path


def test_a_minimal_valid_file_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, "- {id: I, title: A, text: ''}\n- {id: I.1, title: B, text: b}\n")
    plan = load_plan(path)
    assert plan.section("I.1").parent_id == "I"
    assert plan.section("I.1").level == 2
    assert plan.children("I") == (plan.section("I.1"),)
    with pytest.raises(KeyError):
        plan.section("II")


@pytest.mark.parametrize(
    ("sections", "section_id", "problem"),
    [
        ("- {id: I, title: A, text: a}\n- {id: I, title: B, text: b}\n", "I", "duplicate id"),
        ("- {id: I, title: A, text: a}\n- {id: II.1, title: B, text: b}\n", "II.1", "parent II"),
        ("- {id: I.1, title: B, text: b}\n- {id: I, title: A, text: a}\n", "I.1", "parent I"),
        ("- {id: I, title: A, text: a}\n- {id: III, title: B, text: b}\n", "III", "out of sequence"),
        ("- {id: I, title: A, text: a}\n- {id: I.x, title: B, text: b}\n", "'I.x'", "invalid id"),
        ("- {id: I, title: '', text: a}\n", "I", "'title' must not be empty"),
        ("- {id: I, title: A, text: ''}\n", "I", "empty text"),
        ('- {id: I, title: "Ke\u0302", text: a}\n', "I", "NFC"),
        ("- {id: I, title: A, text: a}\n- {id: preamble, title: B, text: b}\n", "preamble", "first"),
    ],
)
def test_broken_files_are_rejected_with_file_and_section(
    tmp_path: Path, sections: str, section_id: str, problem: str
) -> None:
    path = _write(tmp_path, sections)
    with pytest.raises(ValueError) as raised:
        load_plan(path)
    message = str(raised.value)
    assert str(path) in message
    assert section_id in message
    assert problem in message


def test_unreadable_and_malformed_files_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        load_plan(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_plan(bad)


# (d) what a reader would notice --------------------------------------------------------------------------


def test_metadata(plan: Plan) -> None:
    assert plan.id == "plan-2022"
    assert plan.issuer == "Ủy ban nhân dân Thành phố Hồ Chí Minh"
    assert plan.signer == "Lê Hòa Bình"
    assert plan.title.startswith("Kế hoạch tổ chức thực hiện chủ đề năm 2022 “Thích ứng an toàn")
    assert plan.title.endswith("đồng hành cùng doanh nghiệp”")


def test_department_of_planning_and_investment_and_the_174_stuck_projects(plan: Plan) -> None:
    section = plan.section("III.2.2.2")
    assert section.title == "Sở Kế hoạch và Đầu tư"
    assert "tháo gỡ 174 dự án còn vướng mắc về thủ tục đầu tư trên địa bàn Thành phố" in section.text
    assert "đối thoại định kỳ với doanh nghiệp" in section.text


def test_department_titles(plan: Plan) -> None:
    assert plan.section("III.2.2.11").title == "Cục Thuế Thành phố"
    assert plan.section("III.2.2.12").title == "Cục Hải quan Thành phố"
    assert plan.section("III.2.2.10").title == "Ngân hàng Nhà nước - Chi nhánh Thành phố"
    assert plan.section("III.1").title == "Nhiệm vụ"
    assert plan.section("II").title == "NỘI DUNG"
    assert plan.section("I").title == "MỤC ĐÍCH, YÊU CẦU"


def test_reporting_deadlines(plan: Plan) -> None:
    text = plan.section("IV.1").text
    assert "báo cáo kết quả thực hiện 6 tháng (trước ngày 30 tháng 6 năm 2022)" in text
    assert "và năm (trước ngày 26 tháng 12 năm 2022) gửi Sở Nội vụ" in text


def test_run_in_heading_is_split_at_the_colon(plan: Plan) -> None:
    section = plan.section("II.3.1")
    assert section.title == "Về xây dựng chính quyền đô thị"
    assert section.text.startswith("Tập trung thực hiện Nghị quyết số 131/2020/QH14")


def test_lettered_points_stay_in_their_section_on_their_own_lines(plan: Plan) -> None:
    lines = plan.section("III.2.1").text.splitlines()
    for letter in "abcdđ":
        assert any(line.startswith(f"({letter}) ") for line in lines), letter


def test_no_ocr_artefacts_remain(plan: Plan) -> None:
    texts = [plan.title, plan.issuer, plan.signer]
    texts += [part for s in plan.sections for part in (s.title, s.text)]
    for text in texts:
        assert unicodedata.normalize("NFC", text) == text
        for pattern in _ARTEFACTS:
            assert not re.search(pattern, text), (pattern, text[:80])
        for line in text.splitlines():
            assert not _PAGE_NUMBER_LINE.match(line), line
            assert line == line.strip(), line
