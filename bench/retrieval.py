"""Retrieval benchmark on XQuAD-vi: each question must find its paragraph among the 240.

Two collections: XQuAD-vi (question -> its paragraph among 240) and the project's FAQ (a held-out third of
the paraphrases, removed from the index, must find their entry among the FAQ entries and plan sections;
half of them, the dev split, chose the fusion weights in `knowledge.retriever`, the other half is reported).

Systems: BM25 on accented syllables, BM25 on diacritic-free syllables, dense e5 (FAISS, exact), and the
hybrid fusion of the three (`knowledge.retriever`). Queries as written and with diacritics stripped; for
stripped queries the dense part of the hybrid restores diacritics first, with a restorer learnt from the
indexed paragraphs themselves. Prints a table and one JSON line.

    .venv/bin/python bench/retrieval.py
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import load_settings  # noqa: E402
from knowledge.catalog import load_catalog  # noqa: E402
from knowledge.loader import load_plan  # noqa: E402
from knowledge.retriever import Document, HybridRetriever  # noqa: E402
from knowledge.service import all_documents  # noqa: E402
from nlu.diacritics import DiacriticRestorer  # noqa: E402
from nlu.embeddings import load_encoder  # noqa: E402
from nlu.normalize import normalize, strip_diacritics  # noqa: E402

XQUAD = ROOT.parent / "shared" / "bench" / "xquad-vi" / "xquad.vi.json"


def load_xquad() -> tuple[list[Document], list[tuple[str, int]]]:
    data = json.loads(XQUAD.read_text(encoding="utf-8"))["data"]
    documents, questions = [], []
    for article in data:
        for paragraph in article["paragraphs"]:
            index = len(documents)
            documents.append(Document(f"p{index}", "xquad", article["title"], paragraph["context"], None, None, (paragraph["context"],)))
            questions += [(qa["question"], index) for qa in paragraph["qas"]]
    return documents, questions


def faq_split() -> tuple[list[Document], list[tuple[str, int]], list[tuple[str, int]]]:
    """(documents without the held-out paraphrases, dev queries, test queries)."""
    documents, dev, test = [], [], []
    for index, document in enumerate(all_documents(load_plan(), load_catalog())):
        keys = []
        for position, key in enumerate(document.keys):
            bucket = hashlib.sha256(strip_diacritics(key).lower().encode()).digest()[0] % 6
            is_paraphrase = document.source == "faq" and 0 < position < len(document.keys) - 1
            if is_paraphrase and bucket in (0, 1):
                (dev if bucket == 0 else test).append((key, index))
            else:
                keys.append(key)
        documents.append(replace(document, keys=tuple(keys)))
    return documents, dev, test


def measures(ranked: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """R@1, R@5 and MRR from (queries x documents) scores."""
    order = np.argsort(-ranked, axis=1, kind="stable")
    ranks = np.array([int(np.where(order[i] == gold[i])[0][0]) + 1 for i in range(len(gold))])
    return {"r@1": float((ranks == 1).mean()), "r@5": float((ranks <= 5).mean()), "mrr": float((1.0 / ranks).mean())}


def evaluate(retriever: HybridRetriever, questions: list[tuple[str, int]]) -> dict[str, dict[str, dict[str, float]]]:
    gold = np.array([index for _, index in questions])
    documents = len(retriever.documents)
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for variant, texts in {
        "as_written": [q for q, _ in questions],
        "without_diacritics": [strip_diacritics(q) for q, _ in questions],
    }.items():
        signals = retriever.signals(texts, dense_candidates=documents * 8)
        figures[variant] = {
            "bm25_accented": measures(signals["accented"], gold),
            "bm25_folded": measures(signals["folded"], gold),
            "dense_e5": measures(signals["dense"], gold),
            "hybrid": measures(retriever.fuse(signals, texts), gold),
        }
    return figures


def restorer_for(documents: list[Document]) -> DiacriticRestorer:
    return DiacriticRestorer.train([normalize(t).text for d in documents for t in (*d.keys, d.text)])


def main() -> None:
    settings = load_settings()
    encoder = load_encoder(settings.EMBEDDING_MODEL)
    results = {}
    documents, questions = load_xquad()
    started = time.perf_counter()
    xquad = HybridRetriever(documents, encoder, restore=restorer_for(documents).restore)
    print(f"XQuAD-vi: {len(questions)} questions, {len(documents)} paragraphs; index built in {time.perf_counter() - started:.1f} s")
    results["xquad_vi"] = evaluate(xquad, questions)
    faq_documents, _dev, test = faq_split()
    faq = HybridRetriever(faq_documents, encoder, restore=restorer_for(faq_documents).restore)
    print(f"FAQ: {len(test)} held-out test paraphrases over {len(faq_documents)} documents (FAQ entries and plan sections)")
    results["faq_test"] = evaluate(faq, test)
    print(f"{'collection':<12}{'variant':<22}{'system':<16}{'R@1':>8}{'R@5':>8}{'MRR':>8}")
    for collection, by_variant in results.items():
        for variant, systems in by_variant.items():
            for system, m in systems.items():
                print(f"{collection:<12}{variant:<22}{system:<16}{m['r@1']:>8.3f}{m['r@5']:>8.3f}{m['mrr']:>8.3f}")
    print(json.dumps({"bench": "retrieval", "figures": results}))


if __name__ == "__main__":
    main()
