"""NLU benchmark: our pipeline against two first-try baselines, on the same held-out split.

Also an ablation of our own pipeline: the same model with diacritic restoration switched off at inference.

Baselines (trained on the same train split, on the text as written, one label per message: the topic
for topical questions, else the dialogue intent):
- TF-IDF (word 1–2-grams) + linear SVM;
- nearest neighbour by BM25 over lower-cased syllables.

Also on keyword messages: the keyword examples of the held-out split, and the keyword evaluation set of
`data/faq_vi/eval/keywords.yaml` (never trained on).

Prints a table, then speed (latency one message at a time, throughput in batches, load time, peak
memory), then one JSON line with every figure.

    .venv/bin/python bench/nlu.py
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.bootstrap import build_nlu
from bot.settings import load_settings
from knowledge.catalog import load_catalog
from knowledge.loader import load_plan
from nlu.dataset import Example, keyword_examples, load_examples, split, split_key
from nlu.embeddings import load_encoder
from nlu.evaluation import score, variants
from nlu.pipeline import NluPipeline, ParseResult

TOPICS = tuple(load_catalog().topics)
KEYWORD_EVAL = ROOT / "data" / "faq_vi" / "eval" / "keywords.yaml"


def label_of(example: Example) -> str:
    return example.topic or example.intent


def as_result(text: str, label: str) -> ParseResult:
    topical = label in TOPICS
    return ParseResult(text, "ask" if topical else label, label if topical else None, None, 1.0)


class TfidfSvm:
    def __init__(self, train: Sequence[Example]) -> None:
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        features = self.vectorizer.fit_transform([e.text.lower() for e in train])
        self.model = LinearSVC(C=1.0).fit(features, [label_of(e) for e in train])

    def predict(self, texts: Sequence[str]) -> list[ParseResult]:
        labels = self.model.predict(self.vectorizer.transform([t.lower() for t in texts]))
        return [as_result(t, label) for t, label in zip(texts, labels, strict=True)]


class Bm25Neighbour:
    """Okapi BM25 (k1 = 1.5, b = 0.75): the label of the best-scoring training message."""

    def __init__(self, train: Sequence[Example], k1: float = 1.5, b: float = 0.75) -> None:
        self.docs = [Counter(e.text.lower().split()) for e in train]
        self.labels = [label_of(e) for e in train]
        self.lengths = np.array([sum(d.values()) for d in self.docs], dtype=float)
        frequency = Counter(term for d in self.docs for term in d)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
        self.k1, self.b, self.average = k1, b, self.lengths.mean()

    def predict(self, texts: Sequence[str]) -> list[ParseResult]:
        results = []
        for text in texts:
            terms = text.lower().split()
            scores = np.zeros(len(self.docs))
            for i, doc in enumerate(self.docs):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / self.average)
                scores[i] = sum(
                    self.idf.get(t, 0) * doc[t] * (self.k1 + 1) / (doc[t] + norm) for t in terms if t in doc
                )
            results.append(as_result(text, self.labels[int(scores.argmax())]))
        return results


class NoRestoration:
    """Ablation: the e5 encoder sees unaccented text as typed (no diacritic restoration)."""

    def restore(self, text: str) -> str:
        return text


def without_restoration(pipeline: NluPipeline) -> NluPipeline:
    features = dataclasses.replace(pipeline.model.features, restorer=NoRestoration())
    return NluPipeline(dataclasses.replace(pipeline.model, features=features), pipeline.encoder, pipeline.departments)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


LOADER = (
    "from bot.bootstrap import build_nlu; from bot.settings import load_settings;"
    "from knowledge.catalog import load_catalog; from knowledge.loader import load_plan;"
    "from nlu.embeddings import load_encoder; s=load_settings();"
    "p=build_nlu(s, encoder=load_encoder(s.EMBEDDING_MODEL), catalog=load_catalog(), plan=load_plan())"
)


def load_time_in_fresh_process() -> float:
    """Seconds for a new process to import everything, load the cached pipeline and encoder, and parse once."""
    code = f"import time; t=time.perf_counter(); {LOADER}; p.parse('khởi động'); print(time.perf_counter()-t)"
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(output.stdout.strip().splitlines()[-1])


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = load_settings()
    train, held_out = split(load_examples())
    started = time.perf_counter()
    pipeline = build_nlu(
        settings, encoder=load_encoder(settings.EMBEDDING_MODEL), catalog=load_catalog(), plan=load_plan()
    )
    pipeline.parse("khởi động")
    warm_load = time.perf_counter() - started
    systems: dict[str, Callable[[Sequence[str]], list[ParseResult]]] = {
        "donghanh": pipeline.parse_batch,
        "donghanh_no_restore": without_restoration(pipeline).parse_batch,
        "tfidf_svm": TfidfSvm(train).predict,
        "bm25_nn": Bm25Neighbour(train).predict,
    }
    keywords = {split_key(e.text) for e in keyword_examples()}
    sets = {
        "": [e for e in held_out if split_key(e.text) not in keywords],  # full messages, as before keywords came
        "keywords_held_out:": [e for e in held_out if split_key(e.text) in keywords],
        "keywords_eval:": [
            Example(item["text"], "ask" if item["topic"] else "out_of_scope", item["topic"])
            for item in yaml.safe_load(KEYWORD_EVAL.read_text(encoding="utf-8"))
        ],
    }
    figures: dict[str, dict[str, dict[str, object]]] = {}
    for name, predict in systems.items():
        figures[name] = {}
        for prefix, examples in sets.items():
            for variant, items in variants(examples).items():
                report = score(predict([t for t, _ in items]), [e for _, e in items])
                report.pop("confusion")
                figures[name][prefix + variant] = report

    columns = ["topic_accuracy", "topic_macro_f1", "intent_accuracy", "oos_precision", "oos_recall", "topical_refused"]
    print(
        f"held-out split: {len(sets[''])} messages and {len(sets['keywords_held_out:'])} keyword examples; "
        f"keyword evaluation set: {len(sets['keywords_eval:'])}; train: {len(train)}"
    )
    print(f"{'system':<21}{'variant':<38}" + "".join(f"{c:>17}" for c in columns))
    for name, by_variant in figures.items():
        for variant, report in by_variant.items():
            print(f"{name:<21}{variant:<38}" + "".join(f"{report[c]:>17.3f}" for c in columns))

    texts = [t for items in variants(sets[""]).values() for t, _ in items]
    latencies = [timed(lambda t=t: pipeline.parse(t)) * 1000 for t in texts]
    batch_seconds = timed(lambda: [pipeline.parse_batch(texts[i : i + 64]) for i in range(0, len(texts), 64)])
    fresh_load = load_time_in_fresh_process()
    speed = {
        "latency_ms_p50": statistics.median(latencies),
        "latency_ms_p95": percentile(latencies, 0.95),
        "throughput_msgs_per_s_batch64": len(texts) / batch_seconds,
        "load_s_fresh_process": fresh_load,
        "load_s_in_bench": warm_load,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print()
    for key, value in speed.items():
        print(f"{key:<32}{value:10.1f}")
    print(
        json.dumps({"bench": "nlu", "held_out": len(held_out), "train": len(train), "systems": figures, "speed": speed})
    )


if __name__ == "__main__":
    main()
