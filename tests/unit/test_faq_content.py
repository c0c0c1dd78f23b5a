"""The FAQ content itself: enough of it, well-formed, sourced from the legal register, current, and without
near-duplicates."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge.catalog import load_catalog
from knowledge.legal import REPLACED, load_register
from knowledge.loader import load_faq, load_plan
from nlu.normalize import has_vietnamese_diacritics, strip_diacritics

CATALOG = load_catalog()
REGISTER = load_register()
# Loading with the register refuses any source the register does not hold.
ENTRIES = load_faq(
    topics={code: topic.department for code, topic in CATALOG.topics.items()},
    register=REGISTER,
    departments=set(CATALOG.departments),
)


def test_at_least_250_entries_and_12_per_topic() -> None:
    counts = Counter(e.topic for e in ENTRIES)
    assert len(ENTRIES) >= 250
    assert all(counts[topic] >= 12 for topic in CATALOG.topics), counts


def test_each_entry_has_an_unaccented_paraphrase_and_a_review_date_ahead_of_its_review() -> None:
    for entry in ENTRIES:
        assert any(not has_vietnamese_diacritics(p) for p in entry.paraphrases), entry.id
        assert entry.reviewed < entry.review_by <= entry.reviewed + timedelta(days=3 * 365), entry.id


def test_no_entry_reviewed_after_a_replacement_still_cites_the_replaced_document() -> None:
    """Dates in the data only: a calendar day passing never fails this (`donghanh content audit` reports that)."""
    stale = [
        (entry.id, document.id, document.replaced_by)
        for entry in ENTRIES
        for document in (REGISTER[source.doc] for source in entry.sources)
        if document.status == REPLACED and document.ends is not None and document.ends <= entry.reviewed
    ]
    assert stale == []


def test_food_safety_entries_go_to_the_food_safety_department() -> None:
    food = [e for e in ENTRIES if e.topic == "y_te" and CATALOG.route("y_te", e.question) == "SO_ATTP"]
    assert food, "the y_te topic has food-safety entries"
    assert [e.id for e in food if e.department != "SO_ATTP"] == []


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
