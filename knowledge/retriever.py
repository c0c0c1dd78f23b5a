"""Hybrid retrieval over the FAQ and the plan: BM25 (accented and diacritic-free syllables) + e5 in FAISS.

Each document has keys (an FAQ question, each paraphrase and the answer's passages; a plan section's
passages). A
query is scored against every key by BM25 on accented syllables, BM25 on diacritic-free syllables and the
cosine of e5 vectors (the query normalised, and its diacritics restored when it was typed without
them); a document takes its best key on each signal. Two document-level signals join them: the NLU's
probability of the document's topic (the topic prior) and the FAQ entry classifier's probability
(`knowledge.entries`). The signals are fused linearly, with weights that differ for queries typed with
and without diacritics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from knowledge.entries import EntryClassifier
from knowledge.index import Bm25Index, DenseIndex, KeyGroups, syllable_tokens
from nlu.embeddings import Encoder
from nlu.normalize import has_vietnamese_diacritics, normalize


@dataclass(frozen=True)
class Document:
    """Something an answer can come from: an FAQ entry or a plan section."""

    id: str
    source: str  # "faq" | "plan-2022"
    title: str
    text: str
    topic: str | None
    department: str | None
    keys: tuple[str, ...]
    citations: tuple[str, ...] = ()  # the legal sources or plan reference, as the user reads them
    asked: int | None = None  # the first `asked` keys are ways of asking (question, paraphrases); None: every key
    plan_sections: tuple[str, ...] = ()  # plan sections an FAQ entry cites
    review_by: date | None = None  # when an FAQ entry's facts are due to be checked again


@dataclass(frozen=True)
class Weights:
    """Fusion weights: dense cosine, BM25 on accented and on diacritic-free syllables, topic prior, and the
    FAQ entry classifier's probability."""

    dense: float
    accented: float
    folded: float
    topic: float = 0.0
    entry: float = 0.0


# Tuned on the dev split of the FAQ paraphrases (`bench/retrieval.py --tune`); queries with / without
# diacritics.
DEFAULT_WEIGHTS = {
    True: Weights(dense=0.6, accented=0.2, folded=0.2, topic=0.05, entry=0.4),
    False: Weights(dense=0.5, accented=0.0, folded=0.5, topic=0.0, entry=0.4),
}
# e5 cosines of unrelated Vietnamese texts rarely fall below this; the dense signal is rescaled from it to 1.
DENSE_FLOOR = 0.7

TopicPrior = Mapping[str, float]
"""The NLU's probability of each topic for a query; documents of likely topics are favoured."""


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float
    signals: dict[str, float] = field(default_factory=dict, compare=False)


