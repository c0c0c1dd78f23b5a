"""What the plan's sections are found by: the unnumbered parts say what each of their lines is."""

from __future__ import annotations

import pytest

from knowledge.catalog import load_catalog
from knowledge.loader import CLOSING_ID, PREAMBLE_ID, load_plan
from knowledge.retriever import Document
from knowledge.sources import plan_documents


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return {d.id: d for d in plan_documents(load_plan(), load_catalog())}


def test_each_document_the_plan_is_issued_on_is_a_key_of_the_preamble(documents: dict[str, Document]) -> None:
    bases = [k for k in documents[PREAMBLE_ID].keys if k.startswith("Căn cứ: ")]
    assert len(bases) == 4
    assert "Chỉ thị số 07-CT/TU" in bases[3]
    assert any("1111/2020/QH14" in b for b in bases)
    assert not any("như sau" in k for k in bases)


def test_the_closing_names_its_recipients_and_its_signer(documents: dict[str, Document]) -> None:
    keys = documents[CLOSING_ID].keys
    recipients = next(k for k in keys if k.startswith("Nơi nhận: "))
    assert "UBMTTQVN Thành phố" in recipients and "Sở Nội vụ" in recipients
    assert "Lê Hòa Bình" not in recipients
    signer = next(k for k in keys if k.startswith("Người ký kế hoạch: "))
    assert signer.endswith("PHÓ CHỦ TỊCH, Lê Hòa Bình")
    assert any("Kèm phụ lục" in k for k in keys)


def test_the_closing_formula_is_no_key_of_its_own(documents: dict[str, Document]) -> None:
    own = [k for k in documents[CLOSING_ID].keys if k.startswith("Phần kết của kế hoạch: ")]
    assert own and not any("Trên đây là" in k for k in own)
