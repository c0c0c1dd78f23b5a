"""The content audit: what it reports as of a day, and the CLI that alerts on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from knowledge.audit import CITES_REPLACED, CITES_UNVERIFIED, NO_CONCRETE_GUIDANCE, PAST_REVIEW, audit, leans_on_hedge
from knowledge.legal import load_register
from knowledge.loader import load_faq

REGISTER = """\
- {id: 38-2019-qh14, number: 38/2019/QH14, type: Luật, title: Luật Quản lý thuế, issuer: Quốc hội, status: replaced,
   replaced_by: 108-2025-qh15, ends: 2026-07-01, checked: [{source: https://example.gov.vn/108, on: 2026-12-07}]}
- {id: 108-2025-qh15, number: 108/2025/QH15, type: Luật, title: Luật Quản lý thuế, issuer: Quốc hội, status: in_force,
   checked: [{source: https://example.gov.vn/108, on: 2026-12-07}]}
- {id: 126-2020-nd-cp, number: 126/2020/NĐ-CP, type: Nghị định, title: quy định chi tiết Luật Quản lý thuế,
   issuer: Chính phủ, status: unverified}
"""
ENTRIES = """\
- id: thue-han-nop
  topic: thue
  department: CUC_THUE
  question: "Hạn nộp tờ khai thuế tháng là ngày nào?"
  paraphrases: ["han nop to khai thang", "tk thuế tháng nộp khi nào", "Ngày cuối nộp tờ khai tháng?"]
  answer: "Hồ sơ khai thuế tháng nộp chậm nhất ngày 20 của tháng tiếp theo, qua thuedientu.gdt.gov.vn."
  sources: [{doc: 38-2019-qh14}]
  reviewed: 2026-05-01
  review_by: 2026-11-01
- id: thue-ky-khai
  topic: thue
  department: CUC_THUE
  question: "Khai thuế theo tháng hay quý?"
  paraphrases: ["khai thang hay quy", "kỳ khai thuế gtgt", "Khi nào khai theo quý?"]
  answer: "Kỳ khai thuế xác định theo quy định hiện hành; doanh nghiệp hỏi cơ quan thuế quản lý trực tiếp."
  sources: [{doc: 108-2025-qh15}, {doc: 126-2020-nd-cp}]
  reviewed: 2026-12-07
  review_by: 2027-06-07
"""
DONGHANH = str(Path(sys.executable).parent / "donghanh")


def content(tmp_path: Path):
    (tmp_path / "legal").mkdir()
    (tmp_path / "faq").mkdir()
    (tmp_path / "legal" / "thue.yaml").write_text(REGISTER, encoding="utf-8")
    (tmp_path / "faq" / "thue.yaml").write_text(ENTRIES, encoding="utf-8")
    register = load_register(tmp_path / "legal")
    return load_faq(tmp_path / "faq", register=register), register


def test_a_replacement_is_reported_from_its_date_in_force_and_a_review_date_once_passed(tmp_path: Path) -> None:
    entries, register = content(tmp_path)
    before = audit(entries, register, date(2026, 6, 30))
    assert {(f.entry, f.kind) for f in before.findings} == {
        ("thue-ky-khai", CITES_UNVERIFIED),
        ("thue-ky-khai", NO_CONCRETE_GUIDANCE),
    }
    after = audit(entries, register, date(2026, 12, 7))
    assert {(f.entry, f.kind) for f in after.findings} >= {
        ("thue-han-nop", CITES_REPLACED),
        ("thue-han-nop", PAST_REVIEW),
    }
    assert after.counts() == {CITES_REPLACED: 1, CITES_UNVERIFIED: 1, PAST_REVIEW: 1, NO_CONCRETE_GUIDANCE: 1}
    assert after.figures["unverified_among_30_most_cited"] == ["126-2020-nd-cp"]


def test_a_hedge_with_a_concrete_fact_beside_it_is_guidance() -> None:
    assert leans_on_hedge("Thời hạn theo quy định hiện hành, doanh nghiệp hỏi cơ quan thuế.")
    assert not leans_on_hedge("Theo quy định hiện hành, hồ sơ giải quyết trong 03 ngày làm việc.")
    assert not leans_on_hedge("Nộp theo quy định, mẫu số 01/ĐKTĐ-HĐĐT, trên hoadondientu.gdt.gov.vn.")
    assert not leans_on_hedge("Doanh nghiệp nộp hồ sơ tại bộ phận một cửa.")  # no hedge at all


def test_the_cli_exits_1_with_findings_and_prints_json(tmp_path: Path) -> None:
    env = os.environ | {"DONGHANH_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    far = subprocess.run(
        [DONGHANH, "content", "audit", "--json", "--today", "2031-01-01"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert far.returncode == 1, far.stderr
    report = json.loads(far.stdout)
    assert report["counts"]["past_review"] == report["entries"] >= 250  # every entry is due by 2031
    bad = subprocess.run(
        [DONGHANH, "content", "audit", "--today", "31/12/2026"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
