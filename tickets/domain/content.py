"""Keeping the FAQ current from the console: admins mark entries reviewed or edit them.

Revisions are rows of `faq_revisions`; the knowledge base lays them over the files (`knowledge.revisions`)
and is re-indexed after each one. Businesses' "Chưa đúng" presses are counted per entry from the
transcript, so the entries they doubt most come first.
"""

from __future__ import annotations

import logging
import unicodedata
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from knowledge.legal import Register
from knowledge.loader import REVIEW_PERIOD, FaqEntry, source_ref
from knowledge.revisions import EDITED, REVIEWED
from tickets.domain.drafts import UNKNOWN_DOCUMENT
from tickets.storage.db import Database
from tickets.storage.models import FaqRevision, TranscriptMessage, User

log = logging.getLogger(__name__)
MAX_REVIEW_AHEAD = timedelta(days=3 * 365)
NEGATIVE_FEEDBACK = "fb:down"


class ContentError(ValueError):
    """Why a review or an edit is refused; the message is Vietnamese, for the console."""


def default_review_by(today: date) -> date:
    return today + REVIEW_PERIOD


def _review_by(value: date | None, today: date) -> date:
    chosen = value or default_review_by(today)
    if not today < chosen <= today + MAX_REVIEW_AHEAD:
        raise ContentError("Hạn rà soát tiếp theo phải sau hôm nay và trong vòng 3 năm.")
    return chosen


def mark_reviewed(
    session: Session, *, entry: FaqEntry, actor: User, review_by: date | None, note: str, now: datetime, today: date
) -> FaqRevision:
    """The entry's facts were checked today by `actor`; they are due again on `review_by` (default 6 months)."""
    revision = FaqRevision(
        faq_id=entry.id,
        kind=REVIEWED,
        actor=actor.username,
        created_at=now,
        reviewed=today,
        review_by=_review_by(review_by, today),
        note=_clean(note) or None,
    )
    session.add(revision)
    return revision


def edit_entry(
    session: Session,
    *,
    entry: FaqEntry,
    actor: User,
    answer: str,
    sources: str,
    review_by: date | None,
    note: str,
    now: datetime,
    today: date,
    register: Register,
) -> FaqRevision:
    """A new answer and sources (one per line, each naming a register document by its number: "108/2025/QH15,
    Điều 44"), reviewed today by `actor`."""
    text = _clean(answer)
    if not 40 <= len(text) <= 1500:
        raise ContentError("Câu trả lời cần từ 40 đến 1.500 ký tự.")
    lines = [line for line in (_clean(part) for part in sources.splitlines()) if line]
    if not lines:
        raise ContentError("Cần ghi căn cứ: số và tên văn bản pháp luật, hoặc mục của Kế hoạch.")
    refs = []
    for line in lines:
        try:
            ref = source_ref(line, register, "console")
        except ValueError:
            raise ContentError(UNKNOWN_DOCUMENT.format(line=line[:80])) from None
        refs.append({"doc": ref.doc, "part": ref.part} if ref.part else {"doc": ref.doc})
    revision = FaqRevision(
        faq_id=entry.id,
        kind=EDITED,
        actor=actor.username,
        created_at=now,
        reviewed=today,
        review_by=_review_by(review_by, today),
        answer=text,
        sources=refs,
        note=_clean(note) or None,
    )
    session.add(revision)
    return revision


def revision_rows(database: Database) -> list[dict]:
    """Every revision, oldest first, for `knowledge.revisions.apply_revisions`; none before the migration."""
    try:
        with database.session() as session:
            rows = session.exec(select(FaqRevision).order_by(col(FaqRevision.id))).all()
    except SQLAlchemyError as error:
        log.warning("FAQ revisions unavailable (%s): the knowledge base uses the files only", type(error).__name__)
        return []
    return [
        {
            "faq_id": r.faq_id,
            "kind": r.kind,
            "reviewed": r.reviewed,
            "review_by": r.review_by,
            "answer": r.answer,
            "sources": r.sources,
        }
        for r in rows
    ]


def history(session: Session, faq_id: str) -> list[FaqRevision]:
    return list(
        session.exec(
            select(FaqRevision).where(col(FaqRevision.faq_id) == faq_id).order_by(col(FaqRevision.id).desc())
        ).all()
    )


def negative_feedback(session: Session) -> Counter[str]:
    """How many times businesses pressed «Chưa đúng» under each entry's answer."""
    rows = session.exec(
        select(TranscriptMessage.answer_id, func.count())
        .where(
            col(TranscriptMessage.direction) == "in",
            col(TranscriptMessage.payload) == NEGATIVE_FEEDBACK,
            col(TranscriptMessage.answer_id).is_not(None),
        )
        .group_by(col(TranscriptMessage.answer_id))
    ).all()
    return Counter({answer_id: count for answer_id, count in rows})


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip()
