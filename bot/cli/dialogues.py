"""`donghanh dialogue`: the business-dialogue sessions, their agendas and minutes, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli import common

AGENDA_FORMATS = ("pdf", "xlsx", "json")


def _database():
    from bot.cli.reports import migrated_database

    return migrated_database()


def _names() -> dict[str, str]:
    from knowledge.catalog import load_catalog

    return {code: d.name for code, d in load_catalog().departments.items()}


@click.group()
def dialogue() -> None:
    """Business-dialogue sessions (phiên đối thoại)."""


@dialogue.command("list")
def dialogue_list() -> None:
    """Every session, soonest first: id, start (local time), state, registered questions, title (tab-separated)."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from tickets.calendar.sla import LOCAL_TZ
    from tickets.storage.models import DialogueSession, SessionQuestion

    with _database().session() as session:
        counts = dict(
            session.exec(
                select(SessionQuestion.session_id, func.count()).group_by(col(SessionQuestion.session_id))
            ).all()
        )
        for found in session.exec(select(DialogueSession).order_by(col(DialogueSession.starts_at))).all():
            start = found.starts_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
            click.echo(f"{found.id}\t{start}\t{found.state.value}\t{counts.get(found.id, 0)}\t{found.title}")


@dialogue.command("agenda")
@click.argument("session_id", type=int)
@click.option("--format", "kind", type=click.Choice(AGENDA_FORMATS), default=None, help="Default: from --out.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def dialogue_agenda(session_id: int, kind: str | None, out: Path) -> None:
    """Write a session's agenda, built from the data, as PDF, XLSX or JSON."""
    from tickets.dialogues import agenda, export
    from tickets.storage.models import utcnow

    kind = kind or out.suffix.lstrip(".").lower()
    if kind not in AGENDA_FORMATS:
        raise click.BadParameter("Chọn --format pdf, xlsx hoặc json (hoặc đặt tên tệp đuôi .pdf, .xlsx, .json).")
    database, now, encoder = _database(), utcnow(), common.encoder()
    try:
        built = agenda.build(database, session_id, now=now, encode=encoder.encode_queries)
    except LookupError:
        raise click.ClickException(f"Không có phiên đối thoại số {session_id}.") from None
    with database.session() as session:
        items = agenda.items_of(session, session_id)
        data = export.agenda_data(built, items, _names(), now=now)
    if kind == "json":
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        out.write_bytes(export.render_agenda_pdf(data) if kind == "pdf" else export.render_agenda_xlsx(data))
    questions = sum(len(group) for group in data["question_groups"])
    click.echo(
        f"Đã ghi chương trình phiên {session_id} vào {out}: {len(data['items'])} mục đã chọn, {questions} câu hỏi "
        f"đăng ký ({len(data['question_groups'])} nhóm), {len(data['clusters'])} vấn đề lặp lại, "
        f"{len(data['earlier_commitments'])} cam kết phiên trước."
    )


@dialogue.command("minutes")
@click.argument("session_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def dialogue_minutes(session_id: int, out: Path) -> None:
    """Write a session's minutes (items, answers, commitments) as PDF."""
    from tickets.dialogues import agenda, commitments, export
    from tickets.storage.models import DialogueSession, utcnow

    database, now = _database(), utcnow()
    with database.session() as session:
        found = session.get(DialogueSession, session_id)
        if found is None:
            raise click.ClickException(f"Không có phiên đối thoại số {session_id}.")
        data = export.minutes_data(
            found,
            agenda.items_of(session, session_id),
            commitments.of_session(session, session_id),
            _names(),
            now=now,
        )
    out.write_bytes(export.render_minutes_pdf(data))
    click.echo(
        f"Đã ghi biên bản phiên {session_id} vào {out}: {len(data['items'])} mục, "
        f"{len(data['commitments'])} cam kết ({data['session']['state_label'].lower()})."
    )
