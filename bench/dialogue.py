"""Dialogue benchmark: the whole assistant (NLU, retrieval, dialogue engine) on the way people really type.

Sets (written for the purpose, never trained on; `data/faq_vi/eval/` and `data/plan/`):
- keywords: a word or a few ("lãi suất", "hoa don dien tu") with their topic, or none for off-topic ones.
  Reported: the NLU's topic accuracy and refusals; the dialogue's reply (a direct answer of the right topic,
  the right topic's menu, choices, a refusal).
- follow-ups: a question, then a follow-up leaning on it ("mất bao lâu?"), or a full question on something
  else. Reported: the follow-up's right answer / the right entry among the choices / a wrong answer / nothing,
  also over the conversations whose first message got its entry (answered, or chosen among the choices).
  `followups.yaml` is the dev set the rules were chosen on; `followups_test.yaml` was written afterwards
  and never looked at while tuning.
- several questions in one message: each part answered, or its entry offered among choices.
- plan questions (`questions.yaml`, the dev set; `questions_heldout.yaml`, seen once the first plan rules
  were set; `questions_test.yaml`, written afterwards and never looked at while tuning): answered directly with
  the right section / by an FAQ entry written from that section and citing it / the right section among
  choices / wrong / nothing.

Every conversation is a new user on a fresh SQLite database, through `DialogueEngine.handle`. Prints a table
per set and one JSON line with every figure.

    .venv/bin/python bench/dialogue.py [--sets keywords,followups,multi,plan] [--show-failures N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import col, select

from bot.bootstrap import build_services
from bot.messages import IncomingMessage, Reply
from bot.settings import load_settings
from nlu.normalize import strip_diacritics
from tickets.domain import payloads
from tickets.storage.db import Database
from tickets.storage.migrate import upgrade
from tickets.storage.models import Conversation, TranscriptMessage

EVAL_DIR = ROOT / "data" / "faq_vi" / "eval"
PLAN_DIR = ROOT / "data" / "plan"
FOLLOW_UP_SETS = {
    "followups": "dev: the follow-up rules were chosen on it",
    "followups_test": "test: never looked at while tuning",
}
PLAN_SETS = ("questions", "questions_heldout", "questions_test")
_users = itertools.count()


def load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def accented(text: str) -> bool:
    return strip_diacritics(text) != text


class Bench:
    def __init__(self, services) -> None:
        self.services = services
        self.engine = services.engine

    def conversation(self) -> str:
        return f"bench-{next(_users)}"

    def say(self, user: str, text: str) -> tuple[list[Reply], str | None]:
        """The replies, and the entry the last reply answered from (None when it answered none)."""
        replies = self.engine.handle(IncomingMessage("webchat", user, text=text))
        with self.services.database.session() as session:
            answered = session.exec(
                select(TranscriptMessage.answer_id)
                .join(Conversation, col(Conversation.id) == col(TranscriptMessage.conversation_id))
                .where(Conversation.user_key == user, TranscriptMessage.direction == "out")
                .order_by(col(TranscriptMessage.id).desc())
            ).first()
        return replies, answered


def offered(replies: list[Reply]) -> list[str]:
    return [payloads.split(b.payload)[1] for r in replies for b in r.buttons if b.payload.startswith("doc:")]


def outcome(replies: list[Reply], answered: str | None, expected: str) -> str:
    """right (answered from the expected entry), choices (offered it), wrong (answered another), nothing."""
    if answered == expected and not any(b.payload.startswith("doc:") for r in replies for b in r.buttons):
        return "right"
    if expected in offered(replies) or answered == expected:
        return "choices"
    return "wrong" if answered else "nothing"


def share(counter: Counter, key: str) -> float:
    total = sum(counter.values())
    return round(counter[key] / total, 3) if total else 0.0


def keywords(bench: Bench, show: int) -> dict:
    items = load(EVAL_DIR / "keywords.yaml")
    documents = {d.id: d for d in bench.services.knowledge.retriever().documents}
    nlu_right, refused, replies_kind = Counter(), Counter(), Counter()
    failures = []
    for item in items:
        text, topic = item["text"], item["topic"]
        group = "accented" if accented(text) else "plain"
        understood = bench.services.nlu.parse(text)
        if topic is None:
            nlu_right[(group, "off")] += understood.intent == "out_of_scope"
            nlu_right[(group, "off_total")] += 1
            continue
        nlu_right[(group, "topic")] += understood.topic == topic
        nlu_right[(group, "total")] += 1
        refused[group] += understood.intent == "out_of_scope"
        replies, answered = bench.say(bench.conversation(), text)
        entries = offered(replies)
        if answered and not entries:
            kind = "answer_right_topic" if documents[answered].topic == topic else "answer_wrong_topic"
        elif replies and replies[0].text.startswith("Về lĩnh vực") and entries:
            kind = "menu_right_topic" if documents[entries[0]].topic == topic else "menu_wrong_topic"
        elif entries:
            kind = "choices"
        else:
            kind = "refused_or_nothing"
        replies_kind[kind] += 1
        if kind not in ("answer_right_topic", "menu_right_topic") and len(failures) < show:
            failures.append(f"  {text!r} ({topic}): {kind}; NLU {understood.intent}/{understood.topic}")
    figures = {}
    for group in ("accented", "plain"):
        total = nlu_right[(group, "total")]
        figures[group] = {
            "topic_accuracy": round(nlu_right[(group, "topic")] / total, 3),
            "refused": round(refused[group] / total, 3),
            "off_topic_refused": round(nlu_right[(group, "off")] / max(1, nlu_right[(group, "off_total")]), 3),
            "n": total,
        }
    figures["dialogue"] = {k: share(replies_kind, k) for k in sorted(replies_kind)}
    print("\nKeywords (topic accuracy of the NLU; refusals; off-topic keywords refused)")
    for group in ("accented", "plain"):
        f = figures[group]
        print(
            f"  {group:9} n={f['n']:3}  topic {f['topic_accuracy']:.3f}  refused {f['refused']:.3f}"
            f"  off-topic refused {f['off_topic_refused']:.3f}"
        )
    print("  dialogue replies: " + ", ".join(f"{k} {v:.3f}" for k, v in figures["dialogue"].items()))
    print("\n".join(failures))
    return figures


def followups(bench: Bench, show: int) -> dict:
    figures = {}
    print("\nFollow-ups (the second message's outcome)")
    for name in FOLLOW_UP_SETS:
        figures[name] = _followups(bench, name, show)
    return figures


def _followups(bench: Bench, name: str, show: int) -> dict:
    items = load(EVAL_DIR / f"{name}.yaml")
    results: dict[str, Counter] = {"ellipsis": Counter(), "new_topic": Counter(), "after_right_first": Counter()}
    first_right = 0
    failures = []
    for item in items:
        user = bench.conversation()
        replies, answered = bench.say(user, item["first"])
        first_right += answered == item["first_entry"]
        if answered != item["first_entry"] and item["first_entry"] in offered(replies):
            bench.engine.handle(
                IncomingMessage("webchat", user, payload=payloads.make(payloads.DOCUMENT, item["first_entry"]))
            )
            answered = item["first_entry"]
        on_track = answered == item["first_entry"]
        replies, answered = bench.say(user, item["follow_up"])
        kind = "new_topic" if item["kind"] == "new_topic" else "ellipsis"
        result = outcome(replies, answered, item["expected"])
        results[kind][result] += 1
        if kind == "ellipsis" and on_track:
            results["after_right_first"][result] += 1
        if result != "right" and len(failures) < show:
            failures.append(f"  {item['first'][:50]!r} → {item['follow_up']!r}: {result} ({answered})")
    figures = {kind: {k: share(c, k) for k in ("right", "choices", "wrong", "nothing")} for kind, c in results.items()}
    for kind, c in results.items():
        figures[kind]["n"] = sum(c.values())
    figures["first_answered_right"] = round(first_right / len(items), 3)
    print(f"  {name} ({FOLLOW_UP_SETS[name]})")
    for kind in results:
        f = figures[kind]
        print(
            f"    {kind:17} n={f['n']:3}  right {f['right']:.3f}  among choices {f['choices']:.3f}"
            f"  wrong {f['wrong']:.3f}  nothing {f['nothing']:.3f}"
        )
    print(f"    (first message answered from its entry: {figures['first_answered_right']:.3f})")
    print("\n".join(failures))
    return figures


def multi(bench: Bench, show: int) -> dict:
    items = load(EVAL_DIR / "multi_questions.yaml")
    parts, whole = Counter(), Counter()
    failures = []
    for item in items:
        user = bench.conversation()
        replies, _answered = bench.say(user, item["text"])
        with bench.services.database.session() as session:
            answered = set(
                session.exec(
                    select(TranscriptMessage.answer_id)
                    .join(Conversation, col(Conversation.id) == col(TranscriptMessage.conversation_id))
                    .where(Conversation.user_key == user, col(TranscriptMessage.answer_id).is_not(None))
                )
            )
        texts = "\n".join(r.text for r in replies)
        found = 0
        for entry in item["parts"]:
            document = bench.services.knowledge.retriever().document(entry)
            if document.text[:60] in texts:
                parts["answered"] += 1
                found += 1
            elif entry in offered(replies):
                parts["choices"] += 1
                found += 1
            else:
                parts["missed"] += 1
        whole["all" if found == len(item["parts"]) else "some" if found else "none"] += 1
        if found < len(item["parts"]) and len(failures) < show:
            failures.append(f"  {item['text'][:90]!r}: {found}/{len(item['parts'])} ({sorted(answered)})")
    figures = {
        "parts": {k: share(parts, k) for k in ("answered", "choices", "missed")},
        "messages": {k: share(whole, k) for k in ("all", "some", "none")},
        "n": len(items),
    }
    print("\nSeveral questions in one message")
    print("  parts: " + ", ".join(f"{k} {v:.3f}" for k, v in figures["parts"].items()))
    print("  messages with every part answered or offered: " + f"{figures['messages']['all']:.3f}")
    print("\n".join(failures))
    return figures


def plan(bench: Bench, show: int) -> dict:
    figures = {}
    print("\nQuestions about the plan (answered directly from the right section)")
    for name in PLAN_SETS:
        results = {"accented": Counter(), "plain": Counter()}
        failures = []
        for item in load(PLAN_DIR / f"{name}.yaml"):
            replies, answered = bench.say(bench.conversation(), item["question"])
            result = outcome(replies, answered, item["section"])
            document = bench.services.knowledge.retriever().document(answered) if answered else None
            if result == "wrong" and document is not None and item["section"] in document.plan_sections:
                result = "faq"  # an FAQ entry written from the section, citing it
            results["accented" if accented(item["question"]) else "plain"][result] += 1
            if result != "right" and len(failures) < show:
                failures.append(f"  {item['question'][:80]!r} ({item['section']}): {result} ({answered})")
        figures[name] = {
            group: {
                **{k: share(c, k) for k in ("right", "faq", "choices", "wrong", "nothing")},
                "n": sum(c.values()),
            }
            for group, c in results.items()
        }
        for group, f in figures[name].items():
            print(
                f"  {name:18} {group:9} n={f['n']:3}  right {f['right']:.3f}  FAQ entry citing it {f['faq']:.3f}"
                f"  among choices {f['choices']:.3f}"
                f"  wrong {f['wrong']:.3f}  nothing {f['nothing']:.3f}"
            )
        print("\n".join(failures))
    return figures


SETS = {"keywords": keywords, "followups": followups, "multi": multi, "plan": plan}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--show-failures", type=int, default=0, metavar="N")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Database.connect(f"sqlite:///{folder}/bench.db")
        upgrade(database)
        services = build_services(load_settings(), database=database)
        services.warm_up()
        bench = Bench(services)
        figures = {name: SETS[name](bench, arguments.show_failures) for name in arguments.sets.split(",")}
        services.close()
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