class HybridRetriever:
    """Built once from documents and an encoder; `search` answers many queries."""

    def __init__(
        self,
        documents: Sequence[Document],
        encoder: Encoder,
        *,
        restore: Callable[[str], str] | None = None,
        weights: dict[bool, Weights] | None = None,
        key_vectors: np.ndarray | None = None,
        approximate: bool | None = None,
    ) -> None:
        self.documents = list(documents)
        self._by_id = {document.id: document for document in self.documents}
        self.encoder = encoder
        self.restore = restore
        self.weights = weights or DEFAULT_WEIGHTS
        self.topics = sorted({d.topic for d in self.documents if d.topic})
        # Each document's topic as an index into `topics`; -1 (the last slot of a prior's table) for none.
        self.document_topic = np.array(
            [self.topics.index(d.topic) if d.topic else -1 for d in self.documents], dtype=np.int64
        )
        keys = [(index, key) for index, document in enumerate(self.documents) for key in document.keys]
        self.groups = KeyGroups.of(np.array([index for index, _ in keys], dtype=np.int64), len(self.documents))
        self.key_texts = [key for _, key in keys]
        self.accented = Bm25Index.build([syllable_tokens(k, folded=False) for k in self.key_texts])
        self.folded = Bm25Index.build([syllable_tokens(k, folded=True) for k in self.key_texts])
        if key_vectors is None:
            key_vectors = (
                encoder.encode_passages(self.key_texts)
                if self.key_texts
                else np.zeros((0, encoder.dimension), np.float32)
            )
        self.key_vectors = key_vectors
        self.dense = DenseIndex(key_vectors, approximate=approximate)
        # An FAQ entry's keys teach the entry classifier: its question, paraphrases and answer passages (with
        # the passages, R@1 on the FAQ dev split rose by 2.4 points as written and 4.2 without diacritics).
        phrasings = [(i, key) for i, d in enumerate(self.documents) if d.source == "faq" for key in d.keys]
        self.entries = EntryClassifier.train(phrasings, len(self.documents))

    def _dense_text(self, query: str) -> str:
        """What e5 reads: the normalised query (chat abbreviations spelt out, as the NLU reads it), with its
        diacritics restored when it was typed without them. Keys stay as written: they are well formed."""
        text = normalize(query).text
        if self.restore is not None and not has_vietnamese_diacritics(query):
            return self.restore(text)
        return text

    def signals(self, queries: Sequence[str], *, dense_candidates: int = 200) -> dict[str, np.ndarray]:
        """Per signal, a (queries x documents) matrix of each document's best key score."""
        n = len(self.documents)
        accented = self.groups.best(self.accented.scores([syllable_tokens(q, folded=False) for q in queries]))
        folded = self.groups.best(self.folded.scores([syllable_tokens(q, folded=True) for q in queries]))
        vectors = self.encoder.encode_queries([self._dense_text(q) for q in queries])
        scores, ids = self.dense.search(vectors, dense_candidates)
        dense = np.zeros((len(queries), n), dtype=np.float32)
        for row in range(len(queries)):
            valid = ids[row] >= 0
            np.maximum.at(dense[row], self.groups.key_document[ids[row][valid]], scores[row][valid])
        entry = self.entries.probabilities(queries) if self.entries else np.zeros_like(dense)
        return {"dense": dense, "accented": np.maximum(accented, 0), "folded": np.maximum(folded, 0), "entry": entry}

    def prior(self, priors: Sequence[TopicPrior | None]) -> np.ndarray:
        """(queries x documents): the probability of each document's topic. A document without a topic
        (a plan section) takes the best topic's probability, so the prior neither favours nor hurts it."""
        matrix = np.zeros((len(priors), len(self.documents)), dtype=np.float32)
        for row, prior in enumerate(priors):
            if prior:
                table = np.array([prior.get(t, 0.0) for t in self.topics] + [max(prior.values())], dtype=np.float32)
                matrix[row] = table[self.document_topic]
        return matrix

    def fuse(
        self,
        signals: dict[str, np.ndarray],
        queries: Sequence[str],
        priors: Sequence[TopicPrior | None] | None = None,
        weights: dict[bool, Weights] | None = None,
    ) -> np.ndarray:
        """(queries x documents) fused scores; each query weighted by whether it has diacritics."""
        chosen = [(weights or self.weights)[has_vietnamese_diacritics(q)] for q in queries]

        def weight(name: str) -> np.ndarray:
            return np.array([getattr(w, name) for w in chosen], dtype=np.float32)[:, None]

        dense = np.clip((signals["dense"] - DENSE_FLOOR) / (1 - DENSE_FLOOR), 0, 1)
        return (
            weight("dense") * dense
            + weight("accented") * signals["accented"]
            + weight("folded") * signals["folded"]
            + weight("topic") * self.prior(priors or [None] * len(queries))
            + weight("entry") * signals["entry"]
        )

    def document(self, document_id: str) -> Document | None:
        return self._by_id.get(document_id)

    def search(self, query: str, k: int = 5, *, prior: TopicPrior | None = None) -> list[Hit]:
        return self.search_batch([query], k, priors=[prior])[0]

    def search_batch(
        self, queries: Sequence[str], k: int = 5, *, priors: Sequence[TopicPrior | None] | None = None
    ) -> list[list[Hit]]:
        if not self.documents:
            return [[] for _ in queries]
        signals = self.signals(queries)
        fused = self.fuse(signals, queries, priors)
        results = []
        for row in range(len(queries)):
            order = _best(fused[row], k)
            results.append(
                [
                    Hit(
                        self.documents[i], float(fused[row, i]), {name: float(m[row, i]) for name, m in signals.items()}
                    )
                    for i in order
                ]
            )
        return results


def _best(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, best first (ties by position), without sorting them all."""
    candidates = np.argpartition(-scores, k)[:k] if len(scores) > k else np.arange(len(scores))
    return candidates[np.lexsort((candidates, -scores[candidates]))]
