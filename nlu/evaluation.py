"""Evaluation of the NLU pipeline on the held-out split, with and without diacritics.

"With diacritics": the held-out examples written with accents, as written. "Without diacritics": every
held-out example with its diacritics stripped (those typed without accents stay as they were typed).
Topic accuracy counts the topical questions (gold intent `ask`); macro-F1 for topics also counts
`null` for the others. Out-of-scope: precision and recall of the `out_of_scope` intent, and the share of
topical questions wrongly refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import f1_score

from nlu.dataset import Example
from nlu.normalize import has_vietnamese_diacritics, strip_diacritics
from nlu.pipeline import NluPipeline, ParseResult

NULL = "null"


def variants(held_out: Sequence[Example]) -> dict[str, list[tuple[str, Example]]]:
    return {
        "with_diacritics": [(e.text, e) for e in held_out if has_vietnamese_diacritics(e.text)],
        "without_diacritics": [(strip_diacritics(e.text), e) for e in held_out],
    }


def expected_calibration_error(confidences: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        mask = (confidences > low) & (confidences <= high)
        if mask.any():
            error += mask.mean() * abs(confidences[mask].mean() - correct[mask].mean())
    return float(error)


def score(results: Sequence[ParseResult], gold: Sequence[Example]) -> dict[str, object]:
    """Every figure for one variant."""
    topics_true = [e.topic or NULL for e in gold]
    topics_pred = [r.topic or NULL for r in results]
    topical = [i for i, e in enumerate(gold) if e.intent == "ask"]
    oos_true = np.array([e.intent == "out_of_scope" for e in gold])
    oos_pred = np.array([r.intent == "out_of_scope" for r in results])
    correct = np.array([(r.intent, r.topic) == (e.intent, e.topic) for r, e in zip(results, gold, strict=True)])
    labels = sorted(set(topics_true) | set(topics_pred))
    confusion = {
        t: {
            p: n
            for p in labels
            if (n := sum(1 for a, b in zip(topics_true, topics_pred, strict=True) if a == t and b == p))
        }
        for t in sorted(set(topics_true))
    }
    return {
        "n": len(gold),
        "topic_accuracy": float(np.mean([topics_pred[i] == topics_true[i] for i in topical])) if topical else None,
        "topic_macro_f1": float(f1_score(topics_true, topics_pred, average="macro", labels=sorted(set(topics_true)))),
        "intent_accuracy": float(np.mean([r.intent == e.intent for r, e in zip(results, gold, strict=True)])),
        "intent_macro_f1": float(
            f1_score(
                [e.intent for e in gold],
                [r.intent for r in results],
                average="macro",
                labels=sorted({e.intent for e in gold}),
            )
        ),
        "oos_precision": float((oos_true & oos_pred).sum() / max(oos_pred.sum(), 1)),
        "oos_recall": float((oos_true & oos_pred).sum() / max(oos_true.sum(), 1)),
        "topical_refused": float(np.mean([results[i].intent == "out_of_scope" for i in topical])) if topical else None,
        "ece": expected_calibration_error(np.array([r.confidence for r in results]), correct),
        "confusion": confusion,
    }


def evaluate(pipeline: NluPipeline, held_out: Sequence[Example]) -> dict[str, dict[str, object]]:
    report = {}
    for name, items in variants(held_out).items():
        results = pipeline.parse_batch([text for text, _ in items])
        report[name] = score(results, [example for _, example in items])
    return report


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def format_report(report: dict[str, dict[str, object]]) -> str:
    """A plain-text report: the figures side by side, then each variant's topic confusion table."""
    names = list(report)
    metrics = [k for k in report[names[0]] if k != "confusion"]
    lines = [f"{'metric':<20}" + "".join(f"{n:>22}" for n in names)]
    lines += [f"{m:<20}" + "".join(f"{_fmt(report[n][m]):>22}" for n in names) for m in metrics]
    for name in names:
        confusion: dict[str, dict[str, int]] = report[name]["confusion"]  # type: ignore[assignment]
        columns = sorted({p for row in confusion.values() for p in row})
        short = {c: c[:7] for c in columns}
        lines += ["", f"topic confusion, {name} (rows: gold, columns: predicted)"]
        lines.append(f"{'':<20}" + "".join(f"{short[c]:>8}" for c in columns))
        for gold, row in confusion.items():
            lines.append(f"{gold:<20}" + "".join(f"{row.get(c, 0) or '.':>8}" for c in columns))
    return "\n".join(lines)
