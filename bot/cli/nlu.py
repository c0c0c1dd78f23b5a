"""Understanding: train, evaluate and run the NLU on JSON Lines."""

from __future__ import annotations

import json
import sys

import click

from bot.cli import common


@click.group()
def nlu() -> None:
    """Vietnamese language understanding."""


@nlu.command("predict")
@click.option("--batch-size", default=64, show_default=True)
def nlu_predict(batch_size: int) -> None:
    """JSON Lines in ({"text": ...}) on stdin, JSON Lines out, one per input, in order.

    A malformed line gives an output line with "text": null and intent "out_of_scope", is reported on
    stderr, and makes the exit status 2 once every line is done.
    """
    pipeline = common.nlu_pipeline()
    malformed = 0
    pending: list[tuple[str | None, str | None]] = []

    def flush() -> None:
        texts = [text for text, _ in pending if text is not None]
        parsed = iter(pipeline.parse_batch(texts)) if texts else iter(())
        for text, error in pending:
            if text is None:
                click.echo(f"donghanh nlu predict: {error}", err=True)
                record = {
                    "text": None,
                    "intent": "out_of_scope",
                    "topic": None,
                    "department": None,
                    "confidence": 0.0,
                    "entities": [],
                }
            else:
                record = next(parsed).as_dict()
            click.echo(json.dumps(record, ensure_ascii=False))
        pending.clear()

    for text, error in common.read_json_lines(sys.stdin):
        malformed += text is None
        pending.append((text, error))
        if len(pending) >= batch_size:
            flush()
    flush()
    if malformed:
        sys.exit(2)


@nlu.command("eval")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def nlu_eval(as_json: bool) -> None:
    """Scores on the held-out split (never trained on), with and without diacritics."""
    from nlu.dataset import load_examples, split
    from nlu.evaluation import evaluate, format_report

    pipeline = common.nlu_pipeline()
    _train, held_out = split(load_examples())
    report = evaluate(pipeline, held_out)
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else format_report(report))


@nlu.command("train")
def nlu_train() -> None:
    """Train (or confirm the cache of) the intent and topic model."""
    import time

    started = time.perf_counter()
    common.nlu_pipeline()
    click.echo(f"NLU model ready ({time.perf_counter() - started:.1f} s)")
