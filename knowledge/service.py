"""The knowledge base as the app uses it: built from the knowledge sources (`knowledge.sources`), cached,
reloaded when rebuilt.

`build_index` encodes every key once and keeps the vectors in `var/kb/vectors.npz`, keyed by a hash of the
text, so a rebuild after editing a few entries encodes only those. It then writes `var/kb/stamp`; a
running `KnowledgeBase` sees the new stamp at its next question and reloads, without a restart.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from knowledge.answer import Answer, answer_from, compose
from knowledge.catalog import Catalog
from knowledge.retriever import Document, Hit, HybridRetriever, TopicPrior
from nlu.diacritics import DiacriticRestorer
from nlu.embeddings import Encoder
from nlu.normalize import normalize
from nlu.pipeline import ParseResult

BATCH = 64
log = logging.getLogger(__name__)


def key_hash(encoder: Encoder, text: str) -> str:
    return hashlib.sha256(f"{encoder.name}\n{text}".encode()).hexdigest()[:24]


def _load_vectors(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path) as stored:
        return dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))


def build_index(
    documents: Sequence[Document],
    encoder: Encoder,
    kb_dir: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Encode the keys not yet cached and publish a new stamp. Returns (keys encoded now, keys in all)."""
    kb_dir.mkdir(parents=True, exist_ok=True)
    cached = _load_vectors(kb_dir / "vectors.npz")
    texts = list(dict.fromkeys(key for document in documents for key in document.keys))
    hashes = [key_hash(encoder, t) for t in texts]
    missing = [(h, t) for h, t in zip(hashes, texts, strict=True) if h not in cached]
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        for (h, _), vector in zip(batch, encoder.encode_passages([t for _, t in batch]), strict=True):
            cached[h] = vector
        if progress:
            progress(min(start + BATCH, len(missing)), len(missing))
    kept = {h: cached[h] for h in hashes}
    temporary = kb_dir / "vectors.tmp.npz"
    np.savez(
        temporary,
        keys=np.array(list(kept), dtype=str),
        vectors=np.array(list(kept.values()), dtype=np.float32).reshape(len(kept), -1),
    )
    temporary.replace(kb_dir / "vectors.npz")
    stamp = hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest()[:16]
    (kb_dir / "stamp").write_text(stamp, encoding="utf-8")
    return len(missing), len(texts)


class KnowledgeBase:
    """Answers questions from the current index; reloads when `build_index` published a new one."""

    def __init__(
        self, load_documents: Callable[[], list[Document]], encoder: Encoder, catalog: Catalog, kb_dir: Path
    ) -> None:
        self.load_documents = load_documents
        self.encoder = encoder
        self.catalog = catalog
        self.kb_dir = kb_dir
        self._lock = threading.Lock()
        self._stamp: str | None = None
        self._retriever: HybridRetriever | None = None

    @property
    def stamp(self) -> str | None:
        path = self.kb_dir / "stamp"
        return path.read_text(encoding="utf-8").strip() if path.exists() else None

    @property
    def loaded_stamp(self) -> str | None:
        """The stamp of the index this process answers from (None before the first question)."""
        return self._stamp

    def rebuild(self) -> tuple[int, int]:
        """Re-index the current documents (after an FAQ entry was published); servers reload at their next question."""
        return build_index(self.load_documents(), self.encoder, self.kb_dir)

    def retriever(self) -> HybridRetriever:
        """The retriever for the newest published index (built first when none was published)."""
        with self._lock:
            if self.stamp is None:
                build_index(self.load_documents(), self.encoder, self.kb_dir)
            stamp = self.stamp
            if self._retriever is None or stamp != self._stamp:
                self._retriever = self._load()
                self._stamp = stamp
            return self._retriever

    def _load(self) -> HybridRetriever:
        documents = self.load_documents()
        vectors = _load_vectors(self.kb_dir / "vectors.npz")
        keys = [key for document in documents for key in document.keys]
        hashes = [key_hash(self.encoder, k) for k in keys]
        if any(h not in vectors for h in hashes):  # data edited since the last build: encode what is new
            build_index(documents, self.encoder, self.kb_dir)
            vectors = _load_vectors(self.kb_dir / "vectors.npz")
        matrix = np.array([vectors[h] for h in hashes], dtype=np.float32).reshape(len(keys), -1)
        texts = [normalize(t).text for d in documents for t in (*d.keys, d.text)]
        restorer = DiacriticRestorer.train(texts)
        return HybridRetriever(documents, self.encoder, restore=restorer.restore, key_vectors=matrix)

    def search(self, question: str, k: int = 5, *, prior: TopicPrior | None = None) -> list[Hit]:
        return self.retriever().search(question, k, prior=prior)

    def ask(self, question: str, understood: ParseResult | None = None) -> Answer:
        """The answer, choices or ticket offer for a question, given what the NLU understood of it.

        A message the NLU finds out of scope gets no policy answer; otherwise its topic probabilities
        favour the entries of likely topics.
        """
        if understood is not None and understood.intent == "out_of_scope":
            return Answer("out_of_scope", None, None, None, understood.confidence, ())
        prior = understood.topic_prior if understood else None
        topic_hint = understood.topic if understood else None
        return compose(self.search(question, 5, prior=prior), self.catalog, topic_hint=topic_hint)

    def answer_document(self, document_id: str) -> Answer | None:
        """The answer from a document the user chose among the offered ones (None for an unknown id)."""
        document = self.retriever().document(document_id)
        return answer_from(document, self.catalog, confidence=1.0) if document else None
