"""The public page of the dialogue sessions (/doi-thoai): no sign-in, Vietnamese, readable on a phone.

It shows the sessions to come and how to register a question for them through the chat, and, for each
session whose minutes the chair approved, the minutes: the answers given and the departments' commitments
with how they were kept. No business's personal data appears: no company, tax code or question text; the
registered questions are a count, and an answered question reads «Câu hỏi của doanh nghiệp» with its answer.
Free text written by the organisers (answers, promises, results) goes through the console's masking of
phone-like numbers and e-mail addresses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import func
from sqlmodel import col, select

from tickets.calendar.sla import LOCAL_TZ
from tickets.dialogues import agenda, commitments, texts
from tickets.domain.access import mask_text
from tickets.storage.db import Database
from tickets.storage.models import AgendaItem, Commitment, DialogueSession, SessionQuestion, SessionState, utcnow

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
TEMPLATES.env.filters["vn_time"] = lambda moment: moment.astimezone(LOCAL_TZ).strftime("%H:%M ngày %d/%m/%Y")
TEMPLATES.env.filters["vn_day"] = lambda moment: moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y")

UPCOMING = (SessionState.planned, SessionState.registration_open, SessionState.registration_closed)
STATUS_ORDER = ("kept", "late", "in_progress", "overdue")
QUESTION_TITLE = "Câu hỏi của doanh nghiệp"
NOT_PUBLISHED = "Biên bản phiên đối thoại này chưa được công bố, hoặc không có phiên đối thoại này."


def public_routes(database: Database, catalog: Any, *, clock: Callable[[], datetime] = utcnow) -> APIRouter:
    router = APIRouter()

    def department_name(code: str | None) -> str:
        department = catalog.departments.get(code) if code else None
        return department.name if department else (code or "")

    def topic_name(code: str) -> str:
        topic = catalog.topics.get(code)
        return topic.name if topic else code

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        common = {
            "department_name": department_name,
            "topic_name": topic_name,
            "session_labels": texts.STATE_LABELS,
            "status_labels": texts.COMMITMENT_LABELS,
            "status_order": STATUS_ORDER,
            "when": texts.when,
        }
        return TEMPLATES.TemplateResponse(request, name, {**common, **context}, status_code=status_code)

    @router.get("/doi-thoai", response_class=HTMLResponse)
    def sessions_page(request: Request) -> Response:
        now = clock()
        with database.session() as session:
            upcoming = session.exec(
                select(DialogueSession)
                .where(col(DialogueSession.state).in_(UPCOMING))
                .order_by(col(DialogueSession.starts_at), col(DialogueSession.id))
            ).all()
            published = session.exec(
                select(DialogueSession)
                .where(col(DialogueSession.state) == SessionState.minutes_published)
                .order_by(col(DialogueSession.starts_at).desc(), col(DialogueSession.id))
            ).all()
            counts = dict(
                session.exec(
                    select(SessionQuestion.session_id, func.count()).group_by(col(SessionQuestion.session_id))
                ).all()
            )
            answered = dict(
                session.exec(
                    select(AgendaItem.session_id, func.count())
                    .where(col(AgendaItem.answered_at).is_not(None))
                    .group_by(col(AgendaItem.session_id))
                ).all()
            )
            kept = {
                s.id: Counter(commitments.status(c, now) for c in commitments.of_session(session, s.id))
                for s in published
            }
        return page(
            request,
            "dialogues.html",
            upcoming=upcoming,
            published=published,
            counts=counts,
            answered=answered,
            kept=kept,
            open_state=SessionState.registration_open,
        )

    @router.get("/doi-thoai/{session_id:int}", response_class=HTMLResponse)
    def minutes_page(request: Request, session_id: int) -> Response:
        now = clock()
        with database.session() as session:
            dialogue = session.get(DialogueSession, session_id)
            if dialogue is None or dialogue.state != SessionState.minutes_published:
                return page(request, "dialogue_minutes.html", status_code=404, dialogue=None, error=NOT_PUBLISHED)
            items = agenda.items_of(session, session_id)
            made = commitments.of_session(session, session_id)
            registered = session.exec(select(func.count()).where(col(SessionQuestion.session_id) == session_id)).one()
        promised: dict[int | None, list[dict[str, Any]]] = {}
        for commitment in made:
            promised.setdefault(commitment.item_id, []).append(public_commitment(commitment, now))
        return page(
            request,
            "dialogue_minutes.html",
            dialogue=dialogue,
            registered=registered,
            items=[
                public_item(item, promised.get(item.id, [])) for item in items if item.answer or item.id in promised
            ],
            commitments=[public_commitment(c, now) for c in made],
            kind_labels=texts.ITEM_KINDS,
        )

    return router


def public_item(item: AgendaItem, promised: list[dict[str, Any]]) -> dict[str, Any]:
    """An agenda item as the public reads it: a registered question by its kind only, never its text."""
    return {
        "kind": item.kind,
        "title": QUESTION_TITLE if item.kind == "question" else mask_text(item.title),
        "department": item.department,
        "answer": mask_text(item.answer) if item.answer else "",
        "commitments": promised,
    }


def public_commitment(commitment: Commitment, now: datetime) -> dict[str, Any]:
    status = commitments.status(commitment, now)
    return {
        "department": commitment.department,
        "promise": mask_text(commitment.promise),
        "due_at": commitment.due_at,
        "completed_at": commitment.completed_at,
        "evidence": mask_text(commitment.evidence) if commitment.evidence else "",
        "status": status,
        "label": texts.COMMITMENT_LABELS[status],
    }
