"""Knowledge: answer a question, build and search the index."""

from __future__ import annotations

import json
from datetime import date

import click

from bot.cli import common


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON object of docs/interfaces.md.")
def ask(question: str, as_json: bool) -> None:
    """Answer a question from the FAQ and the plan, with its source."""
    from knowledge.answer import OUT_OF_SCOPE_REPLY, format_reply

    knowledge = common.knowledge()
    answer = knowledge.ask(question, common.nlu_pipeline().parse(question))
    if as_json:
        click.echo(json.dumps(answer.as_dict(), ensure_ascii=False))
    elif answer.answer is not None:
        click.echo(format_reply(answer, knowledge.catalog, today=date.today()))
    elif answer.choices:
        click.echo(
            "Chưa chắc chắn; có phải quý doanh nghiệp hỏi về:\n" + "\n".join(f"- {d.title}" for d in answer.choices)
        )
    elif answer.decision == "out_of_scope":
        click.echo(OUT_OF_SCOPE_REPLY)
    else:
        click.echo(
            "Chưa tìm thấy câu trả lời phù hợp; quý doanh nghiệp có thể gửi phản ánh để cơ quan phụ trách giải đáp."
        )


@click.group()
def kb() -> None:
    """The knowledge base (FAQ and plan)."""


@kb.command("build")
def kb_build() -> None:
    """Encode the FAQ and plan (only what changed since the last build) and publish the index."""
    from tqdm import tqdm

    from bot.bootstrap import build_knowledge
    from knowledge.catalog import load_catalog
    from knowledge.legal import load_register
    from knowledge.loader import load_plan
    from knowledge.service import build_index

    settings = common.current_settings()
    encoder = common.encoder(threads=common.BATCH_THREADS)
    knowledge = build_knowledge(
        settings,
        encoder=encoder,
        catalog=load_catalog(),
        register=load_register(),
        plan=load_plan(),
        database=common.open_database(settings),
    )
    documents = knowledge.load_documents()
    bar = tqdm(desc="Encoding", unit="key")

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    encoded, total = build_index(documents, encoder, knowledge.kb_dir, progress=progress)
    bar.close()
    click.echo(
        f"Index published: {len(documents)} documents, {total} keys ({encoded} encoded now, {total - encoded} reused)."
    )


@kb.command("search")
@click.argument("query")
@click.option("-k", default=5, show_default=True)
def kb_search(query: str, k: int) -> None:
    """The k best documents for a query, with their fused and per-signal scores."""
    prior = common.nlu_pipeline().parse(query).topic_prior
    for rank, hit in enumerate(common.knowledge().search(query, k, prior=prior), start=1):
        signals = " ".join(f"{name}={value:.3f}" for name, value in hit.signals.items())
        click.echo(
            f"{rank}. [{hit.document.source}:{hit.document.id}] {hit.score:.3f} ({signals}) {hit.document.title}"
        )
