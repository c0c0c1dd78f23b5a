"""FAQ drafts: staff propose a resolved ticket's answer; an admin completes, reviews and publishes
it into the knowledge base, or rejects it.

A published draft is an FAQ entry like those of `data/faq_vi/`: the knowledge base reads
`published_entries` next to the files, and publishing re-indexes it. The rules of the files apply
(at least three paraphrases, a legal source), checked here with messages staff can read.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import date, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from knowledge.legal import Register
from knowledge.loader import REVIEW_PERIOD, source_ref
from tickets.calendar.sla import LOCAL_TZ
from tickets.storage.db import Database
from tickets.storage.models import FaqDraft, Ticket, TicketState, User

log = logging.getLogger(__name__)
MIN_PARAPHRASES = 3
UNKNOWN_DOCUMENT = (
    "Văn bản «{line}» chưa có trong danh mục văn bản pháp luật (data/legal/); cần bổ "
    "sung vào danh mục trước khi trích dẫn."
)
RESOLVED_STATES = (TicketState.da_tra_loi, TicketState.dong)


class DraftError(ValueError):
    """Why a draft cannot be saved or published; the message is Vietnamese, for the console."""


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _lines(text: str) -> list[str]:
    return [line for line in (_clean(part) for part in text.splitlines()) if line]


def propose(
    session: Session, *, ticket: Ticket, actor: User, question: str, answer: str, sources: str, now: datetime
) -> FaqDraft:
    """A draft from an answered ticket; its id follows the ticket code (pa-2026-000123)."""
    if ticket.state not in RESOLVED_STATES:
        raise DraftError("Chỉ đề xuất từ phản ánh đã được trả lời.")
    if not _clean(question) or not _clean(answer):
        raise DraftError("Cần có câu hỏi và câu trả lời.")
    faq_id = ticket.code.lower()
    if session.exec(select(FaqDraft).where(col(FaqDraft.faq_id) == faq_id)).first():
        raise DraftError("Phản ánh này đã được đề xuất.")
    draft = FaqDraft(
        ticket_id=ticket.id,
        faq_id=faq_id,
        topic=ticket.topic,
        department=ticket.department,
        question=_clean(question),
        answer=_clean(answer),
        sources=_lines(sources),
        proposed_by=actor.username,
        created_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def review(
    session: Session,
    *,
    draft: FaqDraft,
    actor: User,
    question: str,
    paraphrases: str,
    answer: str,
    sources: str,
    publish: bool,
    now: datetime,
    register: Register,
) -> FaqDraft:
    """Save the admin's edits; with `publish`, check the FAQ rules and publish: every source line names a
    document of the legal register by its number ("38/2019/QH14") or a section of the plan."""
    if draft.state != "draft":
        raise DraftError("Bản nháp này đã được xử lý.")
    draft.question, draft.answer = _clean(question), _clean(answer)
    draft.paraphrases, draft.sources = _lines(paraphrases), _lines(sources)
    if publish:
        if not draft.question or not draft.answer:
            raise DraftError("Cần có câu hỏi và câu trả lời.")
        if len(draft.paraphrases) < MIN_PARAPHRASES:
            raise DraftError(
                f"Cần ít nhất {MIN_PARAPHRASES} cách hỏi khác (mỗi dòng một cách), trong đó có một "
                "cách viết không dấu hoặc thân mật."
            )
        if not draft.sources:
            raise DraftError("Cần ghi căn cứ: số và tên văn bản pháp luật, hoặc mục của Kế hoạch.")
        for line in draft.sources:
            try:
                source_ref(line, register, "faq_drafts")
            except ValueError:
                raise DraftError(UNKNOWN_DOCUMENT.format(line=line[:80])) from None
        draft.state, draft.reviewed_by, draft.reviewed_at = "published", actor.username, now
    session.add(draft)
    return draft


def reject(session: Session, *, draft: FaqDraft, actor: User, now: datetime) -> FaqDraft:
    if draft.state != "draft":
        raise DraftError("Bản nháp này đã được xử lý.")
    draft.state, draft.reviewed_by, draft.reviewed_at = "rejected", actor.username, now
    session.add(draft)
    return draft


def pending(database: Database) -> list[FaqDraft]:
    with database.session() as session:
        return list(
            session.exec(
                select(FaqDraft).where(col(FaqDraft.state) == "draft").order_by(col(FaqDraft.created_at))
            ).all()
        )


def published_entries(database: Database) -> list[dict]:
    """Published drafts in the shape of an FAQ file's entries; none when the database is not migrated yet."""
    try:
        with database.session() as session:
            drafts = session.exec(
                select(FaqDraft).where(col(FaqDraft.state) == "published").order_by(col(FaqDraft.id))
            ).all()
    except SQLAlchemyError as error:
        log.warning("FAQ drafts unavailable (%s): the knowledge base uses the files only", type(error).__name__)
        return []
    return [
        {
            "id": d.faq_id,
            "topic": d.topic,
            "department": d.department,
            "question": d.question,
            "paraphrases": list(d.paraphrases),
            "answer": d.answer,
            "sources": list(d.sources),
            "reviewed": _reviewed(d).isoformat(),
            "review_by": (_reviewed(d) + REVIEW_PERIOD).isoformat(),
        }
        for d in drafts
    ]


def _reviewed(draft: FaqDraft) -> date:
    return (draft.reviewed_at or draft.created_at).astimezone(LOCAL_TZ).date()
