"""Admins' reviews and edits of FAQ entries, made in the console and kept in the database, laid over the files.

An entry's newest revision applies unless the file was reviewed on a later day (a maintainer who edits the
file and sets a newer `reviewed` date takes over again). A review moves the entry's `reviewed` and
`review_by` dates; an edit also replaces its answer and sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from knowledge.legal import Register
from knowledge.loader import FaqEntry, source_ref

REVIEWED, EDITED = "reviewed", "edited"


def apply_revisions(
    entries: Iterable[FaqEntry], revisions: Iterable[Mapping[str, Any]], register: Register | None
) -> list[FaqEntry]:
    """The entries with each one's newest revision applied (revisions oldest first, as the database lists them).

    A revision whose sources no longer resolve (a document removed from the register) is skipped for its
    sources only; it cannot make the knowledge base fail to load.
    """
    newest: dict[str, Mapping[str, Any]] = {}
    for revision in revisions:
        newest[revision["faq_id"]] = revision
    revised = []
    for entry in entries:
        revision = newest.get(entry.id)
        revised.append(
            _revised(entry, revision, register) if revision and _day(revision["reviewed"]) >= entry.reviewed else entry
        )
    return revised


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _revised(entry: FaqEntry, revision: Mapping[str, Any], register: Register | None) -> FaqEntry:
    changed = replace(entry, reviewed=_day(revision["reviewed"]), review_by=_day(revision["review_by"]))
    if revision["kind"] != EDITED:
        return changed
    sources = entry.sources
    try:
        if revision.get("sources"):
            sources = tuple(source_ref(raw, register, f"faq_revisions: {entry.id}") for raw in revision["sources"])
    except ValueError:
        pass
    return replace(changed, answer=(revision.get("answer") or entry.answer).strip(), sources=sources)
