"""`donghanh db backup` while businesses keep writing, and `donghanh db restore` into a new database: every
ticket and message stored before the backup began is there, and the copy is whole. Both databases."""

from __future__ import annotations

import os
import threading
from itertools import count
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from bot.messages import IncomingMessage
from tests.fakes.postgres import PostgresServer
from tests.integration.test_cli import run
from tests.integration.test_dialogue import FILING
from tests.transcript import Chat, verify_dialog
from tickets.storage.db import Database
from tickets.storage.migrate import current_revision, head_revision
from tickets.storage.models import Conversation, Ticket, TranscriptMessage

_names = count()


def _empty_database(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A new database of the same kind as `database_url`, to restore into."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    postgres: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"restored_{os.getpid()}_{next(_names)}"
    request.addfinalizer(lambda: postgres.drop_database(name))
    return postgres.create_database(name)


def _contents(database: Database) -> tuple[set[str], set[int], int]:
    with database.session() as session:
        codes = set(session.exec(select(Ticket.code)).all())
        messages = set(session.exec(select(TranscriptMessage.id)).all())
        orphans = session.exec(
            select(func.count())
            .select_from(TranscriptMessage)
            .outerjoin(Conversation, col(Conversation.id) == col(TranscriptMessage.conversation_id))
            .where(col(Conversation.id).is_(None))
        ).one()
    return codes, messages, orphans


def test_a_backup_taken_while_messages_arrive_restores_every_ticket_and_message(
    services, database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    for n in range(3):
        verify_dialog(Chat(services.engine, user=f"business-{n}"), FILING)
    before_codes, before_messages, _ = _contents(services.database)
    assert len(before_codes) == 3

    stop, written = threading.Event(), []

    def keep_writing() -> None:
        for n in count():
            if stop.is_set():
                return
            services.engine.handle(IncomingMessage("webchat", f"visitor-{n % 5}", text="xin chào"))
            written.append(n)

    writer = threading.Thread(target=keep_writing)
    env = os.environ | {"DATABASE_URL": database_url, "DONGHANH_VAR_DIR": str(tmp_path / "var")}
    copy = tmp_path / "sao-luu.bak"
    writer.start()
    try:
        while len(written) < 3:  # the writer is under way
            stop.wait(0.05)
        made = run("db", "backup", str(copy), env=env)
    finally:
        stop.set()
        writer.join()
    assert made.returncode == 0, made.stderr
    assert "Đã sao lưu cơ sở dữ liệu" in made.stdout and copy.stat().st_size > 0
    assert not copy.with_name(copy.name + ".partial").exists()

    target = _empty_database(database_url, tmp_path, request)
    restored = run("db", "restore", str(copy), env=env | {"DATABASE_URL": target})
    assert restored.returncode == 0, restored.stderr
    assert f"phiên bản lược đồ {head_revision()}" in restored.stdout

    database = Database.connect(target)
    try:
        codes, messages, orphans = _contents(database)
        assert codes == before_codes
        assert before_messages <= messages and orphans == 0
        assert current_revision(database) == head_revision()
    finally:
        database.dispose()

    again = run("db", "restore", str(copy), env=env | {"DATABASE_URL": target})
    assert again.returncode == 1 and "đã có dữ liệu" in again.stderr  # never over a database in use


def test_a_file_that_is_no_backup_is_refused_in_vietnamese(tmp_path: Path) -> None:
    stray = tmp_path / "ghi-chu.txt"
    stray.write_text("không phải tệp sao lưu", encoding="utf-8")
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    refused = run("db", "restore", str(stray), env=env)
    assert refused.returncode == 1 and "không phải tệp sao lưu" in refused.stderr and "Traceback" not in refused.stderr
    missing = run("db", "restore", str(tmp_path / "none.bak"), env=env)
    assert missing.returncode == 1 and "Không tìm thấy tệp sao lưu" in missing.stderr
