"""Retrieval benchmark on XQuAD-vi: each question must find its paragraph among the 240.

Systems: BM25 on accented syllables, BM25 on diacritic-free syllables, dense e5 (FAISS, exact), and the
hybrid fusion of the three (`knowledge.retriever`). Queries as written and with diacritics stripped; for
stripped queries the dense part of the hybrid restores diacritics first, with a restorer learnt from the
indexed paragraphs themselves. Prints a table and one JSON line.

    .venv/bin/python bench/retrieval.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import load_settings  # noqa: E402
from knowledge.retriever import Document, HybridRetriever  # noqa: E402
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


def measures(ranked: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """R@1, R@5 and MRR from (queries x documents) scores."""
    order = np.argsort(-ranked, axis=1, kind="stable")
    ranks = np.array([int(np.where(order[i] == gold[i])[0][0]) + 1 for i in range(len(gold))])
    return {"r@1": float((ranks == 1).mean()), "r@5": float((ranks <= 5).mean()), "mrr": float((1.0 / ranks).mean())}


def main() -> None:
    settings = load_settings()
    encoder = load_encoder(settings.EMBEDDING_MODEL)
    documents, questions = load_xquad()
    started = time.perf_counter()
    restorer = DiacriticRestorer.train([normalize(d.text).text for d in documents])
    retriever = HybridRetriever(documents, encoder, restore=restorer.restore)
    build_seconds = time.perf_counter() - started
    gold = np.array([index for _, index in questions])
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for variant, texts in {
        "as_written": [q for q, _ in questions],
        "without_diacritics": [strip_diacritics(q) for q, _ in questions],
    }.items():
        signals = retriever.signals(texts)
        figures[variant] = {
            "bm25_accented": measures(signals["accented"], gold),
            "bm25_folded": measures(signals["folded"], gold),
            "dense_e5": measures(signals["dense"], gold),
            "hybrid": measures(retriever.fuse(signals, texts), gold),
        }
        if variant == "without_diacritics":  # the dense model on unaccented text as typed, no restoration
            plain = retriever.encoder.encode_queries(texts)
            scores, ids = retriever.dense.search(plain, len(documents))
            dense_plain = np.zeros((len(texts), len(documents)), dtype=np.float32)
            for row in range(len(texts)):
                dense_plain[row, retriever.key_document[ids[row]]] = scores[row]
            figures[variant]["dense_e5_no_restore"] = measures(dense_plain, gold)
    print(f"XQuAD-vi: {len(questions)} questions, {len(documents)} paragraphs; index built in {build_seconds:.1f} s")
    print(f"{'variant':<22}{'system':<22}{'R@1':>8}{'R@5':>8}{'MRR':>8}")
    for variant, systems in figures.items():
        for system, m in systems.items():
            print(f"{variant:<22}{system:<22}{m['r@1']:>8.3f}{m['r@5']:>8.3f}{m['mrr']:>8.3f}")
    print(json.dumps({"bench": "retrieval-xquad-vi", "questions": len(questions), "paragraphs": len(documents), "figures": figures}))


if __name__ == "__main__":
    main()
