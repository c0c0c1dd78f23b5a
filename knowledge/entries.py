"""A classifier over FAQ entries, trained on their questions and paraphrases.

Retrieval scores a query against each key on its own; the classifier learns, across all of an entry's
phrasings, which words tell it apart from its neighbours (a refund that is late versus a refund file).
Its probability is one more signal in the fusion. Lexical features only (TF-IDF over character and word
n-grams of diacritic-free text), so it adds no encoder call per query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu import inference
from nlu.intents import lexical_vectorizers
from nlu.normalize import normalize

C_VALUE = 3.0  # chosen on the FAQ dev split (bench/retrieval.py)
MAX_ENTRIES = 5_000  # beyond this, one class per entry is too costly to train; the signal is left out


@dataclass
class EntryClassifier:
    chars: TfidfVectorizer
    words: TfidfVectorizer
    model: LogisticRegression
    documents: int

    @classmethod
    def train(cls, phrasings: Sequence[tuple[int, str]], documents: int) -> EntryClassifier | None:
        """From (document position, question or paraphrase) pairs; None when there is nothing to learn."""
        labels = [position for position, _ in phrasings]
        if len(set(labels)) < 2 or len(set(labels)) > MAX_ENTRIES:
            return None
        # Diacritic-free text: a phrasing typed with or without diacritics is the same example.
        texts = [normalize(text).folded for _, text in phrasings]
        chars, words = lexical_vectorizers(texts)
        model = LogisticRegression(C=C_VALUE, max_iter=2000).fit(cls._features(chars, words, texts), labels)
        return cls(chars=chars, words=words, model=model, documents=documents)

    @staticmethod
    def _features(chars: TfidfVectorizer, words: TfidfVectorizer, folded: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([inference.tfidf(chars, folded), inference.tfidf(words, folded)], format="csr")

    def probabilities(self, queries: Sequence[str]) -> np.ndarray:
        """(queries x documents): the probability that each document is the entry asked about.

        A document the classifier does not know (a plan section) takes the best entry's probability, so
        the signal ranks FAQ entries among themselves and neither lifts nor sinks the others.
        """
        folded = [normalize(q).folded for q in queries]
        known = inference.class_probabilities(self.model, self._features(self.chars, self.words, folded)).astype(
            np.float32
        )
        result = np.repeat(known.max(axis=1, keepdims=True), self.documents, axis=1)
        result[:, self.model.classes_] = known
        return result
