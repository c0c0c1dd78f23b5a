"""The legal register: each document's standing as of a day, its checks, and the refusals of broken entries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge.legal import IN_FORCE, REPLACED, UNVERIFIED, RegisterError, load_register

REGISTER = """\
- id: 38-2019-qh14
  number: 38/2019/QH14
  type: Luật
  title: Luật Quản lý thuế
  issuer: Quốc hội
  status: replaced
  replaced_by: 108-2025-qh15
  ends: 2026-07-01
  checked:
    - {source: https://example.gov.vn/luat-108, on: 2026-12-07, note: Điều 52 bãi bỏ luật cũ từ 01/7/2026.}
- id: 108-2025-qh15
  number: 108/2025/QH15
  type: Luật
  title: Luật Quản lý thuế
  issuer: Quốc hội
  issued: 2025-12-10
  in_force: 2026-07-01
  status: in_force
  checked:
    - {source: https://example.gov.vn/luat-108, on: 2026-12-07}
- id: 126-2020-nd-cp
  number: 126/2020/NĐ-CP
  type: Nghị định
  title: quy định chi tiết một số điều của Luật Quản lý thuế
  issuer: Chính phủ
  status: unverified
"""


def write(tmp_path: Path, text: str = REGISTER) -> Path:
    (tmp_path / "thue.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_replacement_counts_from_its_date_in_force(tmp_path: Path) -> None:
    register = load_register(write(tmp_path))
    old = register["38-2019-qh14"]
    assert old.standing(date(2026, 6, 30)) == IN_FORCE
    assert old.standing(date(2026, 7, 1)) == REPLACED
    assert register["108-2025-qh15"].standing(date(2026, 12, 7)) == IN_FORCE


def test_a_document_nobody_checked_is_unverified(tmp_path: Path) -> None:
    decree = load_register(write(tmp_path))["126-2020-nd-cp"]
    assert not decree.verified and decree.standing(date(2026, 12, 7)) == UNVERIFIED


def test_citations_read_as_vietnamese_references(tmp_path: Path) -> None:
    register = load_register(write(tmp_path))
    assert register["108-2025-qh15"].citation == "Luật Quản lý thuế số 108/2025/QH15"
    assert (
        register["126-2020-nd-cp"].citation
        == "Nghị định số 126/2020/NĐ-CP của Chính phủ quy định chi tiết một số điều của Luật Quản lý thuế"
    )


def test_a_line_naming_a_number_finds_its_document(tmp_path: Path) -> None:
    register = load_register(write(tmp_path))
    document, part = register.find_in("Luật 108/2025/QH15, Điều 44 khoản 1") or (None, "")
    assert document is not None and document.id == "108-2025-qh15" and part == "Điều 44 khoản 1"
    assert register.find_in("Nghị định 126/2020/nđ-cp")[0].id == "126-2020-nd-cp"  # case of the code ignored
    assert register.find_in("Thông tư 80/2021/TT-BTC") is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  replaced_by: 108-2025-qh15\n", "", "needs 'replaced_by' and 'ends'"),
        ("replaced_by: 108-2025-qh15", "replaced_by: 108-2026-qh15", "refers to '108-2026-qh15'"),
        (
            "  status: in_force\n  checked:\n    - {source: https://example.gov.vn/luat-108, on: 2026-12-07}\n",
            "  status: in_force\n",
            "needs a 'checked' record",
        ),
        ("number: 126/2020/NĐ-CP", "number: 126/2020", "is not written like"),
        ("number: 126/2020/NĐ-CP", "number: 108/2025/QH15", "is already entry '108-2025-qh15'"),
        ("status: unverified", "status: valid", "status must be one of"),
        ("  issued: 2025-12-10\n", "  issued: 10/12/2025\n", "'issued' must be a date"),
        (
            "  title: Luật Quản lý thuế\n  issuer: Quốc hội\n  issued",
            "  title: Luật Quản lý thuế\n  issuer: Quốc hội\n  sign: x\n  issued",
            "unknown key(s) ['sign']",
        ),
    ],
)
def test_a_broken_entry_is_refused_with_its_reason(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in REGISTER
    with pytest.raises(RegisterError) as raised:
        load_register(write(tmp_path, REGISTER.replace(old, new, 1)))
    assert message in str(raised.value)
