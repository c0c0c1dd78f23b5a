"""What `/healthz` reports: database, embedding model, knowledge index and message delivery."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.bootstrap import Services
from tickets.storage.db import redacted_url
from tickets.storage.migrate import current_revision, head_revision

log = logging.getLogger(__name__)

MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")


def database_status(services: Services) -> dict:
    database = services.database
    status = {"backend": database.backend, "url": redacted_url(database.url)}
    try:
        database.ping()
        revision, head = current_revision(database), head_revision()
    except SQLAlchemyError as error:
        log.warning("health: database unreachable: %s", type(error).__name__)
        return status | {"ok": False, "error": "unreachable"}
    return status | {"ok": revision == head, "revision": revision, "head": head}


def model_status(services: Services) -> dict:
    path = Path(services.settings.EMBEDDING_MODEL)
    missing = [name for name in MODEL_FILES if not (path / name).exists()]
    return {
        "ok": not missing,
        "path": str(path),
        "missing": missing,
        "loaded": bool(getattr(services.encoder, "loaded", False)),
        "name": services.encoder.name,
    }


def index_status(services: Services) -> dict:
    # An index not built yet is fine: the knowledge base builds it at the first question.
    stamp = services.knowledge.stamp
    return {
        "ok": True,
        "plan_sections": len(services.plan.sections),
        "built": stamp is not None,
        "stamp": stamp,
        "loaded_stamp": services.knowledge.loaded_stamp,
    }


def delivery_status(services: Services) -> dict:
    """Messages waiting to go out and those that could not be delivered (staff must see them)."""
    query = text(
        "SELECT (SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')),"
        " (SELECT COUNT(*) FROM outbox WHERE state = 'failed'),"
        " (SELECT COUNT(*) FROM inbound_events WHERE state = 'failed')"
    )
    try:
        with services.database.engine.connect() as connection:
            waiting, undelivered, unhandled = connection.execute(query).one()
    except SQLAlchemyError:  # the database check reports why
        return {"ok": True, "known": False}
    return {
        "ok": True,
        "known": True,
        "outbox_waiting": waiting,
        "outbox_failed": undelivered,
        "inbound_failed": unhandled,
    }


def health(services: Services) -> tuple[bool, dict]:
    """All checks, and whether the service as a whole is fit to serve (`process`: which server process answered)."""
    report = {
        "process": os.getpid(),
        "database": database_status(services),
        "model": model_status(services),
        "index": index_status(services),
        "delivery": delivery_status(services),
    }
    ok = all(part["ok"] for part in report.values() if isinstance(part, dict))
    return ok, {"status": "ok" if ok else "degraded"} | report
