"""The evaluation sets of `bench/dialogue.py` are sound: never trained on, and every expected entry or plan
section exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from knowledge.catalog import load_catalog
from knowledge.legal import load_register
from knowledge.loader import load_faq, load_plan
from nlu.dataset import load_examples, split_key
from nlu.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "data" / "faq_vi" / "eval"
CATALOG = load_catalog()


def read(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def entry_ids() -> set[str]:
    topics = {code: topic.department for code, topic in CATALOG.topics.items()}
    return {e.id for e in load_faq(topics=topics, register=load_register(), departments=set(CATALOG.departments))}


def words_read(text: str) -> frozenset[str]:
    """The words of a message as the NLU reads it: abbreviations expanded, diacritics, case and order aside
    ("hddt" is "hóa đơn điện tử", "vốn vay" is "vay vốn")."""
    return frozenset(re.findall(r"\w+", normalize(text).folded.lower()))


def test_no_evaluation_message_is_a_training_example() -> None:
    examples = load_examples(topics=tuple(CATALOG.topics))
    trained = {split_key(example.text) for example in examples}
    read_as = {words_read(example.text) for example in examples}
    keywords = [item["text"] for item in read(EVAL / "keywords.yaml")]
    assert [text for text in keywords if words_read(text) in read_as] == []
    evaluated = [item["text"] for item in read(EVAL / "keywords.yaml")]
    for name in ("followups.yaml", "followups_test.yaml"):
        evaluated += [m for item in read(EVAL / name) for m in (item["first"], item["follow_up"])]
    evaluated += [item["text"] for item in read(EVAL / "multi_questions.yaml")]
    assert [text for text in evaluated if split_key(text) in trained] == []


def test_the_keyword_set_covers_every_topic_and_a_third_is_unaccented() -> None:
    items = read(EVAL / "keywords.yaml")
    topics = {item["topic"] for item in items}
    assert topics - {None} == set(CATALOG.topics)
    unaccented = [i for i in items if i["text"].isascii()]
    assert len(items) >= 150 and len(unaccented) >= len(items) // 3


def test_every_expected_entry_and_section_exists(entry_ids: set[str]) -> None:
    followups, multi = read(EVAL / "followups.yaml"), read(EVAL / "multi_questions.yaml")
    assert len(followups) >= 100 and len(multi) >= 50
    followups += read(EVAL / "followups_test.yaml")
    expected = {i[key] for i in followups for key in ("first_entry", "expected")} | {
        entry for item in multi for entry in item["parts"]
    }
    assert expected - entry_ids == set()
    sections = {section.id for section in load_plan().sections}
    for name in ("questions.yaml", "questions_heldout.yaml", "questions_test.yaml"):
        assert {item["section"] for item in read(ROOT / "data" / "plan" / name)} <= sections
