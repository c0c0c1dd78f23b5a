"""Schema migrations (Alembic), applied by `donghanh db upgrade` and by `make run`."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tickets.storage.db import MIGRATIONS_DIR, Database


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(database: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _run(database: Database, action, revision: str) -> None:
    config = _config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)


def upgrade(database: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade the schema; returns the revisions before and after."""
    before = current_revision(database)
    _run(database, command.upgrade, revision)
    return before, current_revision(database)


def downgrade(database: Database, revision: str) -> None:
    """Downgrade the schema to `revision` ("base" empties it)."""
    _run(database, command.downgrade, revision)
