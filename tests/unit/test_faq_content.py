"""The FAQ content itself: enough of it, well-formed, sourced, and without near-duplicates."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge.catalog import load_catalog
from knowledge.loader import load_faq, load_plan
from nlu.normalize import has_vietnamese_diacritics, strip_diacritics

CATALOG = load_catalog()
ENTRIES = load_faq(topics={code: topic.department for code, topic in CATALOG.topics.items()})
LEGAL_REFERENCE = re.compile(r"(Bộ luật|Luật|Nghị định|Nghị quyết|Thông tư|Quyết định|Pháp lệnh|Chỉ thị|Kế hoạch|Văn bản hợp nhất)\b.*\d")


def test_at_least_250_entries_and_12_per_topic() -> None:
    counts = Counter(e.topic for e in ENTRIES)
    assert len(ENTRIES) >= 250
    assert all(counts[topic] >= 12 for topic in CATALOG.topics), counts


def test_each_entry_has_an_unaccented_paraphrase_and_a_numbered_source() -> None:
    for entry in ENTRIES:
        assert any(not has_vietnamese_diacritics(p) for p in entry.paraphrases), entry.id
        assert all(LEGAL_REFERENCE.search(source) for source in entry.sources), (entry.id, entry.sources)
        date.fromisoformat(entry.reviewed)


def test_cited_plan_sections_exist() -> None:
    sections = {s.id for s in load_plan().sections}
    cited = [(e.id, s) for e in ENTRIES for s in e.plan_sections()]
    assert cited, "some answers must come from the plan"
    assert [(entry, s) for entry, s in cited if s not in sections] == []


def test_answers_are_plain_guidance_without_phone_numbers() -> None:
    phone = re.compile(r"(?<!\d)(?:\+84|0)\d{2}[\s.]?\d{3,4}[\s.]?\d{3,4}(?!\d)")
    for entry in ENTRIES:
        assert 40 <= len(entry.answer) <= 1500, entry.id
        assert not phone.search(entry.answer), entry.id


def test_no_two_questions_are_near_duplicates() -> None:
    questions = [strip_diacritics(e.question).lower() for e in ENTRIES]
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(questions)
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, 0)
    pairs = [(ENTRIES[i].id, ENTRIES[j].id) for i, j in zip(*np.where(similarity > 0.9), strict=True) if i < j]
    assert pairs == []
