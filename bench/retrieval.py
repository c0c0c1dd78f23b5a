"""Retrieval benchmark: XQuAD-vi, the project's FAQ paraphrases and questions about the plan.

Collections:
- XQuAD-vi: each of 1,190 questions must find its paragraph among the 240.
- FAQ: a held-out third of the paraphrases, removed from the index, must find their entry among the FAQ
  entries and plan sections. Half of them, the dev split, chose the fusion weights and the confidence
  calibration (`--tune` prints them); the other half, the test split, is reported.
- Plan: the questions of `data/plan/questions.yaml` must find their section of the plan, in the full
  collection (FAQ and plan).

Systems: BM25 on accented syllables, BM25 on diacritic-free syllables, dense e5 (FAISS, exact), and the
hybrid fusion (`knowledge.retriever`), which on the project's own collections also uses the NLU's topic
probabilities as a prior ("hybrid"; "hybrid_no_prior" without it). Queries as written and with diacritics
stripped; for stripped queries the dense part restores diacritics first. Prints a table and one JSON line.

    .venv/bin/python bench/retrieval.py           # figures
    .venv/bin/python bench/retrieval.py --tune    # also search the weights and fit the calibration on dev
    .venv/bin/python bench/retrieval.py --confusions  # also list the FAQ entry pairs most confused on dev
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.bootstrap import build_nlu
from bot.settings import load_settings
from knowledge.answer import Calibration, answer_probability
from knowledge.catalog import load_catalog
from knowledge.legal import load_register
from knowledge.loader import load_plan
from knowledge.retriever import Document, HybridRetriever, TopicPrior, Weights
from knowledge.sources import all_documents
from nlu.dataset import is_held_out, load_examples
from nlu.diacritics import DiacriticRestorer
from nlu.embeddings import load_encoder
from nlu.normalize import has_vietnamese_diacritics, normalize, strip_diacritics
from nlu.pipeline import NluPipeline

XQUAD = ROOT.parent / "shared" / "bench" / "xquad-vi" / "xquad.vi.json"
PLAN_QUESTIONS = ROOT / "data" / "plan" / "questions.yaml"
VARIANTS = {"as_written": lambda q: q, "without_diacritics": strip_diacritics}

Queries = list[tuple[str, int]]


def load_xquad() -> tuple[list[Document], Queries]:
    data = json.loads(XQUAD.read_text(encoding="utf-8"))["data"]
    documents, questions = [], []
    for article in data:
        for paragraph in article["paragraphs"]:
            index = len(documents)
            documents.append(
                Document(
                    f"p{index}", "xquad", article["title"], paragraph["context"], None, None, (paragraph["context"],)
                )
            )
            questions += [(qa["question"], index) for qa in paragraph["qas"]]
    return documents, questions


def faq_split(documents: list[Document]) -> tuple[list[Document], Queries, Queries]:
    """(documents without the held-out paraphrases, dev queries, test queries)."""
    kept, dev, test = [], [], []
    for index, document in enumerate(documents):
        keys, held_out = [], 0
        for position, key in enumerate(document.keys):
            bucket = hashlib.sha256(strip_diacritics(key).lower().encode()).digest()[0] % 6
            is_paraphrase = document.source == "faq" and 0 < position < (document.asked or 0)
            if is_paraphrase and bucket in (0, 1):
                (dev if bucket == 0 else test).append((key, index))
                held_out += 1
            else:
                keys.append(key)
        kept.append(
            replace(document, keys=tuple(keys), asked=None if document.asked is None else document.asked - held_out)
        )
    return kept, dev, test


def plan_questions(documents: list[Document]) -> Queries:
    position = {d.id: i for i, d in enumerate(documents) if d.source == "plan-2022"}
    return [(q["question"], position[q["section"]]) for q in yaml.safe_load(PLAN_QUESTIONS.read_text(encoding="utf-8"))]


def off_topic_messages() -> list[str]:
    """Held-out out-of-scope messages of the NLU data: negatives for the confidence calibration."""
    return [e.text for e in load_examples() if e.intent == "out_of_scope" and is_held_out(e.text)]


def ranks(scores: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """1-based rank of each gold document (ties broken by document order)."""
    gold_scores = scores[np.arange(len(gold)), gold][:, None]
    ahead = (scores > gold_scores) | ((scores == gold_scores) & (np.arange(scores.shape[1])[None, :] < gold[:, None]))
    return ahead.sum(axis=1) + 1


def measures(scores: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    r = ranks(scores, gold)
    return {"r@1": float((r == 1).mean()), "r@5": float((r <= 5).mean()), "mrr": float((1.0 / r).mean())}


class Run:
    """Signals and priors of one query set, computed once, fused under any weights."""

    def __init__(self, retriever: HybridRetriever, texts: list[str], nlu: NluPipeline | None) -> None:
        self.retriever = retriever
        self.texts = texts
        self.signals = retriever.signals(texts, dense_candidates=len(retriever.documents) * 8)
        self.priors: list[TopicPrior | None] = (
            [r.topic_prior for r in nlu.parse_batch(texts)] if nlu else [None] * len(texts)
        )

    def fused(self, weights: dict[bool, Weights]) -> np.ndarray:
        return self.retriever.fuse(self.signals, self.texts, self.priors, weights)


def evaluate(
    retriever: HybridRetriever, questions: Queries, nlu: NluPipeline | None
) -> dict[str, dict[str, dict[str, float]]]:
    gold = np.array([index for _, index in questions])
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for variant, transform in VARIANTS.items():
        run = Run(retriever, [transform(q) for q, _ in questions], nlu)
        figures[variant] = {
            "bm25_accented": measures(run.signals["accented"], gold),
            "bm25_folded": measures(run.signals["folded"], gold),
            "dense_e5": measures(run.signals["dense"], gold),
            "hybrid": measures(run.fused(retriever.weights), gold),
        }
        if nlu is not None:
            no_prior = {flag: replace(w, topic=0.0) for flag, w in retriever.weights.items()}
            figures[variant]["hybrid_no_prior"] = measures(run.fused(no_prior), gold)
        if retriever.entries is not None:
            no_entry = {flag: replace(w, entry=0.0) for flag, w in retriever.weights.items()}
            figures[variant]["hybrid_no_entry"] = measures(run.fused(no_entry), gold)
    return figures


def tune(retriever: HybridRetriever, dev: Queries, nlu: NluPipeline, off_topic: list[str]) -> None:
    """Search the fusion weights on dev (R@1, then MRR), then fit the answer probability; print both."""
    gold = np.array([index for _, index in dev])
    grid = [w for w in itertools.product(np.arange(0, 1.01, 0.1), repeat=2) if w[0] + w[1] <= 1.0001]
    chosen = {}
    for flag, transform in ((True, lambda q: q), (False, strip_diacritics)):
        # Weights for queries with diacritics are chosen on those; without, on every query stripped.
        rows = [i for i, (q, _) in enumerate(dev) if has_vietnamese_diacritics(transform(q)) == flag]
        run = Run(retriever, [transform(dev[i][0]) for i in rows], nlu)
        best = None
        for (dense, accented), topic, entry in itertools.product(
            grid, (0.0, 0.05, 0.1, 0.15, 0.2, 0.3), (0.0, 0.2, 0.4, 0.6, 0.8)
        ):
            weights = Weights(
                round(float(dense), 2), round(float(accented), 2), round(float(1 - dense - accented), 2), topic, entry
            )
            r = ranks(run.fused({True: weights, False: weights}), gold[rows])
            score = ((r == 1).mean(), (1.0 / r).mean())
            if best is None or score > best[0]:
                best = (score, weights)
        chosen[flag] = best[1]
        print(f"dev {'with' if flag else 'without'} diacritics: {best[1]}  R@1 {best[0][0]:.3f}  MRR {best[0][1]:.3f}")
    retriever.weights = chosen
    # Calibration: P(the best hit is right) from its score and its lead over the second, on dev queries
    # (both variants) and off-topic messages (never right).
    features, labels = [], []
    for transform in VARIANTS.values():
        run = Run(retriever, [transform(q) for q, _ in dev], nlu)
        fused = run.fused(chosen)
        top = np.sort(fused, axis=1)[:, ::-1]
        features += list(zip(top[:, 0], top[:, 0] - top[:, 1], strict=True))
        labels += list(fused.argmax(axis=1) == gold)
        off = Run(retriever, [transform(t) for t in off_topic], nlu).fused(chosen)
        off_top = np.sort(off, axis=1)[:, ::-1]
        features += list(zip(off_top[:, 0], off_top[:, 0] - off_top[:, 1], strict=True))
        labels += [False] * len(off_topic)
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=10.0).fit(np.array(features), np.array(labels))
    calibration = Calibration(
        bias=float(model.intercept_[0]), score=float(model.coef_[0][0]), margin=float(model.coef_[0][1])
    )
    print(f"calibration: {calibration}")
    probabilities = np.array([answer_probability(s, m, calibration) for s, m in features])
    labels_array = np.array(labels)
    print(f"{'answer from':>12}{'answered':>10}{'precision':>11}")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        answered = probabilities >= threshold
        precision = labels_array[answered].mean() if answered.any() else float("nan")
        print(f"{threshold:>12.2f}{answered.mean():>10.3f}{precision:>11.3f}")


def confusions(retriever: HybridRetriever, dev: Queries, nlu: NluPipeline, top: int = 25) -> None:
    """The entry pairs most often mistaken for each other on dev (both variants): for content reviewers,
    who may merge, cross-link or sharpen them. Never computed on the test split."""
    gold = np.array([index for _, index in dev])
    pairs: Counter[tuple[str, str]] = Counter()
    for transform in VARIANTS.values():
        best = Run(retriever, [transform(q) for q, _ in dev], nlu).fused(retriever.weights).argmax(axis=1)
        for right, chosen in zip(gold[best != gold], best[best != gold], strict=True):
            pairs[tuple(sorted((retriever.documents[right].id, retriever.documents[chosen].id)))] += 1
    print(f"most confused pairs on dev ({sum(pairs.values())} errors over {2 * len(dev)} queries):")
    for (first, second), count in pairs.most_common(top):
        print(f"{count:>4}  {first}  <->  {second}")


def restorer_for(documents: list[Document]) -> DiacriticRestorer:
    return DiacriticRestorer.train([normalize(t).text for d in documents for t in (*d.keys, d.text)])


def retriever_for(documents: list[Document], encoder) -> HybridRetriever:
    return HybridRetriever(documents, encoder, restore=restorer_for(documents).restore)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tune", action="store_true", help="search fusion weights and fit the calibration on the dev split"
    )
    parser.add_argument(
        "--confusions", action="store_true", help="list the FAQ entry pairs most often confused on the dev split"
    )
    args = parser.parse_args()
    settings = load_settings()
    encoder = load_encoder(settings.EMBEDDING_MODEL, threads=2)
    catalog, plan = load_catalog(), load_plan()
    nlu = build_nlu(settings, encoder=encoder, catalog=catalog, plan=plan)
    results = {}
    documents, questions = load_xquad()
    started = time.perf_counter()
    xquad = retriever_for(documents, encoder)
    print(
        f"XQuAD-vi: {len(questions)} questions, {len(documents)} paragraphs; "
        f"index built in {time.perf_counter() - started:.1f} s"
    )
    results["xquad_vi"] = evaluate(xquad, questions, None)
    full = all_documents(plan, catalog, load_register())
    faq_documents, dev, test = faq_split(full)
    faq = retriever_for(faq_documents, encoder)
    print(
        f"FAQ: {len(dev)} dev and {len(test)} test paraphrases, held out, "
        f"over {len(faq_documents)} documents (FAQ entries and plan sections)"
    )
    if args.tune:
        tune(faq, dev, nlu, off_topic_messages())
    if args.confusions:
        confusions(faq, dev, nlu)
    results["faq_test"] = evaluate(faq, test, nlu)
    plan_set = plan_questions(full)
    print(f"Plan: {len(plan_set)} questions over the full collection ({len(full)} documents)")
    whole = retriever_for(full, encoder)
    whole.weights = faq.weights  # the tuned ones, under --tune
    results["plan"] = evaluate(whole, plan_set, nlu)
    print(f"{'collection':<12}{'variant':<22}{'system':<17}{'R@1':>8}{'R@5':>8}{'MRR':>8}")
    for collection, by_variant in results.items():
        for variant, systems in by_variant.items():
            for system, m in systems.items():
                print(f"{collection:<12}{variant:<22}{system:<17}{m['r@1']:>8.3f}{m['r@5']:>8.3f}{m['mrr']:>8.3f}")
    print(json.dumps({"bench": "retrieval", "figures": results}))


if __name__ == "__main__":
    main()
