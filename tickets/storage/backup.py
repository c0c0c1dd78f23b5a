"""Backups that restore: `backup` copies the whole database into one file while the server keeps running;
`restore` loads such a file into an empty database.

SQLite uses its online backup API (a consistent copy of one snapshot while other connections write). PostgreSQL
uses `pg_dump --format=custom` (one consistent snapshot, taken in a single repeatable-read transaction) and
`pg_restore --single-transaction`; the PostgreSQL client tools must be on the PATH or in Debian's
/usr/lib/postgresql/<version>/bin. The password goes to the tools through PGPASSWORD, never on a command
line. A backup is written beside its target and renamed into place, so a failed one never leaves half a
file under the final name. A file's kind is read from its first bytes: a backup restores only into a
database of its own kind.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from tickets.storage.db import Database

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, explained in Vietnamese."""


@dataclass(frozen=True)
class Copied:
    backend: str
    path: Path
    size: int


def backup(database: Database, target: Path) -> Copied:
    target = target.resolve()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if database.backend == "sqlite":
            _sqlite_backup(database, partial)
        else:
            _pg_dump(database, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Copied(database.backend, target, target.stat().st_size)


def restore(database: Database, source: Path) -> Copied:
    """Load a backup into `database`, which must hold no tables yet (a new database)."""
    if not source.is_file():
        raise BackupError(f"Không tìm thấy tệp sao lưu {source}.")
    with source.open("rb") as file:
        head = file.read(16)
    kind = "sqlite" if head.startswith(SQLITE_MAGIC) else "postgresql" if head.startswith(PG_DUMP_MAGIC) else None
    if kind is None:
        raise BackupError(f"{source} không phải tệp sao lưu của Đồng hành (SQLite hoặc pg_dump).")
    if kind != database.backend:
        raise BackupError(
            f"Tệp sao lưu là của {kind}, cơ sở dữ liệu đích là {database.backend}: chỉ khôi phục vào cùng loại."
        )
    if inspect(database.engine).get_table_names():
        raise BackupError("Cơ sở dữ liệu đích đã có dữ liệu: khôi phục vào một cơ sở dữ liệu mới, trống.")
    if kind == "sqlite":
        _sqlite_restore(database, source)
    else:
        _pg_restore(database, source)
    return Copied(kind, source, source.stat().st_size)


def _sqlite_backup(database: Database, target: Path) -> None:
    raw = database.engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            # One step: the copy reads one snapshot. In WAL mode writers go on meanwhile; a copy made in
            # several steps would start again after every write of another connection, and never end
            # under steady traffic.
            raw.driver_connection.backup(destination, pages=-1)
        finally:
            destination.close()
    finally:
        raw.close()


def _sqlite_restore(database: Database, source: Path) -> None:
    database.engine.dispose()
    raw = database.engine.raw_connection()
    try:
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            origin.backup(raw.driver_connection)
        finally:
            origin.close()
    finally:
        raw.close()
    database.engine.dispose()


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise BackupError(
            f"Không tìm thấy {name}: cài gói postgresql-client (Debian) rồi chạy lại; xem docs/operations/backups.md."
        )
    return found


def _pg_connection(database: Database) -> tuple[str, dict[str, str]]:
    """The libpq URL without the password, and the environment that carries it."""
    url = make_url(database.url).set(drivername="postgresql")
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"mã thoát {done.returncode}"]
        raise BackupError(f"{what} không thành công: {detail[0]}")


def _pg_dump(database: Database, target: Path) -> None:
    url, environment = _pg_connection(database)
    _run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", url],
        environment,
        "Sao lưu (pg_dump)",
    )


def _pg_restore(database: Database, source: Path) -> None:
    url, environment = _pg_connection(database)
    _run(
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url}",
            str(source),
        ],
        environment,
        "Khôi phục (pg_restore)",
    )
