"""Demo data (`donghanh demo seed`): synthetic businesses, conversations and tickets over the last months, so
a newcomer sees a living statistics dashboard.

How demo data is recognised: every demo conversation has a user key starting with `demo-` (`demo-zalo-dn0042`
for a business, `demo-webchat-kh01234` for a visitor who only asked the bot), and every demo ticket belongs
to such a conversation; demo staff accounts are named `demo.<department>.<role>`. `seed` refuses a database
that holds any ticket outside demo conversations, and also one that already holds demo conversations
(re-seeding never adds a second, overlapping history: start from an empty database instead).

Tickets go through the real services (`tickets.domain.services`) in time order, with the deadline sweep
(`tickets.domain.escalation.run_once`) run every morning in between, so codes, deadlines, warnings, escalations,
automatic closing and the audit trail are what the running service would have produced. Messages the
services queued for the businesses are marked as sent: they belong to the past.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select
from stdnum.vn import mst

from knowledge.answer import cite
from knowledge.catalog import Catalog
from knowledge.legal import load_register
from knowledge.loader import FaqEntry, load_faq
from nlu.places import former_districts
from tickets.calendar.sla import WorkingCalendar
from tickets.demo import texts
from tickets.demo.life import TOPIC_WEIGHTS, Business, Clock, Life, Staff
from tickets.demo.sessions import SeededSessions, seed_sessions
from tickets.domain import payloads
from tickets.domain.accounts import hash_password
from tickets.storage.db import Database
from tickets.storage.models import (
    Conversation,
    OutboxMessage,
    Role,
    StaffNotification,
    Ticket,
    TicketState,
    TranscriptMessage,
    User,
    UserCreate,
)

DEMO_KEY_PREFIX = "demo-"
DEMO_USER_PREFIX = "demo."
TICKETS_PER_MONTH = (190, 340)  # at the start and at the end of the period: use of the service grows
VISITS_PER_TICKET = 4.0  # conversations answered by the bot alone, per ticket


class DemoRefused(RuntimeError):
    """The database is not one demo data may be added to; the message (Vietnamese) says why."""


@dataclass(frozen=True)
class DemoChannels:
    """The channels the demo's conversations come through (from the channel registry): each one's relative
    `shares` of conversations, and those whose chat `identifies` the business (contact details optional)."""

    shares: Mapping[str, int]
    identifies: frozenset[str]

    def pick(self, rng: random.Random) -> str:
        return rng.choices(list(self.shares), list(self.shares.values()))[0]


@dataclass(frozen=True)
class SeedResult:
    """What was seeded: `businesses` that filed tickets, demo `conversations` (visitors' and businesses') and their
    transcript `messages`, `tickets` and their outcomes at `now` (`overdue`: still open past the deadline)."""

    start: datetime
    businesses: int
    staff_created: int
    conversations: int
    messages: int
    tickets: int
    resolved: int
    resolved_late: int
    open: int
    overdue: int
    waiting_for_business: int
    transferred: int
    reopened: int
    rated: int
    dialogues: SeededSessions | None = None  # the dialogue sessions, their questions and commitments


def is_demo_key(user_key: str) -> bool:
    return user_key.startswith(DEMO_KEY_PREFIX)


def seed(
    database: Database,
    *,
    months: int,
    now: datetime,
    calendar: WorkingCalendar,
    catalog: Catalog,
    channels: DemoChannels,
    seed: int = 2026,
    faq: Sequence[FaqEntry] | None = None,
) -> SeedResult:
    """Fill `database` with `months` months of demo activity ending at `now` (aware), the same for a seed.

    Raises:
        DemoRefused: the database holds tickets that are not demo data, or demo data already.
    """
    if months < 1 or now.tzinfo is None:
        raise ValueError("months must be at least 1 and now timezone-aware")
    _check_database(database)
    rng = random.Random(seed)
    start = _months_before(now, months)
    entries = list(faq if faq is not None else load_faq())
    register = load_register()
    citations = {entry.id: "; ".join(cite(source, register) for source in entry.sources) for entry in entries}
    clock = Clock(calendar=calendar, rng=rng)
    with database.session() as session:
        staff, created = _ensure_staff(session, catalog=catalog, rng=rng, at=start)
        businesses = _businesses(rng, count=150 + 25 * months, channels=channels)
        arrivals = _arrivals(clock, start=start, now=now)
        _visits(
            session,
            rng,
            channels=channels,
            clock=clock,
            entries=entries,
            citations=citations,
            catalog=catalog,
            arrivals=arrivals,
            now=now,
        )
        life = Life(
            session=session,
            database=database,
            rng=rng,
            clock=clock,
            catalog=catalog,
            staff=staff,
            entries=entries,
            citations=citations,
            now=now,
        )
        life.run(businesses=businesses, arrivals=[at for at, kind in arrivals if kind == "ticket"])
        dialogues = seed_sessions(
            session,
            rng,
            clock=clock,
            businesses=businesses,
            names={code: d.name for code, d in catalog.departments.items()},
            start=start,
            now=now,
        )
    _mark_delivered(database, now=now)
    return replace(_result(database, start=start, now=now, staff_created=created), dialogues=dialogues)


def _check_database(database: Database) -> None:
    demo = col(Conversation.user_key).startswith(DEMO_KEY_PREFIX)
    with database.session() as session:
        foreign = session.exec(
            select(func.count())
            .select_from(Ticket)
            .outerjoin(Conversation, col(Conversation.id) == col(Ticket.conversation_id))
            .where(col(Conversation.id).is_(None) | ~demo)
        ).one()
        if foreign:
            raise DemoRefused(texts.REFUSED_FOREIGN.format(count=foreign))
        seeded = session.exec(select(func.count()).select_from(Conversation).where(demo)).one()
        if seeded:
            raise DemoRefused(texts.REFUSED_AGAIN.format(count=seeded))


def _months_before(now: datetime, months: int) -> datetime:
    month_index = now.year * 12 + now.month - 1 - months
    year, month = divmod(month_index, 12)
    return now.replace(year=year, month=month + 1, day=min(now.day, 28))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(texts.FAMILY_NAMES)} {rng.choice(texts.MIDDLE_NAMES)} {rng.choice(texts.GIVEN_NAMES)}"


def _ensure_staff(session: Session, *, catalog: Catalog, rng: random.Random, at: datetime) -> tuple[Staff, int]:
    """A lead and a few staff per department, created when missing. Their password is random and never
    shown, so nobody can sign in as them; one hash serves them all (argon2 takes ~0.2 s a hash)."""
    existing = {
        u.username: u for u in session.exec(select(User).where(col(User.username).startswith(DEMO_USER_PREFIX)))
    }
    password_hash, created = None, 0
    staff: Staff = {}
    for code in sorted(catalog.departments):
        people = []
        for index in range(texts.TEAM_SIZES.get(code, 2) + 1):
            role = Role.lead if index == 0 else Role.staff
            username = f"{DEMO_USER_PREFIX}{code.lower()}.{'lanhdao' if index == 0 else f'canbo{index}'}"
            full_name = _person(rng)
            user = existing.get(username)
            if user is None:
                password = secrets.token_urlsafe(32)  # not from `rng`: a seed must not make it guessable
                fields = UserCreate.model_validate(
                    {
                        "username": username,
                        "password": password,
                        "role": role,
                        "department": code,
                        "full_name": full_name,
                    }
                )
                password_hash = password_hash or hash_password(password)
                user = User(
                    **fields.model_dump(exclude={"password"}),
                    password_hash=password_hash,
                    must_change_password=True,
                    created_at=at,
                )
                session.add(user)
                created += 1
            people.append(user)
        staff[code] = people
    session.flush()
    return staff, created


def _tax_code(rng: random.Random, used: set[str]) -> str:
    while True:
        body = "03" + "".join(rng.choice("0123456789") for _ in range(7))
        number = body + mst.calc_check_digit(body)
        if mst.is_valid(number) and number not in used:
            used.add(number)
            return number if rng.random() > 0.05 else f"{number}-00{rng.randint(1, 3)}"


def _businesses(rng: random.Random, *, count: int, channels: DemoChannels) -> list[Business]:
    names: set[str] = set()
    codes: set[str] = set()
    result = []
    forms, form_weights = zip(*texts.COMPANY_FORMS, strict=True)
    districts, district_weights = zip(*texts.DISTRICTS, strict=True)
    successors = {district.name: district.successors for district in former_districts()}
    while len(result) < count:
        form = rng.choices(forms, form_weights)[0]
        if form == "Hộ kinh doanh":
            name = f"{form} {rng.choice(texts.HOUSEHOLD_TRADES)} {rng.choice(texts.GIVEN_NAMES)}"
        else:
            name = f"{form} {rng.choice(texts.SECTORS)} {rng.choice(texts.BRANDS)}"
        if name in names:
            continue
        names.add(name)
        channel = channels.pick(rng)
        contact = (
            None
            if channel in channels.identifies and rng.random() < 0.4
            else (
                f"+849{rng.randint(0, 99_999_999):08d}"
                if rng.random() < 0.7
                else f"ketoan{len(result) + 1}@doanhnghiep.vn"
            )
        )
        district = rng.choices(districts, district_weights)[0]
        result.append(
            Business(
                name=name,
                tax_code=_tax_code(rng, codes),
                district=district,
                ward=rng.choice(successors[district]),
                channel=channel,
                contact=contact,
                user_key=f"{DEMO_KEY_PREFIX}{channel}-dn{len(result) + 1:04d}",
                weight=1 / (len(result) + 1) ** 0.7,
            )
        )
    rng.shuffle(result)
    return result


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _arrivals(clock: Clock, *, start: datetime, now: datetime) -> list[tuple[datetime, str]]:
    """When tickets are filed and visitors chat: fewer on weekends and holidays, mostly in office hours."""
    rng, found = clock.rng, []
    first, last = clock.local(start).date(), clock.local(now).date()
    span = max((last - first).days, 1)
    month_noise: dict[tuple[int, int], float] = {}
    day = first
    while day <= last:
        low, high = TICKETS_PER_MONTH
        noise = month_noise.setdefault((day.year, day.month), rng.uniform(0.88, 1.12))
        per_day = (low + (high - low) * (day - first).days / span) * noise / 21.7
        if not clock.calendar.is_working_day(day):
            per_day *= 0.12
        for kind, mean in (("ticket", per_day), ("visit", per_day * VISITS_PER_TICKET)):
            for _ in range(_poisson(rng, mean)):
                moment = clock.business_moment(day)
                if start <= moment <= now:
                    found.append((moment, kind))
        day += timedelta(days=1)
    found.sort()
    return found


def _visits(
    session: Session,
    rng: random.Random,
    *,
    channels: DemoChannels,
    clock: Clock,
    entries: list[FaqEntry],
    citations: dict[str, str],
    catalog: Catalog,
    arrivals: list[tuple[datetime, str]],
    now: datetime,
) -> None:
    """Conversations the bot handled alone: answered questions (some rated «Hữu ích» or «Chưa đúng»),
    questions it could not answer, greetings and chit-chat. Inserted in bulk."""
    by_topic: dict[str, list[FaqEntry]] = {}
    for entry in entries:
        by_topic.setdefault(entry.topic, []).append(entry)
    topics = [t for t in TOPIC_WEIGHTS if t in by_topic]
    plans = []
    for number, (at, _) in enumerate(a for a in arrivals if a[1] == "visit"):
        channel = channels.pick(rng)
        turns: list[dict] = []
        kind = rng.choices(["answered", "unanswered", "greet", "chitchat"], [72, 6, 10, 12])[0]
        if kind == "greet" or (kind == "answered" and rng.random() < 0.2):
            turns += _turn(rng.choice(texts.GREETINGS), texts.GREETING_REPLY, intent="greet")
        if kind in ("answered", "unanswered"):
            topic = rng.choices(topics, [TOPIC_WEIGHTS[t] for t in topics])[0]
            for _ in range(2 if rng.random() < 0.12 else 1):
                entry = rng.choice(by_topic[topic])
                question = rng.choice([entry.question, *entry.paraphrases])
                if kind == "unanswered":
                    turns += _turn(
                        question, texts.NO_ANSWER, intent="ask", topic=topic, buttons=texts.BUTTONS_NO_ANSWER
                    )
                    break
                answer = f"{entry.answer}\n\n" + texts.ANSWER_FOOTER.format(
                    sources=citations[entry.id], department=catalog.departments[entry.department].name
                )
                turns += _turn(
                    question, answer, intent="ask", topic=topic, answer_id=entry.id, buttons=texts.BUTTONS_ANSWER
                )
                feedback = rng.random()
                if feedback < 0.25:
                    turns += _turn(
                        "", texts.THANKS_FEEDBACK, payload=payloads.HELPFUL, intent="feedback", answer_id=entry.id
                    )
                elif feedback < 0.32:
                    turns += _turn(
                        "",
                        texts.SORRY_FEEDBACK,
                        payload=payloads.NOT_RIGHT,
                        intent="feedback",
                        answer_id=entry.id,
                        buttons=texts.BUTTONS_NO_ANSWER,
                    )
                    break
        if kind == "chitchat":
            turns += _turn(rng.choice(texts.CHITCHAT), texts.OUT_OF_SCOPE_REPLY, intent="out_of_scope")
        if kind != "chitchat" and rng.random() < 0.15:
            turns += _turn(rng.choice(texts.THANKS), texts.THANKS_REPLY, intent="thanks")
        moment = at
        for message in turns:
            message["created_at"] = min(moment, now)
            moment += timedelta(seconds=rng.randint(2, 40) if message["direction"] == "out" else rng.randint(20, 240))
        last_in = max(m["created_at"] for m in turns if m["direction"] == "in")
        conversation = {
            "channel": channel,
            "user_key": f"{DEMO_KEY_PREFIX}{channel}-kh{number + 1:05d}",
            "state": "idle",
            "context": {},
            "created_at": at,
            "updated_at": turns[-1]["created_at"],
            "last_user_message_at": last_in,
        }
        plans.append((conversation, turns))
    if not plans:
        return
    returning = insert(Conversation).returning(col(Conversation.id), sort_by_parameter_order=True)
    ids = session.scalars(returning, [conversation for conversation, _ in plans]).all()
    rows = [
        {**message, "conversation_id": id_} for id_, (_, turns) in zip(ids, plans, strict=True) for message in turns
    ]
    for offset in range(0, len(rows), 5000):
        session.connection().execute(insert(TranscriptMessage.__table__), rows[offset : offset + 5000])


def _turn(
    text: str,
    reply: str,
    *,
    intent: str,
    topic: str | None = None,
    answer_id: str | None = None,
    payload: str | None = None,
    buttons: list | None = None,
) -> list[dict]:
    """One dialogue turn as `bot.dialogue.engine._record` stores it: the message in, the reply out."""
    common = {"topic": topic, "answer_id": answer_id, "ticket_id": None}
    return [
        {**common, "direction": "in", "text": text, "payload": payload, "buttons": None, "intent": intent},
        {**common, "direction": "out", "text": reply, "payload": None, "buttons": buttons, "intent": None},
    ]


def _demo_tickets():
    return (
        select(Ticket.id)
        .join(Conversation, col(Conversation.id) == col(Ticket.conversation_id))
        .where(col(Conversation.user_key).startswith(DEMO_KEY_PREFIX))
    )


def _mark_delivered(database: Database, *, now: datetime) -> None:
    """The past's messages were delivered, and its notifications read: only the last days' stay unread."""
    with database.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.user_key).startswith(DEMO_KEY_PREFIX), col(OutboxMessage.state) == "pending")
            .values(state="sent", attempts=1, sent_at=OutboxMessage.created_at)
        )
        session.execute(
            update(StaffNotification)
            .where(
                col(StaffNotification.ticket_id).in_(_demo_tickets()),
                col(StaffNotification.read_at).is_(None),
                col(StaffNotification.created_at) < now - timedelta(days=3),
            )
            .values(read_at=StaffNotification.created_at)
        )


def _result(database: Database, *, start: datetime, now: datetime, staff_created: int) -> SeedResult:
    open_states = {TicketState.moi, TicketState.dang_xu_ly, TicketState.cho_bo_sung}
    demo = col(Conversation.user_key).startswith(DEMO_KEY_PREFIX)
    with database.session() as session:
        tickets = list(session.exec(select(Ticket).where(col(Ticket.id).in_(_demo_tickets()))))
        conversations = session.exec(select(func.count()).select_from(Conversation).where(demo)).one()
        messages = session.exec(
            select(func.count())
            .select_from(TranscriptMessage)
            .join(Conversation, col(Conversation.id) == col(TranscriptMessage.conversation_id))
            .where(demo)
        ).one()
    resolved = [t for t in tickets if t.resolved_at is not None]
    still_open = [t for t in tickets if t.state in open_states]
    return SeedResult(
        start=start,
        businesses=len({t.company_name for t in tickets}),
        staff_created=staff_created,
        conversations=conversations,
        messages=messages,
        tickets=len(tickets),
        resolved=len(resolved),
        resolved_late=sum(t.resolved_at > t.due_at for t in resolved),
        open=len(still_open),
        overdue=sum(t.due_at < now for t in still_open),
        waiting_for_business=sum(t.state == TicketState.cho_bo_sung for t in tickets),
        transferred=sum(t.transfer_count > 0 for t in tickets),
        reopened=sum(t.reopen_count > 0 for t in tickets),
        rated=sum(t.rating is not None for t in tickets),
    )
