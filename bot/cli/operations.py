"""Operations: the outbox's failed messages and the staff accounts."""

from __future__ import annotations

import sys

import click

from bot.cli import common


@click.group()
def outbox() -> None:
    """Messages to businesses that could not be delivered."""


@outbox.command("failed")
def outbox_failed() -> None:
    """List undeliverable messages, newest first (no message text: it may hold personal data)."""
    from tickets.storage import outbox as box

    services = common.services_for_commands()
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

    if not box.retry(common.services_for_commands().database, message_id, now=utcnow()):
        raise click.ClickException(f"no undelivered message {message_id}")
    click.echo(f"Message {message_id} queued again.")


@click.group()
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
            common.open_database(common.current_settings()),
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
