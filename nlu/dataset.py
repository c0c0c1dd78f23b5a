"""The hand-written NLU examples of `data/faq_vi/nlu/`, and their fixed train / held-out split.

- `topics/<topic>.yaml`: topical questions (intent `ask`, that topic);
- `intents.yaml`: the other dialogue intents (no topic);
- `out_of_scope.yaml`: messages that are not about a business–government matter;
- `keywords.yaml`: what a business types when it types a word or a few, `topics: {topic: [...]}` (intent
  `ask`) and `out_of_scope: [...]`;
- `imported.yaml` (when present): examples merged from a Rasa assistant's data (`donghanh rasa-import`),
  `topics: {topic: [...]}` and `intents: {intent: [...]}`.

The split is a function of each example's text alone (a hash of its diacritic-free form), so adding
examples never moves an old one between train and held-out, and the same question typed with or without
diacritics always falls on the same side.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.normalize import LEXICON_PATH, strip_diacritics

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "faq_vi" / "nlu"

INTENTS = (
    "ask",
    "report_issue",
    "check_ticket",
    "greet",
    "thanks",
    "goodbye",
    "human",
    "affirm",
    "deny",
    "out_of_scope",
)
TOPICAL_INTENTS = frozenset({"ask", "report_issue", "check_ticket"})
IMPORTED_FILE = "imported.yaml"
KEYWORDS_FILE = "keywords.yaml"
HELD_OUT_SHARE = 5  # one example in five is held out


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    topic: str | None


def split_key(text: str) -> str:
    return " ".join(strip_diacritics(text).lower().split())


def is_held_out(text: str) -> bool:
    """Whether an example belongs to the held-out split (never trained on)."""
    digest = hashlib.sha256(split_key(text).encode("utf-8")).digest()
    return digest[0] % HELD_OUT_SHARE == 0


def _strings(path: Path, values: object, where: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ValueError(f"{path}: {where} must be a list of non-empty strings")
    return [unicodedata.normalize("NFC", v.strip()) for v in values]


def load_examples(data_dir: Path = DATA_DIR, *, topics: tuple[str, ...] | None = None) -> list[Example]:
    """Every example, validated; `topics` (when given) are the only topic codes allowed."""
    examples: list[Example] = []
    for path in sorted((data_dir / "topics").glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        topic = content.get("topic")
        if topic != path.stem or (topics is not None and topic not in topics):
            raise ValueError(f"{path}: topic {topic!r} does not match the file name or is unknown")
        examples += [Example(t, "ask", topic) for t in _strings(path, content.get("examples"), "examples")]
    path = data_dir / "intents.yaml"
    intents = yaml.safe_load(path.read_text(encoding="utf-8"))["intents"]
    for intent, texts in intents.items():
        if intent not in INTENTS or intent in {"ask", "out_of_scope"}:
            raise ValueError(f"{path}: unknown intent {intent!r}")
        examples += [Example(t, intent, None) for t in _strings(path, texts, intent)]
    path = data_dir / "out_of_scope.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples += [Example(t, "out_of_scope", None) for t in _strings(path, content.get("examples"), "examples")]
    examples += keyword_examples(data_dir / KEYWORDS_FILE, topics)
    examples += _imported(data_dir / IMPORTED_FILE, topics)
    _refuse_contradictions(examples)
    return examples


def keyword_examples(path: Path = DATA_DIR / KEYWORDS_FILE, topics: tuple[str, ...] | None = None) -> list[Example]:
    """Keyword and short messages, by topic, and those outside the assistant's scope."""
    content = _read_optional(path)
    out_of_scope = _strings(path, content.get("out_of_scope") or [], "out_of_scope")
    return _by_topic(path, content, topics) + [Example(t, "out_of_scope", None) for t in out_of_scope]


def _imported(path: Path, topics: tuple[str, ...] | None) -> list[Example]:
    """The examples merged from other assistants' data (`donghanh rasa-import`), when there are any."""
    content = _read_optional(path)
    examples = _by_topic(path, content, topics)
    for intent, texts in (content.get("intents") or {}).items():
        if intent not in INTENTS or intent == "ask":
            raise ValueError(f"{path}: unknown intent {intent!r}")
        examples += [Example(t, intent, None) for t in _strings(path, texts, intent)]
    return examples


def _read_optional(path: Path) -> dict:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


def _by_topic(path: Path, content: dict, topics: tuple[str, ...] | None) -> list[Example]:
    """The `topics: {topic: [...]}` part of a file, as questions of those topics."""
    examples = []
    for topic, texts in (content.get("topics") or {}).items():
        if topics is not None and topic not in topics:
            raise ValueError(f"{path}: unknown topic {topic!r}")
        examples += [Example(t, "ask", topic) for t in _strings(path, texts, topic)]
    return examples


def _refuse_contradictions(examples: list[Example]) -> None:
    seen: dict[str, Example] = {}
    for example in examples:
        key = split_key(example.text)
        other = seen.setdefault(key, example)
        if other is not example and (other.intent, other.topic) != (example.intent, example.topic):
            raise ValueError(
                f"contradictory labels for {example.text!r}: {other.intent}/{other.topic} vs "
                f"{example.intent}/{example.topic}"
            )


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(train, held_out)."""
    train = [e for e in examples if not is_held_out(e.text)]
    held_out = [e for e in examples if is_held_out(e.text)]
    return train, held_out


def data_fingerprint(data_dir: Path = DATA_DIR, lexicon_path: Path = LEXICON_PATH) -> str:
    """A hash of every file the trained model depends on."""
    digest = hashlib.sha256()
    for path in [*sorted(data_dir.rglob("*.yaml")), lexicon_path]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
