"""The NLU pipeline: text -> ParseResult (intent, topic, department, confidence, entities).

`build_pipeline` loads the trained artefact from the cache, or trains it (deterministically, from the
train split of `data/faq_vi/nlu/`) when the data, the lexicon, the encoder or this code changed.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import joblib
import yaml

from nlu import intents as intent_model
from nlu.dataset import DATA_DIR, TOPICAL_INTENTS, data_fingerprint, load_examples, split
from nlu.diacritics import DiacriticRestorer
from nlu.embeddings import Encoder
from nlu.entities import Entity, extract_entities
from nlu.normalize import normalize, strip_diacritics

log = logging.getLogger(__name__)

# The modules whose code shapes the trained artefact: a change to any of them retrains it.
_MODEL_CODE = ("dataset.py", "diacritics.py", "intents.py", "normalize.py", "pipeline.py")
COMMANDS = {"/start": "greet", "/help": "greet", "/phananh": "report_issue", "/tracuu": "check_ticket", "/huy": "deny"}
_COMMAND = re.compile(r"^(/[a-z_]+)(?:@\w+)?\b", re.IGNORECASE)
_HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)
SHORT_REPLIES_PATH = Path(__file__).resolve().parents[1] / "data" / "lexicon" / "short_replies.yaml"
_POLITE_TAIL = re.compile(r"(?:\s+(?:a|ad|nhe|nha|nhen|ha))+$")


@dataclass(frozen=True)
class ParseResult:
    """What the pipeline understood of one message."""

    text: str
    intent: str
    topic: str | None
    department: str | None
    confidence: float
    entities: tuple[Entity, ...] = ()
    topic_candidates: tuple[tuple[str, float], ...] = field(default=(), compare=False)

    @property
    def topic_prior(self) -> dict[str, float]:
        """The likeliest topics' probabilities, for favouring their documents in retrieval."""
        return dict(self.topic_candidates)

    def as_dict(self) -> dict[str, object]:
        """The `donghanh nlu predict` output (docs/interfaces.md): exactly these keys."""
        return {
            "text": self.text,
            "intent": self.intent,
            "topic": self.topic,
            "department": self.department,
            "confidence": round(self.confidence, 4),
            "entities": [entity.as_dict() for entity in self.entities],
        }


class NluPipeline:
    """Understands messages with a trained `IntentTopicModel` and the entity finders."""

    def __init__(
        self,
        model: intent_model.IntentTopicModel,
        encoder: Encoder | None,
        departments: Mapping[str, str],
        *,
        today: Callable[[], date] = date.today,
        route: Callable[[str, str], str] | None = None,
    ) -> None:
        self.model = model
        self.encoder = encoder if model.uses_encoder else None
        self.departments = dict(departments)
        self.today = today
        self.route = route  # (topic, text) -> department, where a topic's rules send some texts elsewhere

    def parse(self, text: str) -> ParseResult:
        return self.parse_batch([text])[0]

    def parse_batch(self, texts: Sequence[str]) -> list[ParseResult]:
        """Parse several messages at once (one encoder call for all)."""
        today = self.today()
        results: list[ParseResult | None] = [self._by_rule(text, today) for text in texts]
        pending = [i for i, r in enumerate(results) if r is None]
        if pending:
            normalized = [normalize(texts[i]) for i in pending]
            intent_probs, topic_probs = self.model.probabilities(normalized, self.encoder)
            for row, index in enumerate(pending):
                results[index] = self._decide(texts[index], intent_probs[row], topic_probs[row], today)
        return [r for r in results if r is not None]

    def _by_rule(self, text: str, today: date) -> ParseResult | None:
        command = _COMMAND.match(text.strip())
        if command and command.group(1).lower() in COMMANDS:
            intent = COMMANDS[command.group(1).lower()]
            return ParseResult(text, intent, None, None, 1.0, tuple(extract_entities(text, today=today)))
        if not _HAS_WORD.search(text):
            return ParseResult(text, "out_of_scope", None, None, 1.0, ())
        reply = short_replies().get(short_reply_key(text))
        if reply:
            return ParseResult(text, reply, None, None, 1.0, ())
        return None

    def _decide(self, text: str, intent_probs, topic_probs, today: date) -> ParseResult:
        intent_labels, topic_labels = self.model.intent_head.labels, self.model.topic_head.labels
        entities = tuple(extract_entities(text, today=today))
        ranked_topics = sorted(
            (
                (label, float(p))
                for label, p in zip(topic_labels, topic_probs, strict=True)
                if label != intent_model.NO_TOPIC
            ),
            key=lambda pair: -pair[1],
        )
        no_topic = float(topic_probs[topic_labels.index(intent_model.NO_TOPIC)])
        best_topic, best_topic_p = ranked_topics[0]
        intent_index = int(intent_probs.argmax())
        intent, confidence = intent_labels[intent_index], float(intent_probs[intent_index])
        topic: str | None = None
        if intent == "ask":
            if no_topic > best_topic_p:
                intent, confidence = "out_of_scope", no_topic
            else:
                topic, confidence = best_topic, confidence * best_topic_p
        elif intent in TOPICAL_INTENTS and best_topic_p >= 0.5:
            topic = best_topic
        if any(e.type == "ticket_code" for e in entities) and intent in {"ask", "out_of_scope"}:
            intent, topic = "check_ticket", None
        return ParseResult(
            text=text,
            intent=intent,
            topic=topic,
            department=self._department(topic, text),
            confidence=confidence,
            entities=entities,
            topic_candidates=tuple(ranked_topics[:3]),
        )

    def _department(self, topic: str | None, text: str) -> str | None:
        if topic is None:
            return None
        return self.route(topic, text) if self.route else self.departments.get(topic)


