"""The server's logs: plain text for a terminal (the default), or one JSON object per line
(`DONGHANH_LOG_FORMAT=json`) for a log collector.

Every line carries the id of the event it belongs to (`event`): a channel's event from the webhook that
accepted it to the replies sent for it, or an HTTP request. No personal data is written in clear: whatever
a line says (its message and any error's text) passes through `masked`, which replaces e-mail addresses,
phone numbers and tax codes; and no log statement of the project writes a message's text.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import IO

FORMATS = ("text", "json")
EVENT = contextvars.ContextVar("donghanh_event", default="-")
"""The id of the event (a channel's event, an HTTP request) the running code works for."""

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number or a tax code (10 digits, or 13 with a branch: "0312345673-001"); the two cannot be told
# apart (both may be 10 digits starting with 0), so both read "[number]". Shorter runs (ticket codes'
# "000123", dates, counts) stay.
_NUMBER = re.compile(r"(?<![\w-])\+?(?:\d[\s.]?){8,11}\d(?:-\d{3})?(?!\d)")


def masked(text: str) -> str:
    """`text` with e-mail addresses, phone numbers and tax codes replaced."""
    return _NUMBER.sub("[number]", _EMAIL.sub("[email]", text))


class _EventFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.event = EVENT.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, event, message and, for an error, its
    type and masked traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": getattr(record, "event", EVENT.get()),
            "message": masked(record.getMessage()),
        }
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["traceback"] = masked(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class _MaskedText(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return masked(super().format(record))


def configure(level: str, form: str = "text", *, stream: IO[str] | None = None) -> None:
    """Send every logger's records (the server's and its libraries', uvicorn's included) to one handler."""
    if form not in FORMATS:
        raise ValueError(f"log format must be one of {FORMATS}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_EventFilter())
    handler.setFormatter(
        JsonFormatter()
        if form == "json"
        else _MaskedText("%(asctime)s %(levelname)s %(name)s [%(event)s]: %(message)s")
    )
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("alembic").setLevel(logging.WARNING)  # health checks read the revision often
