"""The database schema: upgrade and current revision."""

from __future__ import annotations

import json
from pathlib import Path

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


@db.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(target: Path) -> None:
    """Copy the whole database into TARGET while the server keeps running (SQLite's online backup API, or
    pg_dump's custom format for PostgreSQL)."""
    from tickets.storage.backup import BackupError, backup

    database = common.open_database(common.current_settings())
    try:
        copied = backup(database, target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Đã sao lưu cơ sở dữ liệu ({copied.backend}) vào {copied.path} ({copied.size:,} byte).")


@db.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
def db_restore(source: Path) -> None:
    """Load a backup made by `donghanh db backup` into the (new, empty) database of DATABASE_URL."""
    from tickets.storage.backup import BackupError, restore
    from tickets.storage.migrate import current_revision

    database = common.open_database(common.current_settings())
    try:
        restored = restore(database, source)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Đã khôi phục {restored.path} vào cơ sở dữ liệu {database.backend} "
        f"(phiên bản lược đồ {current_revision(database)})."
    )
