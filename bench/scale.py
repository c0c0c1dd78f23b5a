"""Scale benchmark: the hybrid retriever over 100,000 synthetic FAQ entries on this machine.

Synthetic entries are spliced from the real FAQ's questions and paraphrases (the first part of one, the
last part of another), so their vocabulary, length and mix of accented and unaccented text match real
keys, and many of them are near misses for real questions. The real FAQ (its held-out test paraphrases
removed) is indexed with them; its test paraphrases are then asked one at a time, as the server would,
with the encoder on one thread (query encoding included in the timings).

Prints: build time (encoding the keys on all cores, BM25, FAISS HNSW), query p50/p95/p99, resident
memory, and R@1 of the real test paraphrases among the distractors; then one JSON line.

    .venv/bin/python bench/scale.py [--entries 100000] [--reuse-vectors]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from retrieval import faq_split, restorer_for

from bot.bootstrap import build_nlu
from bot.settings import load_settings
from knowledge.catalog import load_catalog
from knowledge.index import APPROXIMATE_FROM
from knowledge.legal import load_register
from knowledge.loader import load_plan
from knowledge.retriever import Document, HybridRetriever
from knowledge.sources import all_documents
from nlu.embeddings import load_encoder


def synthetic_entries(pool: list[str], count: int, seed: int = 7) -> list[Document]:
    """`count` entries, each keyed by a question spliced from two real ones."""
    rng = random.Random(seed)
    topics = ["thue", "hai_quan", "tin_dung", "dau_tu", "dang_ky_kinh_doanh", "dat_dai", "xay_dung", "quy_hoach"]
    entries = []
    for number in range(count):
        first, second = rng.choice(pool).split(), rng.choice(pool).split()
        head = first[: max(2, len(first) // 2 + rng.randint(-2, 2))]
        tail = second[max(1, len(second) // 2 + rng.randint(-2, 2)) :]
        question = " ".join(head + tail)
        entries.append(
            Document(f"synthetic-{number}", "faq", question, question, rng.choice(topics), None, (question,))
        )
    return entries


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(np.array(values), share * 100))


def resident_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300, help="real test paraphrases asked one at a time")
    parser.add_argument(
        "--reuse-vectors",
        action="store_true",
        help="read the key vectors of an earlier run (build time then not measured)",
    )
    args = parser.parse_args()
    settings = load_settings()
    catalog, plan = load_catalog(), load_plan()
    real, _dev, test = faq_split(all_documents(plan, catalog, load_register()))
    pool = [key for d in real if d.source == "faq" for key in d.keys[: d.asked]]  # questions and kept paraphrases
    documents = real + synthetic_entries(pool, args.entries)
    keys = [key for d in documents for key in d.keys]
    print(f"{len(documents):,} documents ({args.entries:,} synthetic), {len(keys):,} keys; {os.cpu_count()} cores")

    cache = (
        settings.DONGHANH_VAR_DIR
        / "bench"
        / f"scale-{hashlib.sha256(chr(10).join(keys).encode()).hexdigest()[:16]}.npy"
    )
    encode_seconds = None
    if args.reuse_vectors and cache.exists():
        vectors = np.load(cache)
        print(f"encoding: skipped, vectors read from {cache}")
    else:
        batch_encoder = load_encoder(settings.EMBEDDING_MODEL, threads=os.cpu_count() or 1)
        started = time.perf_counter()
        vectors = batch_encoder.encode_passages(keys)
        encode_seconds = time.perf_counter() - started
        print(f"encoding: {encode_seconds:.0f} s ({len(keys) / encode_seconds:.0f} keys/s)")
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, vectors)
        del batch_encoder

    encoder = load_encoder(settings.EMBEDDING_MODEL, threads=1)
    started = time.perf_counter()
    retriever = HybridRetriever(documents, encoder, restore=restorer_for(real).restore, key_vectors=vectors)
    index_seconds = time.perf_counter() - started
    print(
        f"BM25 + FAISS ({'HNSW' if retriever.dense.approximate else 'exact'}, "
        f"approximate from {APPROXIMATE_FROM:,} keys): {index_seconds:.1f} s"
    )

    nlu = build_nlu(settings, encoder=encoder, catalog=catalog, plan=plan)
    questions = test[: args.queries]
    for text, _ in questions[:5]:  # warm-up
        retriever.search(text, prior=nlu.parse(text).topic_prior)
    retrieval_ms, total_ms, hits = [], [], 0
    for text, gold in questions:
        started = time.perf_counter()
        prior = nlu.parse(text).topic_prior
        middle = time.perf_counter()
        best = retriever.search(text, 5, prior=prior)[0]
        ended = time.perf_counter()
        retrieval_ms.append((ended - middle) * 1000)
        total_ms.append((ended - started) * 1000)
        hits += best.document.id == real[gold].id
    figures = {
        "documents": len(documents),
        "keys": len(keys),
        "build_seconds": {
            "encode": round(encode_seconds, 1) if encode_seconds is not None else None,
            "index": round(index_seconds, 1),
        },
        "query_ms": {p: round(percentile(retrieval_ms, s), 1) for p, s in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))},
        "query_with_nlu_ms": {p: round(percentile(total_ms, s), 1) for p, s in (("p50", 0.5), ("p95", 0.95))},
        "peak_rss_mb": round(resident_mb()),
        "faq_test_r@1_among_distractors": round(hits / len(questions), 3),
        "queries": len(questions),
    }
    print(f"{'measure':<44}{'value':>12}")
    if encode_seconds is not None:
        print(f"{'build: encode keys (s)':<44}{encode_seconds:>12.0f}")
    print(f"{'build: BM25 + FAISS (s)':<44}{index_seconds:>12.1f}")
    for name, value in figures["query_ms"].items():
        print(f"{'query ' + name + ' (ms, encoding included)':<44}{value:>12.1f}")
    for name, value in figures["query_with_nlu_ms"].items():
        print(f"{'query ' + name + ' with the NLU topic prior (ms)':<44}{value:>12.1f}")
    print(f"{'peak resident memory (MB)':<44}{figures['peak_rss_mb']:>12}")
    print(f"{'FAQ test R@1 among the distractors':<44}{figures['faq_test_r@1_among_distractors']:>12.3f}")
    print(json.dumps({"bench": "scale", "figures": figures}))


if __name__ == "__main__":
    main()
