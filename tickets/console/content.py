"""Keeping the content current (`/staff/content`): the FAQ entries due for review, citing a replaced or
unverified document, leaning on "theo quy định" without the fact, or most often marked «Chưa đúng»; an entry's
page shows its sources with their standing and lets an admin mark it reviewed or edit it, after which the
knowledge base is re-indexed. Admins only, like the drafts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from knowledge.audit import CITES_REPLACED, CITES_UNVERIFIED, LABELS, NO_CONCRETE_GUIDANCE, PAST_REVIEW, audit
from knowledge.legal import Register
from knowledge.loader import FaqEntry
from tickets.calendar.sla import LOCAL_TZ
from tickets.console import texts
from tickets.console.pages import Console
from tickets.domain import content
from tickets.storage.models import Role, User

DUE_SOON = timedelta(days=30)
MOST_DOUBTED = 20
STANDING_LABELS = {
    "in_force": "Còn hiệu lực",
    "replaced": "Đã bị thay thế",
    "expired": "Hết hiệu lực",
    "historical": "Văn bản năm 2022, trích dẫn làm căn cứ lịch sử",
    "unverified": "Chưa kiểm chứng",
}


def content_routes(console: Console, *, entries: Callable[[], list[FaqEntry]]) -> APIRouter:
    """`entries` gives the FAQ as the assistant answers from it (files, published drafts, revisions)."""
    router = APIRouter(prefix="/staff/content")
    register = console.register

    def today() -> date:
        return console.clock().astimezone(LOCAL_TZ).date()

    def admin(request: Request) -> tuple[object, Response | None]:
        who, refused = console.gate(request)
        if refused is None and who.user.role != Role.admin:
            refused = console.message(request, who, texts.FORBIDDEN, 403)
        return who, refused

    @router.get("", response_class=HTMLResponse)
    def overview(request: Request, done: str = "") -> Response:
        who, refused = admin(request)
        if refused is not None:
            return refused
        day, current = today(), entries()
        report = audit(current, register, day)
        by_id = {entry.id: entry for entry in current}
        with console.database.session() as session:
            doubted = content.negative_feedback(session)
        due = sorted((e for e in current if e.review_by <= day + DUE_SOON), key=lambda e: (e.review_by, e.id))
        findings = {
            kind: [f for f in report.findings if f.kind == kind]
            for kind in (CITES_REPLACED, CITES_UNVERIFIED, NO_CONCRETE_GUIDANCE)
        }
        return console.page(
            request,
            "content.html",
            who,
            today=day,
            report=report,
            counts=report.counts(),
            labels=LABELS,
            due=due,
            past_review=PAST_REVIEW,
            findings=findings,
            by_id=by_id,
            doubted=[(by_id[i], n) for i, n in doubted.most_common() if i in by_id][:MOST_DOUBTED],
            done=texts.CONTENT_DONE.get(done),
        )

    @router.get("/{faq_id}", response_class=HTMLResponse)
    def entry_page(request: Request, faq_id: str, done: str = "") -> Response:
        who, refused = admin(request)
        if refused is not None:
            return refused
        entry = next((e for e in entries() if e.id == faq_id), None)
        if entry is None:
            return console.message(request, who, texts.CONTENT_NOT_FOUND, 404)
        day = today()
        sources = [(source, register.documents.get(source.doc)) for source in entry.sources]
        with console.database.session() as session:
            revisions = content.history(session, faq_id)
            doubted = content.negative_feedback(session)[faq_id]
        return console.page(
            request,
            "content_entry.html",
            who,
            entry=entry,
            sources=sources,
            standing_labels=STANDING_LABELS,
            today=day,
            revisions=revisions,
            doubted=doubted,
            next_review=content.default_review_by(day),
            done=texts.CONTENT_DONE.get(done),
            source_lines="\n".join(_line(source, register) for source in entry.sources),
        )

    @router.post("/{faq_id}/{action}")
    async def change(request: Request, faq_id: str, action: str) -> Response:
        who, form, refused = await console.posted(request)
        if refused is None and who.user.role != Role.admin:
            refused = console.message(request, who, texts.FORBIDDEN, 403)
        if refused is not None:
            return refused
        entry = next((e for e in entries() if e.id == faq_id), None)
        if entry is None or action not in ("review", "edit"):
            return console.message(request, who, texts.CONTENT_NOT_FOUND, 404)
        day = today()
        try:
            review_by = date.fromisoformat(str(form.get("review_by") or "")) if form.get("review_by") else None
        except ValueError:
            return console.message(request, who, texts.CONTENT_BAD_DATE, 422)
        with console.database.session() as session:
            actor = session.get(User, who.user.id)
            try:
                if action == "review":
                    content.mark_reviewed(
                        session,
                        entry=entry,
                        actor=actor,
                        review_by=review_by,
                        note=str(form.get("note", "")),
                        now=console.clock(),
                        today=day,
                    )
                else:
                    content.edit_entry(
                        session,
                        entry=entry,
                        actor=actor,
                        answer=str(form.get("answer", "")),
                        sources=str(form.get("sources", "")),
                        review_by=review_by,
                        note=str(form.get("note", "")),
                        now=console.clock(),
                        today=day,
                        register=register,
                    )
            except content.ContentError as error:
                session.rollback()
                return console.message(request, who, str(error), 422)
        console.on_publish()
        return RedirectResponse(f"/staff/content/{faq_id}?done={action}", status_code=303)

    return router


def _line(source, register: Register) -> str:
    """A source as the edit form writes it: the document's number (or register id) and the part."""
    document = register.documents.get(source.doc)
    name = document.number if document and document.number else source.doc
    return f"{name}, {source.part}" if source.part else name
