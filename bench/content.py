"""Content and places: how current the FAQ is, and how well the city's units are recognised.

1. Content, as of a day (default today): entries citing a replaced or expired document, unverified documents
   among the 30 most cited, answers leaning on "theo quy định (hiện hành)" without a concrete fact, answers
   stating a numeric deadline, entries with recorded checks, and how many entries of the most asked topics (by
   the demo data's topic frequencies, whole topics until 100 entries) state a concrete fact. `--before REV`
   computes the same figures for the FAQ files of an earlier commit (their sources read by document number
   against today's register), so a change of content can be compared with what it replaced.
2. Places: every one of the 168 current units written eight ways (full and abbreviated type word, with and
   without diacritics, inside a sentence), every former district written four ways; recall, and whether
   the successors offered are the right ones; places wrongly found in the 2,476 NLU examples (which name
   no place unless they say so); extraction time per message.

Prints tables, then one JSON line with every figure.

    .venv/bin/python bench/content.py [--today 2026-12-07] [--before HEAD~5]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.audit import CONCRETE, NUMERIC_DEADLINE, figures, leans_on_hedge
from knowledge.catalog import load_catalog
from knowledge.legal import EXPIRED, REPLACED, load_register
from knowledge.loader import load_faq
from nlu.dataset import load_examples
from nlu.entities import extract_entities
from nlu.normalize import strip_diacritics
from nlu.places import current_units, former_districts
from tickets.demo.life import TOPIC_WEIGHTS

UNIT_WRITINGS = {
    "phường": ("Phường {n}", "phường {n}", "p. {n}", "P.{n}", "p {n}", "phuong {f}", "P.{f}", "p.{f}"),
    "xã": ("Xã {n}", "xã {n}", "x. {n}", "X.{n}", "xa {f}", "x. {f}", "Xa {f}", "x.{f}"),
    "đặc khu": (
        "Đặc khu {n}",
        "đặc khu {n}",
        "dac khu {f}",
        "Dac khu {f}",
        "đặc khu {f}",
        "ĐẶC KHU {N}",
        "dặc khu {n}",
        "dac khu {n}",
    ),
}
DISTRICT_WRITINGS = {
    "quận": ("{name}", "Q.{n}", "q. {f}", "quan {f}"),
    "huyện": ("{name}", "H.{n}", "h. {f}", "huyen {f}"),
    "thành phố": ("{name}", "TP {n}", "tp. {f}", "thanh pho {f}"),
}
SENTENCE = "Công ty ở {}, xin hỏi thủ tục hoàn thuế"


def content_figures(today: date) -> dict[str, object]:
    catalog, register = load_catalog(), load_register()
    entries = load_faq(
        topics={c: t.department for c, t in catalog.topics.items()},
        register=register,
        departments=set(catalog.departments),
    )
    asked = most_asked(entries)
    return {
        **figures(entries, register, today),
        "most_asked": len(asked),
        "most_asked_with_a_concrete_fact": sum(bool(CONCRETE.search(e.answer)) for e in asked),
        "most_asked_with_a_numeric_deadline": sum(bool(NUMERIC_DEADLINE.search(e.answer)) for e in asked),
    }


def most_asked(entries: list) -> list:
    """The entries of the most asked topics (by the demo data's topic frequencies), whole topics, at least 100."""
    chosen: list = []
    for topic in sorted(TOPIC_WEIGHTS, key=lambda code: -TOPIC_WEIGHTS[code]):
        if len(chosen) >= 100:
            break
        chosen += [e for e in entries if e.topic == topic]
    return chosen


def figures_before(revision: str, today: date) -> dict[str, object]:
    """The same figures for the FAQ files of an earlier commit, their sources read by document number."""
    register = load_register()
    listed = subprocess.run(
        ["git", "ls-tree", "--name-only", revision, "data/faq_vi/faq/"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    entries = []
    for path in listed.stdout.split():
        text = subprocess.run(
            ["git", "show", f"{revision}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        entries += yaml.safe_load(text) or []
    replaced, unknown = 0, set()
    for entry in entries:
        documents = [_document_of(source, register) for source in entry["sources"]]
        unknown |= {
            str(s)
            for s, d in zip(entry["sources"], documents, strict=True)
            if d is None and "plan" not in str(s) and "Kế hoạch" not in str(s)
        }
        replaced += any(d is not None and d.standing(today) in (REPLACED, EXPIRED) for d in documents)
    return {
        "entries": len(entries),
        "entries_citing_replaced": replaced,
        "sources_unknown_to_register": len(unknown),
        "answers_leaning_on_hedge": sum(leans_on_hedge(e["answer"]) for e in entries),
        "answers_with_numeric_deadline": sum(bool(NUMERIC_DEADLINE.search(e["answer"])) for e in entries),
    }


def _document_of(source: object, register):
    if isinstance(source, dict):
        return register.documents.get(source.get("doc"))
    found = register.find_in(str(source))
    return found[0] if found else None


def place_figures() -> dict[str, object]:
    units, districts = current_units(), former_districts()
    unit_trials = unit_hits = 0
    misses: list[str] = []
    for unit in units:
        bare, folded = unit.bare_name, strip_diacritics(unit.bare_name).lower()
        for pattern in UNIT_WRITINGS[unit.type]:
            written = pattern.format(n=bare, f=folded, N=bare.upper())
            found = [e for e in extract_entities(SENTENCE.format(written)) if e.type == "ward"]
            unit_trials += 1
            if found and (found[0].value == unit.name or unit.name in found[0].candidates):
                unit_hits += 1
            else:
                misses.append(written)
    district_trials = district_hits = successors_right = 0
    for district in districts:
        bare, folded = district.bare_name, strip_diacritics(district.bare_name).lower()
        for pattern in DISTRICT_WRITINGS[district.type]:
            written = pattern.format(name=district.name, n=bare, f=folded)
            found = [e for e in extract_entities(SENTENCE.format(written)) if e.type == "former_district"]
            district_trials += 1
            if found and found[0].value == district.name:
                district_hits += 1
                successors_right += tuple(found[0].candidates) == district.successors
            else:
                misses.append(written)
    examples = [example.text for example in load_examples()]
    place_word = re.compile(
        r"\b(phường|phuong|xã|quận|quan|huyện|huyen|p\.|q\.|q\d|tp\.?|thành phố|thanh pho|đặc khu)", re.IGNORECASE
    )
    found_in = [(text, e) for text in examples for e in extract_entities(text) if e.type in ("ward", "former_district")]
    unprompted = [(text, e.value) for text, e in found_in if not place_word.search(text[max(0, e.start - 12) : e.end])]
    timings = []
    for text in examples[:1000]:
        started = time.perf_counter()
        extract_entities(text)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "units": len(units),
        "unit_writings": unit_trials,
        "unit_recall": unit_hits / unit_trials,
        "former_districts": len(districts),
        "district_writings": district_trials,
        "district_recall": district_hits / district_trials,
        "district_successors_right": successors_right / max(district_hits, 1),
        "misses": misses[:10],
        "nlu_examples": len(examples),
        "examples_with_a_place": len(found_in),
        "places_found_without_a_type_word": unprompted[:15],
        "extract_ms_p50": statistics.median(timings),
        "extract_ms_p95": statistics.quantiles(timings, n=20)[18],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--before", default=None, help="a git revision whose FAQ files to measure the same way")
    args = parser.parse_args()
    now = content_figures(args.today)
    before = figures_before(args.before, args.today) if args.before else None
    share = lambda part, whole: f"{part} ({100 * part / max(whole, 1):.1f} %)"  # noqa: E731
    print(
        f"Content as of {args.today}: {now['entries']} entries, {now['documents']} documents in the register "
        f"({now['documents_verified']} verified)"
    )
    rows = [
        ("entries citing a replaced or expired document", "entries_citing_replaced"),
        ("answers leaning on «theo quy định» with no concrete fact", "answers_leaning_on_hedge"),
        ("answers stating a numeric deadline", "answers_with_numeric_deadline"),
    ]
    for label, key in rows:
        then = f"   (before: {share(before[key], before['entries'])})" if before else ""
        print(f"  {label:<58} {share(now[key], now['entries'])}{then}")
    print(
        f"  {'unverified among the 30 most cited documents':<58} {len(now['unverified_among_30_most_cited'])} "
        f"{now['unverified_among_30_most_cited']}"
    )
    print(f"  {'entries with recorded checks':<58} {share(now['entries_with_checks'], now['entries'])}")
    print(
        f"  the {now['most_asked']} entries of the most asked topics: "
        f"{share(now['most_asked_with_a_concrete_fact'], now['most_asked'])} state a concrete fact, "
        f"{share(now['most_asked_with_a_numeric_deadline'], now['most_asked'])} a numeric deadline"
    )
    if before:
        print(
            f"  before: {before['sources_unknown_to_register']} distinct sources of {args.before} "
            "name no document of today's register"
        )
    places = place_figures()
    print(
        f"\nPlaces: {places['units']} current units x 8 writings, "
        f"{places['former_districts']} former districts x 4 writings"
    )
    print(
        f"  unit recall {places['unit_recall']:.4f} of {places['unit_writings']}; "
        f"district recall {places['district_recall']:.4f} of {places['district_writings']}, "
        f"successors right {places['district_successors_right']:.4f}"
    )
    print(
        f"  {places['examples_with_a_place']} of {places['nlu_examples']} NLU examples name a place; "
        f"found without a type word: {places['places_found_without_a_type_word']}"
    )
    print(
        f"  extraction p50 {places['extract_ms_p50']:.3f} ms, p95 {places['extract_ms_p95']:.3f} ms; "
        f"misses: {places['misses']}"
    )
    print(
        json.dumps(
            {"today": args.today.isoformat(), "content": now, "before": before, "places": places},
            ensure_ascii=False,
            default=str,
        )
    )


if __name__ == "__main__":
    main()
