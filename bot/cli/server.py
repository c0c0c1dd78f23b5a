"""Serving: the web server and a conversation in the terminal."""

from __future__ import annotations

import click

from bot.cli import common


@click.command()
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

    settings = common.current_settings()
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
        # log_config=None: uvicorn's own lines go through the project's handler (`bot.logs`), as JSON when set
        uvicorn.run(create_app(services), host=host, port=port, log_level=log_level, log_config=None)
        return
    if settings.telegram_enabled and not settings.TELEGRAM_WEBHOOK_URL:
        raise click.ClickException(
            "Telegram polling needs a single process: set TELEGRAM_WEBHOOK_URL or use --workers 1."
        )
    services.close()
    uvicorn.run(
        "bot.app:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level=log_level,
        log_config=None,
    )


@click.command()
@click.option("--user", default=None, help="Whose conversation to continue (default: the system user).")
def chat(user: str | None) -> None:
    """Talk to the assistant in the terminal, with the same dialogue engine as every channel."""
    import getpass

    from bot.channels.terminal import run_chat

    services = common.services_for_commands()
    run_chat(services.engine, user=user or getpass.getuser(), read=input, write=click.echo)
