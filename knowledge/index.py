"""Search indexes: BM25 over syllables (with and without diacritics) and dense vectors in FAISS.

Both index *keys*: short texts that point at a document (an FAQ question, each of its paraphrases, a plan
section). A document's score is the best score of its keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from nlu.normalize import normalize

APPROXIMATE_FROM = 50_000  # keys; below this the dense index is exact


def syllable_tokens(text: str, *, folded: bool) -> list[str]:
    """Lower-cased syllables of the normalised text, with or without their diacritics."""
    normalized = normalize(text)
    return [t for t in (normalized.folded if folded else normalized.text).split() if any(c.isalnum() for c in t)]


@dataclass
class Bm25Index:
    """Okapi BM25 as a sparse matrix: scoring a query is one sparse product."""

    vocabulary: dict[str, int]
    weights: sparse.csr_matrix  # terms x keys, BM25 term weights (rows by term, so a query reads few rows)
    idf: np.ndarray
    k1: float

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> Bm25Index:
        vocabulary: dict[str, int] = {}
        rows, columns, counts = [], [], []
        for row, tokens in enumerate(documents):
            for term, count in Counter(tokens).items():
                rows.append(row)
                columns.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(count)
        shape = (len(documents), max(len(vocabulary), 1))
        tf = sparse.csr_matrix((np.asarray(counts, dtype=np.float32), (rows, columns)), shape=shape)
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        average = lengths.mean() if len(lengths) else 1.0
        document_frequency = np.bincount(columns, minlength=shape[1]) if columns else np.zeros(shape[1])
        idf = np.log(1 + (len(documents) - document_frequency + 0.5) / (document_frequency + 0.5)).astype(np.float32)
        tf = tf.tocoo()
        norm = k1 * (1 - b + b * lengths[tf.row] / max(average, 1e-9))
        data = tf.data * (k1 + 1) / (tf.data + norm) * idf[tf.col]
        weights = sparse.csr_matrix((data.astype(np.float32), (tf.col, tf.row)), shape=(shape[1], shape[0]))
        return cls(vocabulary=vocabulary, weights=weights, idf=idf, k1=k1)

    def scores(self, queries: Sequence[Sequence[str]]) -> np.ndarray:
        """(queries x keys) BM25 scores divided by each query's highest possible score, so in [0, 1].

        Repeated query terms count once.
        """
        rows, columns = [], []
        for row, tokens in enumerate(queries):
            for term in set(tokens):
                if term in self.vocabulary:
                    rows.append(row)
                    columns.append(self.vocabulary[term])
        query = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(len(queries), self.weights.shape[0])
        )
        raw = (query @ self.weights).toarray().astype(np.float32, copy=False)
        ceiling = np.asarray(query @ (self.idf * (self.k1 + 1))).ravel()
        return raw / np.maximum(ceiling, 1e-9)[:, None]


class DenseIndex:
    """Normalised vectors in FAISS: exact inner product, or HNSW when the collection is large."""

    def __init__(self, vectors: np.ndarray, *, approximate: bool | None = None) -> None:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.size, dimension = vectors.shape
        self.approximate = self.size >= APPROXIMATE_FROM if approximate is None else approximate
        if self.approximate:
            self.index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
            self.index.hnsw.efConstruction = 80
            self.index.hnsw.efSearch = 128
        else:
            self.index = faiss.IndexFlatIP(dimension)
        if self.size:
            self.index.add(vectors)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, key ids), each (queries x k); missing hits have id -1."""
        k = max(1, min(k, self.size))
        if not self.size:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)


@dataclass(frozen=True)
class KeyGroups:
    """Which document each key points at. Keys are stored document by document, so one `reduceat`
    finds every document's best key."""

    key_document: np.ndarray
    documents: int
    starts: np.ndarray  # the first key of each document that has keys

    @classmethod
    def of(cls, key_document: np.ndarray, documents: int) -> KeyGroups:
        if np.any(np.diff(key_document) < 0):
            raise ValueError("keys must be grouped by document, in document order")
        starts = np.flatnonzero(np.r_[True, np.diff(key_document) > 0]) if len(key_document) else np.zeros(0, np.int64)
        return cls(key_document=key_document, documents=documents, starts=starts)

    def best(self, key_scores: np.ndarray) -> np.ndarray:
        """(queries x documents): each document's best key score (-inf for documents without keys)."""
        result = np.full((key_scores.shape[0], self.documents), -np.inf, dtype=np.float32)
        if len(self.starts):
            result[:, self.key_document[self.starts]] = np.maximum.reduceat(key_scores, self.starts, axis=1)
        return result
