"""Dialogue sessions in the staff console (/staff/doi-thoai): the sessions, their agendas built from the data,
the answers and commitments recorded in them, and the follow-up of the commitments (/staff/doi-thoai/cam-ket).

Supervisors and admins organise: they create and edit sessions, move them forward, approve and publish the
minutes (as the chair), build and arrange the agenda, and record the answers and commitments given. Staff and
leads read the sessions, with the data scoped to their department and the businesses of other departments'
questions masked, and work their own department's commitments. Observers read everything with personal data
masked; no form is shown to them and every POST of theirs is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from tickets.calendar.sla import LOCAL_TZ, WorkingCalendar
from tickets.console import texts as console_texts
from tickets.console.dialogue_views import (
    ADVANCE_LABELS,
    AGENDA_FORMAT_UNKNOWN,
    BAD_DEPARTMENT,
    COMMITMENT_NOT_FOUND,
    DONE,
    EVENT_LABELS,
    ITEM_ACTIONS,
    ITEM_DONE,
    ITEM_NOT_FOUND,
    MAX_TEXT,
    MINUTES_CLOSED,
    MINUTES_NOT_YET,
    MOMENT_FIELDS,
    NEED_ITEM_TITLE,
    SESSION_NOT_FOUND,
    TOO_LONG,
    UPCOMING,
    agenda_view,
    attachment,
    commitment_view,
    day_of,
    form_values,
    item_title,
    organises,
    question_view,
    session_form,
    session_values,
    visible_agenda,
    visible_item,
    whole_number,
    works_on,
)
from tickets.console.pages import Console
from tickets.dialogues import agenda, commitments, export, sessions, texts
from tickets.dialogues.sessions import SessionError
from tickets.domain import access
from tickets.domain.signin import SignedIn
from tickets.storage.models import (
    DEPARTMENT_ROLES,
    AgendaItem,
    Commitment,
    DialogueSession,
    SessionQuestion,
    SessionState,
    User,
)


def dialogue_routes(console: Console, *, calendar: WorkingCalendar, encode: agenda.Encode | None = None) -> APIRouter:
    router = APIRouter(prefix="/staff/doi-thoai")
    department_codes = list(console.catalog.departments)
    topic_codes = list(console.catalog.topics)

    def now() -> datetime:
        return console.clock()

    def names() -> dict[str, str]:
        return {code: d.name for code, d in console.catalog.departments.items()}

    def department_name(code: str | None) -> str:
        department = console.catalog.departments.get(code) if code else None
        return department.name if department else (code or "")

    def refused_for(request: Request, who: SignedIn, allowed: bool) -> Response | None:
        return None if allowed else console.message(request, who, console_texts.FORBIDDEN, 403)

    # ------------------------------------------------------------------ the list

    @router.get("", response_class=HTMLResponse)
    def session_list(request: Request) -> Response:
        who, refused = console.gate(request)
        if refused is not None:
            return refused
        with console.database.session() as session:
            found = session.exec(select(DialogueSession).order_by(col(DialogueSession.starts_at))).all()
            counts = dict(
                session.exec(
                    select(SessionQuestion.session_id, func.count()).group_by(col(SessionQuestion.session_id))
                ).all()
            )
        upcoming = [s for s in found if s.state in UPCOMING]
        past = sorted((s for s in found if s.state not in UPCOMING), key=lambda s: s.starts_at, reverse=True)
        return console.page(
            request,
            "dialogues.html",
            who,
            upcoming=upcoming,
            past=past,
            counts=counts,
            session_labels=texts.STATE_LABELS,
            can_organise=organises(who.user),
        )

    # ------------------------------------------------------------------ create and edit

    def form_page(
        request: Request,
        who: SignedIn,
        values: dict[str, Any],
        *,
        dialogue: DialogueSession | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Response:
        return console.page(
            request,
            "dialogue_form.html",
            who,
            status_code=status_code,
            values=values,
            dialogue=dialogue,
            error=error,
            action=f"/staff/doi-thoai/{dialogue.id}/sua" if dialogue else "/staff/doi-thoai/moi",
        )

    @router.get("/moi", response_class=HTMLResponse)
    def new_form(request: Request) -> Response:
        who, refused = console.gate(request)
        if refused is not None:
            return refused
        empty = {"departments": [], "topics": [], "title": "", "place": "", "online_link": "", "chair": "", "theme": ""}
        return refused_for(request, who, organises(who.user)) or form_page(
            request, who, {**empty, **dict.fromkeys(MOMENT_FIELDS, "")}
        )

    @router.post("/moi")
    async def create(request: Request) -> Response:
        who, form, refused = await console.posted(request)
        if refused is not None:
            return refused
        if (forbidden := refused_for(request, who, organises(who.user))) is not None:
            return forbidden
        values = form_values(form)
        try:
            with console.database.session() as session:
                dialogue = sessions.create(
                    session,
                    session_form(values),
                    actor=who.user.username,
                    now=console.clock(),
                    departments=department_codes,
                    topics=topic_codes,
                )
        except SessionError as error:
            return form_page(request, who, values, error=str(error), status_code=422)
        return RedirectResponse(f"/staff/doi-thoai/{dialogue.id}?done=created", status_code=303)

    @router.get("/{session_id:int}/sua", response_class=HTMLResponse)
    def edit_form(request: Request, session_id: int) -> Response:
        who, refused = console.gate(request)
        if refused is not None:
            return refused
        if (forbidden := refused_for(request, who, organises(who.user))) is not None:
            return forbidden
        with console.database.session() as session:
            dialogue = session.get(DialogueSession, session_id)
        if dialogue is None:
            return console.message(request, who, SESSION_NOT_FOUND, 404)
        if dialogue.state not in UPCOMING:
            return console.message(request, who, texts.ALREADY_HELD, 409)
        return form_page(request, who, session_values(dialogue), dialogue=dialogue)

    @router.post("/{session_id:int}/sua")
    async def edit(request: Request, session_id: int) -> Response:
        who, form, refused = await console.posted(request)
        if refused is not None:
            return refused
        if (forbidden := refused_for(request, who, organises(who.user))) is not None:
            return forbidden
        values = form_values(form)
        problem = None
        with console.database.session() as session:
            dialogue = session.get(DialogueSession, session_id)
            if dialogue is None:
                return console.message(request, who, SESSION_NOT_FOUND, 404)
            try:
                sessions.edit(
                    session,
                    dialogue,
                    session_form(values),
                    now=console.clock(),
                    departments=department_codes,
                    topics=topic_codes,
                )
            except SessionError as error:
                session.rollback()
                problem = str(error)
        if problem is not None:
            return form_page(request, who, values, dialogue=dialogue, error=problem, status_code=422)
        return RedirectResponse(f"/staff/doi-thoai/{session_id}?done=edited", status_code=303)

    # ------------------------------------------------------------------ the session page

    def session_page(
        request: Request,
        who: SignedIn,
        session_id: int,
        *,
        done: str | None = None,
        error: str | None = None,
        typed: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Response:
        moment, user = now(), who.user
        with console.database.session() as session:
            dialogue = session.get(DialogueSession, session_id)
            if dialogue is None:
                return console.message(request, who, SESSION_NOT_FOUND, 404)
            questions = sessions.questions_of(session, session_id)
            items = agenda.items_of(session, session_id)
            made = commitments.of_session(session, session_id)
        built = agenda.build(console.database, session_id, now=moment, encode=encode)
        by_item: dict[int | None, list[dict[str, Any]]] = {}
        for commitment in made:
            by_item.setdefault(commitment.item_id, []).append(commitment_view(commitment, moment))
        can_organise = organises(user)
        open_for_changes = dialogue.state != SessionState.minutes_published
        later = list(SessionState)[list(SessionState).index(dialogue.state) + 1 :]
        return console.page(
            request,
            "dialogue.html",
            who,
            status_code=status_code,
            dialogue=dialogue,
            when=texts.when(dialogue),
            where=texts.where(dialogue),
            session_labels=texts.STATE_LABELS,
            kind_labels=texts.ITEM_KINDS,
            questions=[question_view(q, user) for q in questions],
            data=agenda_view(built, user),
            items=[{"item": i, "title": item_title(i, user), "commitments": by_item.get(i.id, [])} for i in items],
            made=[commitment_view(c, moment) for c in made],
            can_organise=can_organise,
            can_change=can_organise and open_for_changes,
            can_edit=can_organise and dialogue.state in UPCOMING,
            has_minutes=dialogue.state not in UPCOMING,
            advances=[(s.value, ADVANCE_LABELS[s]) for s in later if s in ADVANCE_LABELS] if can_organise else [],
            can_publish=can_organise and dialogue.state == SessionState.held,
            done=DONE.get(done or ""),
            error=error,
            typed=typed or {},
            today=moment.astimezone(LOCAL_TZ).date(),
        )

    @router.get("/{session_id:int}", response_class=HTMLResponse)
    def session_view(request: Request, session_id: int, done: str = "") -> Response:
        who, refused = console.gate(request)
        if refused is not None:
            return refused
        return session_page(request, who, session_id, done=done)

    @router.get("/{session_id:int}/chuong-trinh.{extension}")
    def agenda_download(request: Request, session_id: int, extension: str) -> Response:
        """The agenda with the data it is built from, as the user may read it (JSON, PDF or XLSX)."""
        who, refused = console.gate(request)
        if refused is not None:
            return refused
        if extension not in ("json", "pdf", "xlsx"):
            return console.message(request, who, AGENDA_FORMAT_UNKNOWN, 404)
        with console.database.session() as session:
            dialogue = session.get(DialogueSession, session_id)
            if dialogue is None:
                return console.message(request, who, SESSION_NOT_FOUND, 404)
            items = agenda.items_of(session, session_id)
        built = agenda.build(console.database, session_id, now=now(), encode=encode)
        data = visible_agenda(export.agenda_data(built, items, names(), now=now()), who.user)
        if extension == "json":
            return JSONResponse(data)
        body = export.render_agenda_pdf(data) if extension == "pdf" else export.render_agenda_xlsx(data)
        return attachment(body, extension, f"chuong-trinh-doi-thoai-{session_id}")

    @router.get("/{session_id:int}/bien-ban.pdf")
    def minutes_download(request: Request, session_id: int) -> Response:
        """The minutes as they stand once the session is held (a draft until the chair approves them)."""
        who, refused = console.gate(request)
        if refused is not None:
            return refused
        with console.database.session() as session:
            dialogue = session.get(DialogueSession, session_id)
            if dialogue is None:
                return console.message(request, who, SESSION_NOT_FOUND, 404)
            if dialogue.state in UPCOMING:
                return console.message(request, who, MINUTES_NOT_YET, 404)
            items = agenda.items_of(session, session_id)
            made = commitments.of_session(session, session_id)
        data = export.minutes_data(dialogue, items, made, names(), now=now())
        data["items"] = [visible_item(i, who.user) for i in data["items"]]
        return attachment(export.render_minutes_pdf(data), "pdf", f"bien-ban-doi-thoai-{session_id}")

    def organiser_post(who: SignedIn, request: Request) -> Response | None:
        return refused_for(request, who, organises(who.user))

    @router.post("/{session_id:int}/trang-thai")
    async def advance(request: Request, session_id: int) -> Response:
        who, form, refused = await console.posted(request)
        if refused is not None or (refused := organiser_post(who, request)) is not None:
            return refused
        target = str(form.get("state", ""))
        if target not in SessionState.__members__:
            return console.message(request, who, SESSION_NOT_FOUND, 404)
        return change_session(
            request, who, session_id, "advanced", lambda s, d: sessions.advance(s, d, SessionState(target), now=now())
        )

    @router.post("/{session_id:int}/cong-bo")
    async def publish(request: Request, session_id: int) -> Response:
        who, _form, refused = await console.posted(request)
        if refused is not None or (refused := organiser_post(who, request)) is not None:
            return refused
        return change_session(
            request,
            who,
            session_id,
            "published",
            lambda s, d: sessions.publish_minutes(s, d, approver=who.user.username, now=now()),
        )

    def change_session(
        request: Request, who: SignedIn, session_id: int, done: str, change: Callable[[Session, DialogueSession], Any]
    ) -> Response:
        problem = None
        with console.database.session() as session:
            dialogue = session.get(DialogueSession, session_id)
            if dialogue is None:
                return console.message(request, who, SESSION_NOT_FOUND, 404)
            try:
                change(session, dialogue)
            except SessionError as error:
                session.rollback()
                problem = str(error)
        if problem is not None:
            return session_page(request, who, session_id, error=problem, status_code=422)
        return RedirectResponse(f"/staff/doi-thoai/{session_id}?done={done}", status_code=303)

    @router.post("/{session_id:int}/lap-chuong-trinh")
    async def build_agenda(request: Request, session_id: int) -> Response:
        who, _form, refused = await console.posted(request)
        if refused is not None or (refused := organiser_post(who, request)) is not None:
            return refused
        with console.database.session() as session:
            dialogue = session.get(DialogueSession, session_id)
        if dialogue is None:
            return console.message(request, who, SESSION_NOT_FOUND, 404)
        if dialogue.state == SessionState.minutes_published:
            return session_page(request, who, session_id, error=MINUTES_CLOSED, status_code=409)
        built = agenda.build(console.database, session_id, now=now(), encode=encode)
        with console.database.session() as session:
            agenda.add(session, session_id, agenda.propose(built, names()))
        return RedirectResponse(f"/staff/doi-thoai/{session_id}?done=built#chuong-trinh", status_code=303)

    @router.post("/{session_id:int}/muc")
    async def add_item(request: Request, session_id: int) -> Response:
        who, form, refused = await console.posted(request)
        if refused is not None or (refused := organiser_post(who, request)) is not None:
            return refused
        title = str(form.get("title", "")).strip()
        department = str(form.get("department", "")) or None
        typed = {"item": "new", "title": title, "department": department or ""}
        if not title or len(title) > MAX_TEXT or (department and department not in console.catalog.departments):
            problem = TOO_LONG if len(title) > MAX_TEXT else (NEED_ITEM_TITLE if not title else BAD_DEPARTMENT)
            return session_page(request, who, session_id, error=problem, typed=typed, status_code=422)
        with console.database.session() as session:
            dialogue = session.get(DialogueSession, session_id)
            if dialogue is None:
                return console.message(request, who, SESSION_NOT_FOUND, 404)
            if dialogue.state != SessionState.minutes_published:
                item = AgendaItem(session_id=session_id, kind="topic", title=title, department=department)
                agenda.add(session, session_id, [item])
        if dialogue.state == SessionState.minutes_published:
            return session_page(request, who, session_id, error=MINUTES_CLOSED, status_code=409)
        return RedirectResponse(f"/staff/doi-thoai/{session_id}?done=added#chuong-trinh", status_code=303)

    @router.post("/{session_id:int}/muc/{item_id:int}/{action}")
    async def item_action(request: Request, session_id: int, item_id: int, action: str) -> Response:
        who, form, refused = await console.posted(request)
        if refused is not None or (refused := organiser_post(who, request)) is not None:
            return refused
        if action not in ITEM_ACTIONS:
            return console.message(request, who, ITEM_NOT_FOUND, 404)
        typed = {"item": item_id, "action": action, **{k: str(v) for k, v in form.items() if k != "csrf"}}
        problem, status_code, done = None, 422, ITEM_DONE.get(action, "answered")
        with console.database.session() as session:
            dialogue, item = session.get(DialogueSession, session_id), session.get(AgendaItem, item_id)
            if dialogue is None or item is None or item.session_id != session_id:
                return console.message(request, who, ITEM_NOT_FOUND, 404)
            if dialogue.state == SessionState.minutes_published:
                problem, status_code = MINUTES_CLOSED, 409
            else:
                try:
                    done = perform(session, dialogue, item, action, form, who.user) or done
                except SessionError as error:
                    session.rollback()
                    problem = str(error)
        if problem is not None:
            return session_page(request, who, session_id, error=problem, typed=typed, status_code=status_code)
        return RedirectResponse(f"/staff/doi-thoai/{session_id}?done={done}#muc-{item_id}", status_code=303)

    def perform(
        session: Session, dialogue: DialogueSession, item: AgendaItem, action: str, form: Any, user: User
    ) -> str | None:
        """Carry out one action on an agenda item; the `done` key when it differs from the action's own."""
        if action in ("len", "xuong"):
            agenda.move(session, item, -1 if action == "len" else 1)
        elif action == "ghi-chu":
            agenda.annotate(session, item, str(form.get("note", ""))[:MAX_TEXT])
        elif action == "bo":
            agenda.remove(session, item)
        elif action == "tra-loi":
            department = chosen_department(form, item)
            answer = str(form.get("answer", ""))
            if len(answer) > MAX_TEXT:
                raise SessionError(TOO_LONG)
            if item.department is None:
                item.department = department
            question = sessions.record_answer(
                session,
                item,
                answer=answer,
                actor=user.username,
                now=now(),
                department_name=department_name(department),
            )
            return "sent" if question is not None else "answered"
        else:
            department = chosen_department(form, item)
            promise = str(form.get("promise", ""))
            if len(promise) > MAX_TEXT:
                raise SessionError(TOO_LONG)
            moment = now()
            due_at = commitments.deadline(
                calendar,
                made_at=moment,
                working_days=whole_number(form.get("working_days")),
                day=day_of(form.get("day")),
            )
            commitments.make(
                session,
                dialogue,
                department=department,
                promise=promise,
                due_at=due_at,
                calendar=calendar,
                actor=user.username,
                now=moment,
                item_id=item.id,
            )
        return None

    def chosen_department(form: Any, item: AgendaItem) -> str:
        department = str(form.get("department", "")) or item.department or ""
        if department not in console.catalog.departments:
            raise SessionError(BAD_DEPARTMENT)
        return department

    # ------------------------------------------------------------------ commitments

    def commitments_page(
        request: Request,
        who: SignedIn,
        *,
        done: str | None = None,
        error: str | None = None,
        typed: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Response:
        moment = now()
        user = who.user
        query = select(Commitment, DialogueSession).join(
            DialogueSession, col(DialogueSession.id) == col(Commitment.session_id)
        )
        if user.role in DEPARTMENT_ROLES:
            query = query.where(col(Commitment.department) == user.department)
        with console.database.session() as session:
            rows = session.exec(
                query.order_by(col(Commitment.state).desc(), col(Commitment.due_at), col(Commitment.id))
            ).all()
            found = [
                commitment_view(
                    c,
                    moment,
                    dialogue=s,
                    events=commitments.events(session, c.id),
                    can_work=works_on(user, c) and c.completed_at is None,
                )
                for c, s in rows
            ]
        return console.page(
            request,
            "commitments.html",
            who,
            status_code=status_code,
            items=found,
            event_kinds=EVENT_LABELS,
            done=DONE.get(done or ""),
            error=error,
            typed=typed or {},
        )

    @router.get("/cam-ket", response_class=HTMLResponse)
    def commitment_list(request: Request, done: str = "") -> Response:
        who, refused = console.gate(request)
        if refused is not None:
            return refused
        return commitments_page(request, who, done=done)

    @router.post("/cam-ket/{commitment_id:int}/{action}")
    async def commitment_action(request: Request, commitment_id: int, action: str) -> Response:
        who, form, refused = await console.posted(request)
        if refused is not None:
            return refused
        if action not in ("tien-do", "hoan-thanh"):
            return console.message(request, who, COMMITMENT_NOT_FOUND, 404)
        if access.masks_personal_data(who.user):
            return console.message(request, who, console_texts.FORBIDDEN, 403)
        text = str(form.get("text", ""))
        problem = None
        with console.database.session() as session:
            commitment = session.get(Commitment, commitment_id)
            if commitment is None:
                return console.message(request, who, COMMITMENT_NOT_FOUND, 404)
            if not works_on(who.user, commitment):
                return console.message(request, who, texts.NOT_YOUR_DEPARTMENT, 403)
            try:
                if len(text) > MAX_TEXT:
                    raise SessionError(TOO_LONG)
                if action == "tien-do":
                    commitments.note_progress(session, commitment, note=text, actor=who.user.username, now=now())
                else:
                    commitments.complete(session, commitment, evidence=text, actor=who.user.username, now=now())
            except SessionError as error:
                session.rollback()
                problem = str(error)
        if problem is not None:
            typed = {"commitment": commitment_id, "action": action, "text": text}
            return commitments_page(request, who, error=problem, typed=typed, status_code=422)
        done = "progress" if action == "tien-do" else "completed"
        return RedirectResponse(f"/staff/doi-thoai/cam-ket?done={done}#cam-ket-{commitment_id}", status_code=303)

    return router
