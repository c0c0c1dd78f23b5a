"""Intent and topic classification with calibrated probabilities.

Features, for every message:
- character 2–5-grams and word 1–2-grams of the *diacritic-free* normalised text (`folded`), on which a
  question typed with and without accents meet;
- the e5 sentence vector of the normalised text, its diacritics first restored when it was typed without
  them (`nlu.diacritics`), so the dense model sees the accented form it was trained on.

Two multinomial logistic-regression heads share the features: the dialogue intent (10 classes) and the
topic (13 topics + `none`). Training sees each example as written and with its diacritics stripped.
Each head's probabilities are calibrated by temperature scaling fitted on out-of-fold scores.
Everything is deterministic for the same data and encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from nlu import inference
from nlu.dataset import Example
from nlu.diacritics import DiacriticRestorer
from nlu.embeddings import Encoder
from nlu.normalize import Normalized, normalize, strip_diacritics

NO_TOPIC = "none"
DENSE_WEIGHT = 2.0  # chosen with C by 4-fold grouped cross-validation on the train split (bench notes in README)
C_VALUE = 10.0


def dense_input(normalized: Normalized, restorer: DiacriticRestorer) -> str:
    """What the dense encoder sees: the normalised text, diacritics restored if it had none."""
    return normalized.text if normalized.has_diacritics else restorer.restore(normalized.text)


def lexical_vectorizers(folded: Sequence[str]) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """TF-IDF over character 2-5-grams and word 1-2-grams of diacritic-free text, fitted on `folded`."""
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32)
    words = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b", dtype=np.float32
    )
    return chars.fit(folded), words.fit(folded)


@dataclass
class Features:
    """Turns normalised messages into one feature matrix."""

    chars: TfidfVectorizer
    words: TfidfVectorizer
    restorer: DiacriticRestorer
    dense_weight: float = DENSE_WEIGHT

    @classmethod
    def fit(cls, folded: Sequence[str], restorer: DiacriticRestorer) -> Features:
        chars, words = lexical_vectorizers(folded)
        return cls(chars=chars, words=words, restorer=restorer)

    def transform(self, normalized: Sequence[Normalized], encoder: Encoder | None) -> sparse.csr_matrix:
        folded = [n.folded for n in normalized]
        blocks = [inference.tfidf(self.chars, folded), inference.tfidf(self.words, folded)]
        if encoder is not None:
            vectors = encoder.encode_queries([dense_input(n, self.restorer) for n in normalized])
            blocks.append(sparse.csr_matrix(vectors * self.dense_weight))
        return sparse.hstack(blocks, format="csr", dtype=np.float32)


@dataclass
class CalibratedHead:
    """A logistic-regression head and its temperature."""

    model: LogisticRegression
    temperature: float

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.model.classes_]

    def probabilities(self, features: sparse.csr_matrix) -> np.ndarray:
        return inference.softmax(inference.decision_scores(self.model, features) / self.temperature)


def _new_model() -> LogisticRegression:
    return LogisticRegression(C=C_VALUE, max_iter=3000, class_weight="balanced")


def _fit_temperature(scores: np.ndarray, labels: np.ndarray, classes: list[str]) -> float:
    index = np.array([classes.index(label) for label in labels])

    def negative_log_likelihood(temperature: float) -> float:
        probabilities = inference.softmax(scores / temperature)
        return float(-np.log(probabilities[np.arange(len(index)), index] + 1e-12).mean())

    return float(minimize_scalar(negative_log_likelihood, bounds=(0.05, 20.0), method="bounded").x)


def train_head(features: sparse.csr_matrix, labels: Sequence[str], groups: np.ndarray) -> CalibratedHead:
    """Fit a head, and its temperature on out-of-fold scores (folds keep both forms of an example together)."""
    labels_array = np.asarray(labels)
    classes = sorted(set(labels))
    out_of_fold = np.zeros((len(labels_array), len(classes)))
    unique_groups = np.unique(groups)
    group_labels = np.array([labels_array[groups == g][0] for g in unique_groups])
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    for train_groups, test_groups in folds.split(unique_groups, group_labels):
        train_mask = np.isin(groups, unique_groups[train_groups])
        test_mask = np.isin(groups, unique_groups[test_groups])
        model = _new_model().fit(features[train_mask], labels_array[train_mask])
        columns = [classes.index(c) for c in model.classes_]
        out_of_fold[np.ix_(test_mask, columns)] = model.decision_function(features[test_mask])
    temperature = _fit_temperature(out_of_fold, labels_array, classes)
    return CalibratedHead(model=_new_model().fit(features, labels_array), temperature=temperature)


@dataclass
class IntentTopicModel:
    """The trained artefact: features and both heads."""

    features: Features
    intent_head: CalibratedHead
    topic_head: CalibratedHead
    uses_encoder: bool

    def probabilities(self, normalized: Sequence[Normalized], encoder: Encoder | None) -> tuple[np.ndarray, np.ndarray]:
        matrix = self.features.transform(normalized, encoder if self.uses_encoder else None)
        return self.intent_head.probabilities(matrix), self.topic_head.probabilities(matrix)


def training_views(examples: Sequence[Example]) -> tuple[list[Normalized], list[Example], np.ndarray]:
    """Each example as written and without diacritics, with a group id per original example."""
    normalized, labels, groups = [], [], []
    for index, example in enumerate(examples):
        forms = {example.text, strip_diacritics(example.text)}
        for form in sorted(forms):
            normalized.append(normalize(form))
            labels.append(example)
            groups.append(index)
    return normalized, labels, np.asarray(groups)


def train(examples: Sequence[Example], encoder: Encoder | None, restorer: DiacriticRestorer) -> IntentTopicModel:
    """Train both heads on `examples` (the train split only)."""
    normalized, labels, groups = training_views(examples)
    features = Features.fit([n.folded for n in normalized], restorer)
    matrix = features.transform(normalized, encoder)
    intents = [e.intent for e in labels]
    topics = [e.topic or NO_TOPIC for e in labels]
    return IntentTopicModel(
        features=features,
        intent_head=train_head(matrix, intents, groups),
        topic_head=train_head(matrix, topics, groups),
        uses_encoder=encoder is not None,
    )
