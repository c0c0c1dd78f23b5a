"""Rasa benchmark: the exported assistant's understanding on our held-out split, with our Vietnamese
tokenizer and with Rasa's WhitespaceTokenizer, and the latency of a question answered through Rasa and
`donghanh rasa-actions`.

For each tokenizer: `donghanh rasa-export` of the train split only (the held-out fifth never trained on),
`rasa train` (timed), `rasa run --enable-api`, then the held-out examples (those typed with diacritics,
and all of them stripped of diacritics) through `POST /model/parse`. Scored with `nlu.evaluation.score`, as
`bench/nlu.py` scores our own pipeline: `ask_<topic>` is a topical question of that topic; below the fallback threshold
the best-ranked real intent counts. Then, the same way, the keyword evaluation set of
`data/faq_vi/eval/keywords.yaml` (never trained on; the train split does hold the keyword examples of
`data/faq_vi/nlu/keywords.yaml`, as our own pipeline's does): the messages typed with diacritics, and all of
them stripped of diacritics, as `bench/nlu.py` reports them. Then, with our tokenizer, questions from the FAQ
(half without diacritics) over Rasa's REST channel, each answered by our knowledge base through the action
server.

Needs the Rasa environment (`bash scripts/rasa-env.sh`) and var/ built (`make indexes`). Prints a table
and one JSON line.

    .venv/bin/python bench/rasa.py [--epochs 100] [--questions 60]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.rasa.project import TOKENIZER, TOPIC_INTENT_PREFIX, Settings, export
from knowledge.catalog import load_catalog
from knowledge.loader import load_faq
from nlu.dataset import Example, load_examples, split
from nlu.evaluation import score, variants
from nlu.normalize import strip_diacritics
from nlu.pipeline import ParseResult
from tests.fakes.servers import free_port, wait_until_answering
from tests.rasa.assistant import rasa_executable, run_command

DONGHANH = str(REPO / ".venv" / "bin" / "donghanh")
TOKENIZERS = {"donghanh": TOKENIZER, "whitespace": "WhitespaceTokenizer"}
NOT_REAL_INTENTS = {"nlu_fallback"}
START_TIMEOUT = 600
KEYWORD_EVAL = REPO / "data" / "faq_vi" / "eval" / "keywords.yaml"
VARIANTS = ("with_diacritics", "without_diacritics")
KEYWORDS_PREFIX = "keywords_eval:"  # as bench/nlu.py names the keyword evaluation set's figures


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def as_result(text: str, parsed: dict, topics: tuple[str, ...]) -> ParseResult:
    ranking = [i for i in parsed.get("intent_ranking") or [parsed["intent"]] if i["name"] not in NOT_REAL_INTENTS]
    best = ranking[0] if ranking else {"name": "out_of_scope", "confidence": 0.0}
    topic = best["name"].removeprefix(TOPIC_INTENT_PREFIX)
    if topic in topics:
        return ParseResult(text, "ask", topic, None, best["confidence"])
    return ParseResult(text, best["name"], None, None, best["confidence"])


def keyword_eval_set() -> list[Example]:
    """The keyword evaluation set: topical questions (`ask`) and, for `topic: null`, out-of-scope messages."""
    return [
        Example(item["text"], "ask" if item["topic"] else "out_of_scope", item["topic"])
        for item in yaml.safe_load(KEYWORD_EVAL.read_text(encoding="utf-8"))
    ]


def train(project: Path, rasa: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [rasa, "train", "--fixed-model-name", "bench"], check=True, env=env, cwd=project, capture_output=True
    )
    return time.perf_counter() - started


def serve_rasa(project: Path, rasa: str, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as output:
        process = subprocess.Popen(
            run_command(rasa, project, port=port, model="models/bench.tar.gz"),
            env=env,
            cwd=project,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    wait_until_answering(f"http://127.0.0.1:{port}/status", process, START_TIMEOUT)
    return process


def understanding(name: str, tokenizer: str, folder: Path, rasa: str, env: dict[str, str], epochs: int) -> dict:
    catalog = load_catalog()
    topics = tuple(catalog.topics)
    train_split, held_out = split(load_examples(topics=topics))
    keywords = keyword_eval_set()
    project = folder / name
    export(
        project,
        examples=train_split,
        catalog=catalog,
        settings=Settings(classifier_epochs=epochs, policy_epochs=max(1, epochs // 2)),
    )
    config = yaml.safe_load((project / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"][0]["name"] = tokenizer
    (project / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    train_s = train(project, rasa, env)
    port = free_port()
    process = serve_rasa(project, rasa, env, port, folder / f"{name}.log")
    figures: dict = {"train_s": round(train_s, 1)}
    latencies: list[float] = []  # parse latency: of the held-out split only
    try:
        with httpx.Client(timeout=60) as client:
            for prefix, examples, timings in (("", held_out, latencies), (KEYWORDS_PREFIX, keywords, [])):
                for variant, items in variants(examples).items():
                    predictions = []
                    for text, _ in items:
                        started = time.perf_counter()
                        parsed = client.post(f"http://127.0.0.1:{port}/model/parse", json={"text": text}).json()
                        timings.append(time.perf_counter() - started)
                        predictions.append(as_result(text, parsed, topics))
                    report = score(predictions, [example for _, example in items])
                    report.pop("confusion")
                    figures[prefix + variant] = report
    finally:
        process.terminate()
        process.wait(timeout=30)
    figures["parse_ms_p50"] = round(statistics.median(latencies) * 1000, 1)
    figures["parse_ms_p95"] = round(percentile(latencies, 0.95) * 1000, 1)
    figures["held_out"] = len(held_out)
    figures["keywords_eval"] = len(keywords)
    return figures


def answers_through_rasa(folder: Path, rasa: str, env: dict[str, str], count: int) -> dict:
    """Questions over Rasa's REST channel, answered by our knowledge base through the action server."""
    project = folder / "donghanh"
    actions_port, rasa_port = free_port(), free_port()
    endpoints = {"action_endpoint": {"url": f"http://127.0.0.1:{actions_port}/webhook"}}
    (project / "endpoints.yml").write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    database = folder / "donghanh.db"
    env = env | {
        "DATABASE_URL": f"sqlite:///{database}",
        "DONGHANH_VAR_DIR": str(REPO / "var"),
        "DONGHANH_LOG_LEVEL": "WARNING",
    }
    subprocess.run([DONGHANH, "db", "upgrade"], check=True, env=env, capture_output=True)
    with (folder / "actions.log").open("wb") as output:
        actions = subprocess.Popen(
            [DONGHANH, "rasa-actions", "--port", str(actions_port)], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    wait_until_answering(f"http://127.0.0.1:{actions_port}/health", actions, START_TIMEOUT)
    server = serve_rasa(project, rasa, env, rasa_port, folder / "rasa-e2e.log")
    rng = random.Random(7)
    questions = [rng.choice([entry.question, *entry.paraphrases]) for entry in rng.sample(load_faq(), count)]
    questions = [strip_diacritics(q) if i % 2 else q for i, q in enumerate(questions)]
    latencies, sourced = [], 0
    try:
        with httpx.Client(timeout=120) as client:
            for index, question in enumerate(questions):
                started = time.perf_counter()
                replies = client.post(
                    f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
                    json={"sender": f"bench-{index}", "message": question},
                ).json()
                latencies.append(time.perf_counter() - started)
                sourced += any("Nguồn:" in reply.get("text", "") for reply in replies)
    finally:
        for process in (server, actions):
            process.terminate()
            process.wait(timeout=30)
    return {
        "questions": count,
        "answered_with_source": sourced,
        "ms_p50": round(statistics.median(latencies) * 1000, 1),
        "ms_p95": round(percentile(latencies, 0.95) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100, help="DIETClassifier epochs (the export's default)")
    parser.add_argument("--questions", type=int, default=60)
    args = parser.parse_args()
    rasa = rasa_executable()
    env = os.environ | {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    folder = Path(tempfile.mkdtemp(prefix="donghanh-rasa-bench-"))
    systems = {
        name: understanding(name, tokenizer, folder, rasa, env, args.epochs) for name, tokenizer in TOKENIZERS.items()
    }
    through = answers_through_rasa(folder, rasa, env, args.questions)
    columns = ["topic_accuracy", "intent_accuracy", "oos_recall", "topical_refused"]
    print(
        f"held-out split: {systems['donghanh']['held_out']} examples; "
        f"keyword evaluation set: {systems['donghanh']['keywords_eval']}; DIET epochs: {args.epochs}"
    )
    print(
        f"{'tokenizer':<12}{'variant':<34}"
        + "".join(f"{c:>17}" for c in columns)
        + f"{'train s':>10}{'parse p50':>11}{'p95 ms':>8}"
    )
    for name, figures in systems.items():
        for variant in (*VARIANTS, *(KEYWORDS_PREFIX + v for v in VARIANTS)):
            report = figures[variant]
            print(
                f"{name:<12}{variant:<34}"
                + "".join(f"{report[c]:>17.3f}" for c in columns)
                + f"{figures['train_s']:>10}{figures['parse_ms_p50']:>11}{figures['parse_ms_p95']:>8}"
            )
    print(
        f"\nthrough Rasa and the action server: {through['answered_with_source']}/{through['questions']} "
        "answered with a source, "
        f"p50 {through['ms_p50']} ms, p95 {through['ms_p95']} ms"
    )
    print(
        json.dumps(
            {
                "bench": "rasa",
                "cores": os.cpu_count(),
                "epochs": args.epochs,
                "systems": systems,
                "through_rasa": through,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
