"""The hand-written NLU examples: enough of them, varied the way people type, and a clean split."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from knowledge.catalog import TOPIC_CODES
from nlu.dataset import INTENTS, load_examples, split, split_key
from nlu.normalize import has_vietnamese_diacritics, load_lexicon

EXAMPLES = load_examples(topics=TOPIC_CODES)


def by_label() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for example in EXAMPLES:
        groups.setdefault(example.topic or example.intent, []).append(example.text)
    return groups


def test_every_topic_has_at_least_40_examples_and_every_intent_15_and_out_of_scope_80() -> None:
    counts = Counter(e.topic or e.intent for e in EXAMPLES)
    assert all(counts[topic] >= 40 for topic in TOPIC_CODES), counts
    assert all(counts[intent] >= 15 for intent in INTENTS if intent not in {"ask", "out_of_scope"}), counts
    assert counts["out_of_scope"] >= 80


@pytest.mark.parametrize("label", [*TOPIC_CODES, "out_of_scope", "greet", "check_ticket", "report_issue"])
def test_each_set_mixes_accented_unaccented_and_abbreviated_forms(label: str) -> None:
    texts = by_label()[label]
    unaccented = [t for t in texts if not has_vietnamese_diacritics(t)]
    lexicon = load_lexicon()
    abbreviated = [t for t in texts if any(token in lexicon for token in t.lower().split())]
    assert len(unaccented) / len(texts) >= 0.2
    assert len(texts) - len(unaccented) >= 0.5 * len(texts)
    assert len(abbreviated) / len(texts) >= 0.2


def test_no_topical_or_out_of_scope_example_is_repeated_even_without_diacritics() -> None:
    # Short dialogue intents may list "Xin chào" and "xin chao" both: they fall on the same side of the split.
    keys = Counter(split_key(e.text) for e in EXAMPLES if e.intent in {"ask", "out_of_scope"})
    assert [key for key, n in keys.items() if n > 1] == []


def test_split_is_deterministic_disjoint_and_holds_out_about_a_fifth() -> None:
    train, held_out = split(EXAMPLES)
    again_train, again_held_out = split(list(reversed(EXAMPLES)))
    assert set(again_train) == set(train) and set(again_held_out) == set(held_out)
    assert {split_key(e.text) for e in train}.isdisjoint({split_key(e.text) for e in held_out})
    assert 0.15 <= len(held_out) / len(EXAMPLES) <= 0.25
    topics_held_out = Counter(e.topic for e in held_out if e.topic)
    assert all(topics_held_out[topic] >= 10 for topic in TOPIC_CODES)


def test_a_question_and_its_unaccented_twin_fall_on_the_same_side() -> None:
    from nlu.dataset import is_held_out
    from nlu.normalize import strip_diacritics

    for example in EXAMPLES[:300]:
        assert is_held_out(example.text) == is_held_out(strip_diacritics(example.text))


def write_data(folder: Path, *, topic: str, topic_examples: str, intents: str) -> Path:
    """A minimal data folder: one topic file, the intents file, an empty out-of-scope file."""
    (folder / "topics").mkdir()
    (folder / "topics" / f"{topic}.yaml").write_text(f"topic: {topic}\nexamples: {topic_examples}\n", encoding="utf-8")
    (folder / "intents.yaml").write_text(f"intents: {intents}\n", encoding="utf-8")
    (folder / "out_of_scope.yaml").write_text("examples: []\n", encoding="utf-8")
    return folder


def test_unknown_topic_file_is_refused(tmp_path: Path) -> None:
    write_data(tmp_path, topic="bong_da", topic_examples='["x"]', intents="{}")
    with pytest.raises(ValueError, match="bong_da"):
        load_examples(tmp_path, topics=TOPIC_CODES)


def test_contradictory_labels_are_refused(tmp_path: Path) -> None:
    write_data(tmp_path, topic="thue", topic_examples='["hoàn thuế"]', intents='{greet: ["hoan thue"]}')
    with pytest.raises(ValueError, match="contradictory labels"):
        load_examples(tmp_path)
