"""scikit-learn's inference arithmetic for a message or two, without its input checks.

`TfidfVectorizer.transform` and `LogisticRegression.decision_function` check and convert their input on
every call (about 1 ms each, mostly dataframe detection), which is most of their cost for one short
message, and answering one message calls them several times. These functions do the same arithmetic on
the fitted attributes: same vocabulary, same term weighting, same normalisation, same linear scores
(tests/unit/test_inference.py compares them with scikit-learn's own results). Training still uses
scikit-learn as it is.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

_analyzers: weakref.WeakKeyDictionary[TfidfVectorizer, Callable[[str], list[str]]] = weakref.WeakKeyDictionary()


def tfidf(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """`vectorizer.transform(texts)` of a fitted vectorizer."""
    analyze = _analyzers.get(vectorizer)
    if analyze is None:
        analyze = _analyzers[vectorizer] = vectorizer.build_analyzer()
    vocabulary = vectorizer.vocabulary_
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for text in texts:
        found: dict[int, int] = {}
        for term in analyze(text):
            column = vocabulary.get(term)
            if column is not None:
                found[column] = found.get(column, 0) + 1
        for column in sorted(found):
            indices.append(column)
            counts.append(found[column])
        indptr.append(len(indices))
    values = np.asarray(counts, dtype=vectorizer.dtype)
    if vectorizer.binary:
        values[:] = 1
    if vectorizer.sublinear_tf:
        np.log(values, out=values)
        values += 1
    if vectorizer.use_idf:
        values *= vectorizer.idf_[indices]
    matrix = sparse.csr_matrix(
        (values, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int32)),
        shape=(len(texts), len(vocabulary)),
    )
    return _normalized_rows(matrix, vectorizer.norm)


def _normalized_rows(matrix: sparse.csr_matrix, norm: str | None) -> sparse.csr_matrix:
    if norm is None:
        return matrix
    if norm not in ("l1", "l2"):
        raise ValueError(f"unsupported norm {norm!r}")
    lengths = np.diff(matrix.indptr)
    magnitudes = matrix.data * matrix.data if norm == "l2" else np.abs(matrix.data)
    totals = np.bincount(np.repeat(np.arange(matrix.shape[0]), lengths), weights=magnitudes, minlength=matrix.shape[0])
    if norm == "l2":
        totals = np.sqrt(totals)
    totals[totals == 0] = 1
    totals = totals.astype(matrix.dtype)
    matrix.data /= np.repeat(totals, lengths)
    return matrix


def decision_scores(model: LogisticRegression, features: sparse.csr_matrix | np.ndarray) -> np.ndarray:
    """`model.decision_function(features)`: one score per class, or one per row for two classes."""
    scores = features @ model.coef_.T + model.intercept_
    scores = np.asarray(scores)
    return scores.ravel() if scores.shape[1] == 1 else scores


def class_probabilities(model: LogisticRegression, features: sparse.csr_matrix | np.ndarray) -> np.ndarray:
    """`model.predict_proba(features)` of a multinomial or binary logistic regression."""
    scores = decision_scores(model, features)
    if scores.ndim == 1:
        positive = 1 / (1 + np.exp(-scores))
        return np.column_stack([1 - positive, positive])
    return softmax(scores)


def softmax(scores: np.ndarray) -> np.ndarray:
    """Each row's scores as probabilities."""
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)
