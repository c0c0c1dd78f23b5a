"""The database schema: upgrade and current revision."""

from __future__ import annotations

import json

import click

from bot.cli import common


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the schema migrations (Alembic)."""
    from tickets.storage.migrate import upgrade

    database = common.open_database(common.current_settings())
    before, after = upgrade(database, revision)
    if before == after:
        click.echo(f"Database already at revision {after} ({database.backend}).")
    else:
        click.echo(f"Database upgraded from {before or 'empty'} to {after} ({database.backend}).")


@db.command("current")
def db_current() -> None:
    """Print the schema revision of the database and of the code."""
    from tickets.storage.migrate import current_revision, head_revision

    database = common.open_database(common.current_settings())
    click.echo(json.dumps({"database": current_revision(database), "code": head_revision()}))