def short_reply_key(text: str) -> str:
    """A short reply as the lexicon compares it: no diacritics, case, punctuation or polite tail."""
    folded = " ".join(re.sub(r"[^\w\s]", " ", strip_diacritics(text).lower()).split())
    return _POLITE_TAIL.sub("", folded)


@functools.cache
def short_replies(path: Path = SHORT_REPLIES_PATH) -> dict[str, str]:
    """Folded short reply -> "affirm" | "deny" (`data/lexicon/short_replies.yaml`)."""
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {short_reply_key(text): intent for intent in ("affirm", "deny") for text in content[intent]}


def _cache_key(fingerprint: str, encoder: Encoder | None, corpus_hash: str) -> str:
    digest = hashlib.sha256(f"{fingerprint}:{encoder.name if encoder else 'no-encoder'}:{corpus_hash}".encode())
    for name in _MODEL_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


def train_model(
    encoder: Encoder | None,
    restoration_corpus: Iterable[str] = (),
    *,
    topics: tuple[str, ...] | None = None,
    data_dir: Path = DATA_DIR,
) -> intent_model.IntentTopicModel:
    """Train on the train split (the held-out split is never seen)."""
    train_examples, _held_out = split(load_examples(data_dir, topics=topics))
    accented = [normalize(e.text) for e in train_examples]
    restorer = DiacriticRestorer.train(
        [n.text for n in accented if n.has_diacritics] + [normalize(t).text for t in restoration_corpus]
    )
    return intent_model.train(train_examples, encoder, restorer)


def build_pipeline(
    *,
    encoder: Encoder | None,
    departments: Mapping[str, str],
    cache_dir: Path,
    restoration_corpus: Sequence[str] = (),
    today: Callable[[], date] = date.today,
    data_dir: Path = DATA_DIR,
    route: Callable[[str, str], str] | None = None,
) -> NluPipeline:
    """The pipeline, from the cached artefact when it is current, else trained and cached."""
    corpus_hash = hashlib.sha256("\n".join(restoration_corpus).encode()).hexdigest()[:16]
    key = _cache_key(data_fingerprint(data_dir), encoder, corpus_hash)
    path = cache_dir / f"nlu-{key}.joblib"
    if path.exists():
        model = joblib.load(path)
    else:
        log.info("training the NLU model (data or encoder changed) into %s", path)
        model = train_model(encoder, restoration_corpus, topics=tuple(departments), data_dir=data_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        joblib.dump(model, temporary)
        temporary.replace(path)
        for stale in cache_dir.glob("nlu-*.joblib"):
            if stale != path:
                stale.unlink(missing_ok=True)
    return NluPipeline(model, encoder, departments, today=today, route=route)
