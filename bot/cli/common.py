"""What the commands share: settings, the database, the models and services, JSON Lines input."""

from __future__ import annotations

import functools
import json
import os

import click

from bot.settings import Settings, SettingsError, load_settings

# Batch jobs (index builds) use up to this many cores for the encoder; the server keeps one per request.
BATCH_THREADS = min(4, os.cpu_count() or 1)


def current_settings() -> Settings:
    """The settings, or a clear error for the terminal."""
    try:
        return load_settings()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def open_database(settings: Settings):
    """The configured database (not migrated here)."""
    from tickets.storage.db import Database

    return Database.connect(settings.database_url)


@functools.cache
def encoder(threads: int = 1):
    from nlu.embeddings import load_encoder

    return load_encoder(current_settings().EMBEDDING_MODEL, threads=threads)


def nlu_pipeline():
    from bot.bootstrap import build_nlu
    from knowledge.catalog import load_catalog
    from knowledge.loader import load_plan

    return build_nlu(current_settings(), encoder=encoder(), catalog=load_catalog(), plan=load_plan())


def knowledge():
    from bot.bootstrap import build_knowledge
    from knowledge.catalog import load_catalog
    from knowledge.legal import load_register
    from knowledge.loader import load_plan

    settings = current_settings()
    return build_knowledge(
        settings,
        encoder=encoder(),
        catalog=load_catalog(),
        register=load_register(),
        plan=load_plan(),
        database=open_database(settings),
    )


def services_for_commands():
    from bot.bootstrap import build_services
    from tickets.storage.migrate import current_revision, head_revision

    services = build_services(current_settings())
    if current_revision(services.database) != head_revision():
        raise click.ClickException("The database schema is not up to date: run `donghanh db upgrade` first.")
    return services


def read_json_lines(lines):
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
