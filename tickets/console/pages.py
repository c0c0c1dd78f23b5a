"""The staff console at /staff: sign-in, the department's queue and the ticket page with its actions.

Server-rendered (Jinja2, autoescaped). Every page checks the session; every form carries the session's
CSRF token; which tickets a user may read is part of each query (`tickets.domain.access.scoped`), so a ticket
of another department is "not found" whatever the URL.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence, Set
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import or_
from sqlmodel import Session, col, select

from knowledge.legal import Register
from nlu.places import unit_named
from tickets.calendar.sla import LOCAL_TZ
from tickets.console import texts
from tickets.domain import access, drafts, escalation, payloads, services
from tickets.domain.accounts import PasswordChangeError, change_password
from tickets.domain.escalation import OPEN_STATES
from tickets.domain.notices import STATE_LABELS
from tickets.domain.signin import SignedIn, SignInError, sign_in, sign_out, signed_in
from tickets.reports import builder as report_builder
from tickets.reports import stats
from tickets.storage.db import Database
from tickets.storage.models import FaqDraft, Role, Ticket, TicketEvent, TicketState, TranscriptMessage, User, utcnow

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
STATIC_DIR = HERE / "static"
TEMPLATES.env.filters["vn_time"] = lambda moment: (
    moment.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y") if moment else ""
)
TEMPLATES.env.filters["vn_day"] = lambda moment: moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y") if moment else ""
COOKIE = "donghanh_staff"
LOGIN_CSRF_COOKIE = "donghanh_login_csrf"  # double-submit token of the sign-in form, before any session exists
MAX_TEXT = 4000
QUEUE_LIMIT = 200
ACTIONS = ("reply", "request-info", "note", "resolve")
ALL_STATES = "all"  # the queue's state filter for every state; no state is the open work (`OPEN_STATES`)

Suggest = Callable[[str], Sequence[Any]]
"""Knowledge hits for a ticket's description (objects with `document.id`, `.title`, `.text`, `.source`)."""


