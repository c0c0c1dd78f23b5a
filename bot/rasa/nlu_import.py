"""Merge a Rasa NLU file's examples into our training data (`donghanh rasa-import nlu.yml`), so a team's
existing data is not lost.

Rasa intents are matched to ours: a dialogue intent by its name (`greet`, `check_ticket`, `out_of_scope`
…), a topical question by its topic — `ask_thue`, a retrieval intent `faq/thue`, or `thue` itself — and any
other name through `mapping` (`--map hoi_thue=ask_thue`). Entity markup is removed. New examples go to
`data/faq_vi/nlu/imported.yaml`; examples we already have (compared without diacritics, case or extra
spaces) are skipped, one we have under another label is reported as a conflict, and intents that match
nothing are reported with their counts, not imported.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.rasa.project import CANCEL_INTENT, TOPIC_INTENT_PREFIX
from nlu.dataset import DATA_DIR, IMPORTED_FILE, INTENTS, Example, load_examples, split_key

_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
HEADER = "# Examples merged from Rasa NLU files by `donghanh rasa-import`; reviewed like the rest of the data.\n"


@dataclass
class ImportReport:
    added: Counter = field(default_factory=Counter)  # our label ("ask/thue", "greet") -> examples added
    duplicates: int = 0
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)  # (text, their label, ours)
    unknown: Counter = field(default_factory=Counter)  # Rasa intent -> examples not imported
    target: Path | None = None

    def lines(self) -> list[str]:
        found = [f"Đã thêm {sum(self.added.values())} ví dụ vào {self.target}; bỏ qua {self.duplicates} ví dụ đã có."]
        found += [f"  + {label}: {count}" for label, count in sorted(self.added.items())]
        if self.conflicts:
            found.append(f"{len(self.conflicts)} ví dụ đã có với nhãn khác (không nhập):")
            found += [f"  ! «{text}»: {theirs} ≠ {ours}" for text, theirs, ours in self.conflicts[:20]]
        if self.unknown:
            found.append(
                "Ý định không khớp với dữ liệu của Đồng hành (không nhập; dùng --map TEN=ask_<chủ đề> hoặc tên ý định):"
            )
            found += [f"  ? {intent}: {count} ví dụ" for intent, count in self.unknown.most_common()]
        return found


def read_rasa_nlu(path: Path) -> list[tuple[str, str]]:
    """(Rasa intent, plain text) for every example of a Rasa 3.x NLU YAML file."""
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(content, dict) or not isinstance(content.get("nlu"), list):
        raise ValueError(f"{path}: không phải tệp NLU của Rasa 3 (thiếu khóa 'nlu')")
    found = []
    for block in content["nlu"]:
        if not isinstance(block, dict) or "intent" not in block:
            continue  # synonyms, regexes and lookup tables carry no intent
        examples = block.get("examples") or []
        if isinstance(examples, str):
            texts = [line.strip()[1:].strip() for line in examples.splitlines() if line.strip().startswith("-")]
        else:
            texts = [item.get("text", "") if isinstance(item, dict) else str(item) for item in examples]
        found += [(str(block["intent"]), plain) for plain in map(plain_text, texts) if plain]
    return found


def plain_text(text: str) -> str:
    """The example without Rasa's entity markup, NFC, single spaces."""
    return " ".join(unicodedata.normalize("NFC", _MARKUP.sub(r"\1", text)).split())


def our_label(intent: str, topics: tuple[str, ...], mapping: dict[str, str]) -> tuple[str, str | None] | None:
    """(our intent, topic) for a Rasa intent, or None when it matches nothing of ours."""
    intent = mapping.get(intent, intent)
    for candidate in (intent.removeprefix(TOPIC_INTENT_PREFIX), intent.split("/", 1)[-1]):
        if candidate in topics:
            return "ask", candidate
    if intent in INTENTS and intent != "ask":
        return intent, None
    return None


def merge(
    source: Path, *, topics: tuple[str, ...], data_dir: Path = DATA_DIR, mapping: dict[str, str] | None = None
) -> ImportReport:
    """Merge `source` into `data_dir/imported.yaml` and say what happened."""
    report = ImportReport(target=data_dir / IMPORTED_FILE)
    known = {split_key(e.text): e for e in load_examples(data_dir, topics=topics)}
    imported = _read_imported(report.target)
    for intent, text in read_rasa_nlu(source):
        label = our_label(intent, topics, mapping or {})
        if label is None:
            if intent != CANCEL_INTENT:  # our own export's cancel examples: the engine knows its cancel words
                report.unknown[intent] += 1
            continue
        ours = known.get(split_key(text))
        if ours is not None:
            if (ours.intent, ours.topic) == label:
                report.duplicates += 1
            else:
                report.conflicts.append((text, _name(*label), _name(ours.intent, ours.topic)))
            continue
        known[split_key(text)] = Example(text, *label)
        section, key = ("topics", label[1]) if label[0] == "ask" else ("intents", label[0])
        imported.setdefault(section, {}).setdefault(key, []).append(text)
        report.added[_name(*label)] += 1
    if report.added:
        report.target.write_text(
            HEADER + yaml.safe_dump(imported, allow_unicode=True, sort_keys=True, width=200), encoding="utf-8"
        )
    return report


def _name(intent: str, topic: str | None) -> str:
    return f"{intent}/{topic}" if topic else intent


def _read_imported(path: Path) -> dict:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}
