"""The inference shortcuts give scikit-learn's own numbers, on the FAQ's real questions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from knowledge.loader import load_faq
from nlu import inference
from nlu.intents import lexical_vectorizers
from nlu.normalize import normalize

QUERIES = [
    "thu tuc hoan thue gtgt",
    "Thủ tục hoàn thuế giá trị gia tăng mất bao lâu?",
    "",  # nothing the vocabulary knows
    "zzzz qqqq",
    "thue thue thue hai quan",  # repeated terms: sublinear term frequency
    "Đăng ký thành lập doanh nghiệp cần những giấy tờ gì",
]


@pytest.fixture(scope="module")
def questions() -> list[str]:
    return [normalize(entry.question).folded for entry in load_faq()]


@pytest.fixture(scope="module")
def labels(questions: list[str]) -> list[str]:
    return [entry.topic for entry in load_faq()][: len(questions)]


def _folded(texts: list[str]) -> list[str]:
    return [normalize(text).folded for text in texts]


def test_tfidf_equals_the_vectorizers_transform(questions: list[str]) -> None:
    queries = _folded(QUERIES) + questions[:20]
    for vectorizer in lexical_vectorizers(questions):
        ours, theirs = inference.tfidf(vectorizer, queries), vectorizer.transform(queries)
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        assert abs(ours - theirs).max() < 1e-6
        assert ours[2].nnz == 0  # the empty message has no features, and no division by zero


@pytest.mark.parametrize(
    "options", [{"norm": "l1"}, {"norm": None}, {"binary": True, "sublinear_tf": False}, {"use_idf": False}]
)
def test_tfidf_follows_the_vectorizers_other_settings(questions: list[str], options: dict) -> None:
    vectorizer = TfidfVectorizer(analyzer="word", **options).fit(questions)
    queries = _folded(QUERIES)
    assert abs(inference.tfidf(vectorizer, queries) - vectorizer.transform(queries)).max() < 1e-6


def test_scores_and_probabilities_equal_the_models_own(questions: list[str], labels: list[str]) -> None:
    chars, words = lexical_vectorizers(questions)
    features = sparse.hstack([chars.transform(questions), words.transform(questions)], format="csr")
    queries = _folded(QUERIES)
    asked = sparse.hstack([chars.transform(queries), words.transform(queries)], format="csr")
    several = LogisticRegression(max_iter=500).fit(features, labels)
    assert len(several.classes_) > 2
    assert np.allclose(inference.decision_scores(several, asked), several.decision_function(asked), atol=1e-6)
    assert np.allclose(inference.class_probabilities(several, asked), several.predict_proba(asked), atol=1e-6)
    two = LogisticRegression(max_iter=500).fit(features, [label == "thue" for label in labels])
    assert inference.decision_scores(two, asked).shape == (len(queries),)
    assert np.allclose(inference.class_probabilities(two, asked), two.predict_proba(asked), atol=1e-6)