class Console:
    """What the console's pages need: the database, the catalogue (a `knowledge.catalog.Catalog`), the legal
    register, knowledge suggestions, what to do after the FAQ changed, the channels' labels (code -> label,
    from the channel registry), and the clock."""

    def __init__(
        self,
        *,
        database: Database,
        catalog: Any,
        register: Register,
        suggest: Suggest,
        on_publish: Callable[[], object] = lambda: None,
        channel_labels: Mapping[str, str],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database, self.catalog, self.register, self.suggest, self.clock = (
            database,
            catalog,
            register,
            suggest,
            clock,
        )
        self.on_publish = on_publish  # re-indexes the knowledge base after the FAQ changed
        self.channel_labels = dict(channel_labels)

    # ------------------------------------------------------------------ helpers

    def who(self, request: Request) -> SignedIn | None:
        return signed_in(self.database, request.cookies.get(COOKIE), now=self.clock())

    def page(
        self, request: Request, name: str, who: SignedIn | None, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        common = {
            "who": who,
            "state_labels": STATE_LABELS,
            "role_labels": texts.ROLE_LABELS,
            "channel_labels": self.channel_labels,
            "event_labels": texts.EVENT_LABELS,
            "departments": self.catalog.departments,
            "topics": self.catalog.topics,
            "unread": escalation.unread_count(self.database, who.user) if who else 0,
            "is_admin": bool(who and who.user.role == Role.admin),
            "notice_labels": texts.NOTIFICATION_LABELS,
            "department_name": lambda code: (
                self.catalog.departments[code].name if code in self.catalog.departments else code
            ),
        }
        return TEMPLATES.TemplateResponse(request, name, {**common, **context}, status_code=status_code)

    def message(self, request: Request, who: SignedIn | None, text: str, status_code: int) -> HTMLResponse:
        return self.page(request, "message.html", who, status_code=status_code, text=text)

    @staticmethod
    def badges(ticket: Ticket, now: datetime) -> dict[str, bool]:
        """Red past the deadline, amber once 80 % of the working time is used (the sweep's own moments)."""
        open_ = ticket.state in OPEN_STATES
        overdue = open_ and ticket.due_at <= now
        near = open_ and not overdue and ticket.warn_at is not None and ticket.warn_at <= now
        return {"overdue": overdue, "near": near}

    def ticket_for(self, session: Session, user: User, code: str) -> Ticket | None:
        return session.exec(access.scoped(access.visible_ticket(code), user)).first()

    def gate(self, request: Request) -> tuple[SignedIn | None, Response | None]:
        """The signed-in user, or the response that sends them to sign in (or to change a one-time password)."""
        who = self.who(request)
        if who is None:
            return None, RedirectResponse("/staff/login", status_code=303)
        if who.user.must_change_password and request.url.path != "/staff/password":
            return who, RedirectResponse("/staff/password", status_code=303)
        return who, None

    async def posted(self, request: Request) -> tuple[SignedIn | None, Any, Response | None]:
        """A POST's user and form, or the response refusing it (not signed in, or no valid CSRF token)."""
        who, refused = self.gate(request)
        if refused is not None:
            return who, None, refused
        form = await request.form()
        if form.get("csrf") != who.csrf_token:
            return who, form, self.message(request, who, texts.CSRF_FAILED, 403)
        return who, form, None


def console_routes(console: Console) -> APIRouter:
    router = APIRouter(prefix="/staff")

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> Response:
        return _login_form(console, request)

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not expected or form.get("csrf") != expected:
            return _login_form(console, request, error=texts.CSRF_FAILED, status_code=403)
        username = str(form.get("username", ""))[:64]
        try:
            token = sign_in(
                console.database, username=username, password=str(form.get("password", "")), now=console.clock()
            )
        except SignInError as error:
            text = texts.SIGN_IN_LOCKED if error.reason == "locked" else texts.SIGN_IN_INVALID
            return _login_form(console, request, error=text, username=username, status_code=401)
        response = RedirectResponse("/staff", status_code=303)
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/staff"
        )
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff")
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        who = console.who(request)
        form = await request.form()
        if who is not None and form.get("csrf") == who.csrf_token:
            sign_out(console.database, request.cookies.get(COOKIE))
        response = RedirectResponse("/staff/login", status_code=303)
        response.delete_cookie(COOKIE, path="/staff")
        return response

    @router.get("/password", response_class=HTMLResponse)
    def password_page(request: Request) -> Response:
        who, refused = console.gate(request)
        return refused or console.page(request, "password.html", who)

    @router.post("/password")
    async def password(request: Request) -> Response:
        who, form, refused = await console.posted(request)
        if refused is not None:
            return refused
        new = str(form.get("new", ""))
        if new != str(form.get("confirm", "")):
            return console.page(request, "password.html", who, status_code=422, error=texts.PASSWORD_MISMATCH)
        try:
            change_password(console.database, user_id=who.user.id, current=str(form.get("current", "")), new=new)
        except PasswordChangeError as error:
            return console.page(
                request, "password.html", who, status_code=422, error=texts.PASSWORD_REFUSED[error.reason]
            )
        return RedirectResponse("/staff", status_code=303)

    @router.get("", response_class=HTMLResponse)
    def queue(
        request: Request,
        state: str = "",
        topic: str = "",
        channel: str = "",
        ward: str = "",
        overdue: str = "",
        q: str = "",
    ) -> Response:
        who, refused = console.gate(request)
        if refused is not None:
            return refused
        now = console.clock()
        query = access.scoped(select(Ticket), who.user)
        if state not in (ALL_STATES, *TicketState.__members__):
            state = ""  # no state chosen (or an unknown one): the open work
        if not state:
            query = query.where(col(Ticket.state).in_(OPEN_STATES))
        elif state != ALL_STATES:
            query = query.where(col(Ticket.state) == TicketState(state))
        if topic in console.catalog.topics:
            query = query.where(col(Ticket.topic) == topic)
        if channel in console.channel_labels:
            query = query.where(col(Ticket.channel) == channel)
        place = stats.dimension_column("ward")
        if ward.strip():
            query = query.where(place == ward.strip()[:64])
        if overdue:
            query = query.where(col(Ticket.state).in_(OPEN_STATES), col(Ticket.due_at) <= now)
        if q.strip():
            pattern = "%" + q.strip()[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                or_(
                    col(Ticket.code).ilike(pattern, escape="\\"),
                    col(Ticket.company_name).ilike(pattern, escape="\\"),
                    col(Ticket.description).ilike(pattern, escape="\\"),
                )
            )
        with console.database.session() as session:
            rows = session.exec(query.order_by(col(Ticket.due_at), col(Ticket.id)).limit(QUEUE_LIMIT)).all()
            present = {
                p
                for p in session.exec(access.scoped(select(Ticket), who.user).with_only_columns(place).distinct())
                if p
            }
        places = [
            (name, report_builder.place_label(name))
            for name in sorted(present, key=lambda name: (not unit_named(name), name))
        ]
        masked = access.masks_personal_data(who.user)
        items = [
            {
                "ticket": t,
                "company": access.mask_name(t.company_name) if masked else t.company_name,
                **console.badges(t, now),
            }
            for t in rows
        ]
        filters = {"state": state, "topic": topic, "channel": channel, "ward": ward, "overdue": overdue, "q": q}
        return console.page(request, "queue.html", who, items=items, filters=filters, places=places, now=now)

    @router.get("/tickets/{code}", response_class=HTMLResponse)
    def ticket_page(request: Request, code: str, done: str = "") -> Response:
        who, refused = console.gate(request)
        if refused is not None:
            return refused
        with console.database.session() as session:
            ticket = console.ticket_for(session, who.user, code)
            if ticket is None:
                return console.message(request, who, texts.NOT_FOUND, 404)
            transcript = (
                session.exec(
                    select(TranscriptMessage)
                    .where(col(TranscriptMessage.conversation_id) == ticket.conversation_id)
                    .order_by(col(TranscriptMessage.created_at), col(TranscriptMessage.id))
                ).all()
                if ticket.conversation_id
                else []
            )
            events = session.exec(
                select(TicketEvent)
                .where(col(TicketEvent.ticket_id) == ticket.id)
                .order_by(col(TicketEvent.at), col(TicketEvent.id))
            ).all()
            colleagues = session.exec(
                select(User)
                .where(col(User.department) == ticket.department, col(User.is_active))
                .order_by(col(User.username))
            ).all()
            assignee = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
            proposed = session.exec(select(FaqDraft).where(col(FaqDraft.ticket_id) == ticket.id)).first()
        masked = access.masks_personal_data(who.user)
        business = {
            "company": access.mask_name(ticket.company_name) if masked else ticket.company_name,
            "tax_code": access.mask_text(ticket.tax_code) if masked else ticket.tax_code,
            "contact": access.mask_text(ticket.contact) if masked else ticket.contact,
            "place": ticket.ward or (report_builder.place_label(ticket.district) if ticket.district else None),
        }
        shown = access.mask_text if masked else (lambda text: text)
        transcript = _readable(transcript)
        answer = next((e.body for e in reversed(events) if e.kind == "resolve"), "")
        can_act = access.can_act(who.user, ticket)
        return console.page(
            request,
            "ticket.html",
            who,
            ticket=ticket,
            business=business,
            shown=shown,
            transcript=transcript,
            events=events,
            colleagues=colleagues,
            assignee=assignee,
            suggestions=[] if masked else list(console.suggest(ticket.description))[:3],
            can_act=can_act,
            can_assign=access.can_assign(who.user, ticket),
            can_transfer=access.can_transfer(who.user, ticket),
            can_propose=can_act and ticket.state in drafts.RESOLVED_STATES and proposed is None,
            answer=answer,
            proposed=proposed,
            done=texts.DONE.get(done),
            **console.badges(ticket, console.clock()),
        )

    @router.post("/tickets/{code}/{action}")
    async def act(request: Request, code: str, action: str) -> Response:
        who, form, refused = await console.posted(request)
        if refused is not None:
            return refused
        if action not in (*ACTIONS, "assign", "transfer", "propose"):
            return console.message(request, who, texts.NOT_FOUND, 404)
        now = console.clock()
        with console.database.session() as session:
            ticket = console.ticket_for(session, who.user, code)
            if ticket is None:
                return console.message(request, who, texts.NOT_FOUND, 404)
            user = session.get(User, who.user.id)
            problem = _perform(console, session, ticket, user, action, form, now)
            if problem is not None:
                session.rollback()
                return console.message(request, who, problem[0], problem[1])
        return RedirectResponse(f"/staff/tickets/{code}?done={action}", status_code=303)

    @router.get("/notifications", response_class=HTMLResponse)
    def notifications(request: Request) -> Response:
        who, refused = console.gate(request)
        if refused is not None:
            return refused
        return console.page(request, "notifications.html", who, items=escalation.unread(console.database, who.user))

    @router.post("/notifications/read")
    async def notifications_read(request: Request) -> Response:
        who, _form, refused = await console.posted(request)
        if refused is not None:
            return refused
        escalation.mark_read(console.database, who.user, now=console.clock())
        return RedirectResponse("/staff/notifications", status_code=303)

    @router.get("/drafts", response_class=HTMLResponse)
    def draft_list(request: Request, done: str = "") -> Response:
        who, refused = console.gate(request)
        if refused is not None:
            return refused
        if who.user.role != Role.admin:
            return console.message(request, who, texts.FORBIDDEN, 403)
        return console.page(
            request, "drafts.html", who, drafts=drafts.pending(console.database), done=texts.DONE.get(done)
        )

    @router.post("/drafts/{draft_id}/{decision}")
    async def draft_decision(request: Request, draft_id: int, decision: str) -> Response:
        who, form, refused = await console.posted(request)
        if refused is not None:
            return refused
        if who.user.role != Role.admin:
            return console.message(request, who, texts.FORBIDDEN, 403)
        if decision not in ("save", "publish", "reject"):
            return console.message(request, who, texts.NOT_FOUND, 404)
        with console.database.session() as session:
            draft, user = session.get(FaqDraft, draft_id), session.get(User, who.user.id)
            if draft is None:
                return console.message(request, who, texts.NOT_FOUND, 404)
            try:
                if decision == "reject":
                    drafts.reject(session, draft=draft, actor=user, now=console.clock())
                else:
                    drafts.review(
                        session,
                        draft=draft,
                        actor=user,
                        question=str(form.get("question", "")),
                        paraphrases=str(form.get("paraphrases", "")),
                        answer=str(form.get("answer", "")),
                        sources=str(form.get("sources", "")),
                        publish=decision == "publish",
                        now=console.clock(),
                        register=console.register,
                    )
            except drafts.DraftError as error:
                session.rollback()
                return console.message(request, who, str(error), 422)
        if decision == "publish":
            console.on_publish()
        return RedirectResponse(f"/staff/drafts?done={decision}", status_code=303)

    return router


def _readable(transcript: Sequence[TranscriptMessage]) -> list[tuple[TranscriptMessage, str]]:
    """Each message with what a reader should see: a button press shows the button's title, never its code.

    A press is looked up in the buttons of every message the assistant sent since the business's previous
    message, then in those of any earlier one. Staff notices (replies, the rating prompt) go out through the
    outbox and their buttons are not in the transcript: a press with no known title reads as its kind's label.
    """
    lines: list[tuple[TranscriptMessage, str]] = []
    recent: dict[str, str] = {}  # payload -> title, of the buttons sent since the business's previous message
    earlier: dict[str, str] = {}
    for message in transcript:
        if message.direction == "out":
            recent.update({payload: title for title, payload in message.buttons or []})
            lines.append((message, message.text))
            continue
        pressed = _pressed(message, recent.keys() | earlier.keys())
        if pressed is None:
            lines.append((message, message.text))
        else:
            lines.append((message, recent.get(pressed) or earlier.get(pressed) or _press_label(pressed)))
        earlier.update(recent)
        recent = {}
    return lines


_PAYLOAD_SHAPE = re.compile(r"[a-z]+(?::[^\s:]+)+")  # kind:argument[:argument], as `payloads.make` builds it


def _pressed(message: TranscriptMessage, offered: Set[str]) -> str | None:
    """The payload of the button a business's message pressed; None for a typed text. A press may have been
    stored as a text equal to its payload."""
    text = (message.text or "").strip()
    if message.payload and (not text or text == message.payload):
        return message.payload
    if text in offered or (_PAYLOAD_SHAPE.fullmatch(text) and payloads.split(text)[0] in texts.PRESSED):
        return text
    return None


def _press_label(payload: str) -> str:
    """A readable label for a press whose button title is unknown, from its payload's kind and arguments."""
    kind, argument = payloads.split(payload)
    label = texts.PRESSED.get(payload) or texts.PRESSED.get(kind)
    if label is None:
        return texts.PRESSED_UNKNOWN
    try:
        return label.format(*argument.split(":"))
    except IndexError:  # fewer arguments than the label names
        return texts.PRESSED_UNKNOWN


def _login_form(
    console: Console, request: Request, *, error: str | None = None, username: str = "", status_code: int = 200
) -> Response:
    """The sign-in page with a fresh double-submit CSRF token (cookie and hidden field)."""
    token = secrets.token_urlsafe(32)
    response = console.page(
        request, "login.html", None, status_code=status_code, error=error, username=username, csrf=token
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/staff"
    )
    return response


def _perform(
    console: Console, session: Session, ticket: Ticket, user: User, action: str, form: Any, now: datetime
) -> tuple[str, int] | None:
    """Carry out one action; (Vietnamese message, HTTP status) when it cannot be done."""
    allowed = {"assign": access.can_assign, "transfer": access.can_transfer}.get(action, access.can_act)
    if action == "propose":
        if not allowed(user, ticket):
            return texts.FORBIDDEN, 403
        try:
            drafts.propose(
                session,
                ticket=ticket,
                actor=user,
                question=str(form.get("question", "")),
                answer=str(form.get("answer", "")),
                sources=str(form.get("sources", "")),
                now=now,
            )
        except drafts.DraftError as error:
            return str(error), 422
        return None
    if not allowed(user, ticket):
        return texts.FORBIDDEN, 403
    department_name = console.catalog.departments[ticket.department].name
    try:
        if action in ACTIONS:
            text = str(form.get("text", "")).strip()
            if not text:
                return texts.EMPTY_TEXT, 422
            if len(text) > MAX_TEXT:
                return texts.TOO_LONG.format(limit=MAX_TEXT), 422
            if action == "note":
                services.add_note(session, ticket=ticket, actor=user, text=text, now=now)
            else:
                change = {"reply": services.reply, "request-info": services.request_info, "resolve": services.resolve}[
                    action
                ]
                change(session, ticket=ticket, actor=user, text=text, department_name=department_name, now=now)
        elif action == "assign":
            assignee = (
                session.get(User, int(form.get("assignee", 0) or 0))
                if str(form.get("assignee", "")).isdigit()
                else None
            )
            if assignee is None or (user.role == Role.lead and assignee.department != user.department):
                return texts.UNKNOWN_ASSIGNEE, 422
            services.assign(session, ticket=ticket, actor=user, assignee=assignee, now=now)
        else:
            department = str(form.get("department", ""))
            if department not in console.catalog.departments:
                return texts.UNKNOWN_DEPARTMENT, 422
            if not str(form.get("reason", "")).strip():
                return texts.TRANSFER_REASON, 422
            services.transfer(
                session,
                ticket=ticket,
                actor=user,
                department=department,
                reason=str(form.get("reason"))[:MAX_TEXT],
                now=now,
            )
    except services.TicketError as error:
        return texts.NOT_ALLOWED.format(detail=error), 409
    return None
