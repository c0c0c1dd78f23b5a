"""Ticket life cycles for the demo seeder (`tickets.demo.seed`): each ticket's steps are planned up front (who does
what, how many working days later), then all tickets' steps are played in time order through the real
services, with the deadline sweep every morning in between, as the running service would have done.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert
from sqlmodel import Session

from knowledge.catalog import Catalog
from knowledge.loader import FaqEntry
from nlu.places import UNITS_SINCE
from tickets.calendar.sla import LOCAL_TZ, WorkingCalendar
from tickets.demo import texts
from tickets.domain import escalation, payloads, services
from tickets.storage.db import Database
from tickets.storage.models import Conversation, OutboxMessage, Ticket, TicketEvent, TranscriptMessage, User

Staff = dict[str, list[User]]  # department -> [lead, staff…]
# When businesses write, by local hour: office hours mostly, some evenings.
HOURS = {7: 2, 8: 6, 9: 10, 10: 11, 11: 9, 12: 4, 13: 5, 14: 9, 15: 10, 16: 8, 17: 5, 18: 3, 19: 3, 20: 4, 21: 3, 22: 2}
SCORES_ON_TIME = {1: 4, 2: 6, 3: 12, 4: 32, 5: 46}
SCORES_LATE = {1: 15, 2: 20, 3: 27, 4: 23, 5: 15}
SWEEP_AT = time(7, 30)  # local time of the daily deadline sweep
# How often each topic comes up, in tickets and in questions to the bot.
TOPIC_WEIGHTS = {
    "thue": 22,
    "hai_quan": 16,
    "dang_ky_kinh_doanh": 11,
    "dat_dai": 10,
    "xay_dung": 8,
    "dau_tu": 6,
    "tin_dung": 6,
    "quy_hoach": 5,
    "chuyen_doi_so": 4,
    "cai_cach_hanh_chinh": 4,
    "y_te": 3.5,
    "tu_phap": 3,
    "khieu_nai": 2.5,
}


@dataclass(frozen=True)
class Business:
    name: str
    tax_code: str
    district: str  # where it is, as a district before 1 July 2025 …
    ward: str  # … and as a commune-level unit since
    channel: str
    contact: str | None
    user_key: str
    weight: float  # how often it files, relative to the others


@dataclass
class Clock:
    """Moments in Vietnamese local time, returned in UTC: office hours for staff, any hour for businesses."""

    calendar: WorkingCalendar
    rng: random.Random

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.calendar.tz)

    def at_local(self, day: date, at: time | timedelta) -> datetime:
        local = datetime.combine(day, at) if isinstance(at, time) else datetime.combine(day, time()) + at
        return local.replace(tzinfo=self.calendar.tz).astimezone(UTC)

    def business_moment(self, day: date) -> datetime:
        hour = self.rng.choices(list(HOURS), list(HOURS.values()))[0]
        return self.at_local(day, timedelta(hours=hour, seconds=self.rng.randrange(3600)))

    def working_day(self, day: date, days: int) -> date:
        """The `days`-th working day after `day` (0: `day` itself when worked, else the next working day)."""
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        for _ in range(days):
            day += timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day += timedelta(days=1)
        return day

    def staff_moment(self, after: datetime, days: int) -> datetime:
        """A moment in office hours on the `days`-th working day after `after`, later than `after`."""
        local = self.local(after).replace(tzinfo=None)
        day = self.working_day(local.date(), days)
        low, high = datetime.combine(day, self.calendar.day_start), datetime.combine(day, self.calendar.day_end)
        if day == local.date():
            low = max(low, local + timedelta(minutes=10))
            if low >= high:
                day = self.working_day(day, 1)
                low, high = datetime.combine(day, self.calendar.day_start), datetime.combine(day, self.calendar.day_end)
        moment = low + (high - low) * self.rng.random() ** 1.3
        return moment.replace(tzinfo=self.calendar.tz).astimezone(UTC)

    def later(self, after: datetime, low_hours: float, high_hours: float) -> datetime:
        return after + timedelta(hours=self.rng.uniform(low_hours, high_hours))


@dataclass
class _Plan:
    business: Business
    topic: str  # as filed: a misrouted ticket is filed under a neighbouring topic, then transferred
    department: str
    description: str
    question: FaqEntry | None  # asked first, answered, and marked «Chưa đúng» before filing
    steps: list[tuple[datetime, str, dict]] = field(default_factory=list)
    ticket: Ticket | None = None

    def add(self, kind: str, at: datetime, **data: object) -> datetime:
        if self.steps:
            at = max(at, self.steps[-1][0] + timedelta(minutes=1))
        self.steps.append((at, kind, data))
        return at


@dataclass
class Life:
    session: Session
    database: Database
    rng: random.Random
    clock: Clock
    catalog: Catalog
    staff: Staff
    entries: list[FaqEntry]
    citations: dict[str, str]  # FAQ entry id -> its sources as a business reads them
    now: datetime
    conversations: dict[str, Conversation] = field(default_factory=dict)
    transcript: list[dict] = field(default_factory=list)  # messages not yet written, inserted in bulk
    finished: list[Ticket] = field(default_factory=list)  # tickets whose last step was played

    def run(self, *, businesses: list[Business], arrivals: list[datetime]) -> None:
        weights = [b.weight for b in businesses]
        plans = [self._plan(at, self.rng.choices(businesses, weights)[0]) for at in arrivals]
        steps = sorted(
            (
                (at, index, number, kind, data)
                for index, plan in enumerate(plans)
                for number, (at, kind, data) in enumerate(plan.steps)
                if at <= self.now
            ),
            key=lambda step: step[:3],
        )
        self.session.autoflush = False  # open_ticket flushes what it needs; one flush per ticket, not two
        sweep = self._next_sweep(arrivals[0]) if arrivals else self.now
        for at, index, number, kind, data in steps:
            while sweep <= at:
                self._sweep(sweep)
                sweep = self._next_sweep(sweep)
            self._play(plans[index], kind, at, data)
            if number == len(plans[index].steps) - 1:
                self.finished.append(plans[index].ticket)
        while sweep < self.now:
            self._sweep(sweep)
            sweep = self._next_sweep(sweep)
        self._sweep(self.now)

    def _next_sweep(self, after: datetime) -> datetime:
        """The next working morning: deadlines fall at the end of working days, so nothing is missed."""
        return self.clock.at_local(
            self.clock.working_day(self.clock.local(after).date() + timedelta(days=1), 0), SWEEP_AT
        )

    def _sweep(self, at: datetime) -> None:
        """Commit what happened so far, then warn, escalate and close as the server's sweep does."""
        if self.transcript:
            self.session.connection().execute(insert(TranscriptMessage.__table__), self.transcript)
            self.transcript.clear()
        self.session.commit()
        # Events, messages and finished tickets are never touched again: a small session keeps each step cheap
        # (next_code's UPDATE looks at every object the session holds).
        for instance in [i for i in self.session.identity_map.values() if isinstance(i, TicketEvent | OutboxMessage)]:
            self.session.expunge(instance)
        for ticket in self.finished:
            self.session.expunge(ticket)
        self.finished.clear()
        escalation.run_once(self.database, now=at)

    # ------------------------------------------------------------------ planning

    def _plan(self, at: datetime, business: Business) -> _Plan:
        rng, clock = self.rng, self.clock
        true_topic = rng.choices(list(TOPIC_WEIGHTS), list(TOPIC_WEIGHTS.values()))[0]
        misrouted = rng.random() < 0.07
        topic = texts.MISROUTES[true_topic] if misrouted else true_topic
        asked = [e for e in self.entries if e.topic == topic] if rng.random() < 0.3 else []
        description = self._describe(true_topic, at, business)
        plan = _Plan(
            business=business,
            topic=topic,
            department=self.catalog.route(topic, description),
            description=description,
            question=rng.choice(asked) if asked else None,
        )
        limit = self.clock.calendar.resolve_days_for(topic)
        moment = plan.add("open", at)
        if misrouted:
            target = self.catalog.route(true_topic, description)
            reason = rng.choice(texts.TRANSFER_REASONS).format(department=self.catalog.departments[target].name)
            moment = plan.add(
                "transfer",
                clock.staff_moment(moment, rng.choices([0, 1, 2], [45, 40, 15])[0]),
                department=target,
                text=reason,
            )
        moment = plan.add(
            "assign", clock.staff_moment(moment, rng.choices([0, 1, 2, 3], [60, 30, 7, 3])[0]), pick=rng.random()
        )
        if rng.random() < 0.16:
            moment = plan.add("request", clock.later(moment, 0.1, 1.0), text=rng.choice(texts.REQUESTS))
            if rng.random() < 0.85:
                moment = plan.add("message", clock.later(moment, 3, 80), text=rng.choice(texts.SUPPLEMENTS))
        else:
            moment = plan.add("reply", clock.later(moment, 0.05, 1.5), text=rng.choice(texts.ACKNOWLEDGEMENTS))
        recent = self.now - at < timedelta(days=60)
        fate = rng.random()
        if fate < (0.04 if recent else 0.008):
            return plan  # stuck: never resolved
        late = fate < 0.17
        days = limit + rng.randint(1, 8) if late else max(1, min(limit, round(rng.triangular(1, limit, limit * 0.35))))
        resolve_at = clock.staff_moment(at, days)
        if resolve_at - moment > timedelta(days=2):
            if rng.random() < 0.3:
                moment = plan.add(
                    "reply", moment + (resolve_at - moment) * rng.uniform(0.3, 0.6), text=rng.choice(texts.PROGRESS)
                )
            if rng.random() < 0.12:
                moment = plan.add("check", moment + (resolve_at - moment) * rng.uniform(0.3, 0.9))
        moment = plan.add("resolve", resolve_at, text=rng.choice(texts.RESOLUTIONS))
        reopened = rng.random() < 0.05
        if reopened:
            moment = plan.add("reopen", clock.later(moment, 4, 120))
            moment = plan.add("message", clock.later(moment, 0.02, 0.2), text=rng.choice(texts.REOPEN_REASONS))
            moment = plan.add(
                "resolve", clock.staff_moment(moment, rng.randint(1, 4)), text=rng.choice(texts.RESOLUTIONS)
            )
        if rng.random() < (0.5 if late or reopened else 0.6):
            scores = SCORES_LATE if late or reopened else SCORES_ON_TIME
            score = rng.choices(list(scores), list(scores.values()))[0]
            moment = plan.add("rate", clock.later(moment, 0.2, 96), score=score)
            if rng.random() < 0.35:
                plan.add("comment", clock.later(moment, 0.01, 0.1), text=rng.choice(texts.RATING_COMMENTS[score]))
        return plan

    def _describe(self, topic: str, at: datetime, business: Business) -> str:
        rng, local = self.rng, self.clock.local(at)
        month = (local.month - rng.randint(1, 4) - 1) % 12 + 1
        quarter = ((local.month - 1) // 3 - 1) % 4 + 1
        values = {
            "month": f"tháng {month}",
            "quarter": f"quý {quarter}",
            "days": rng.randint(7, 60),
            "weeks": rng.randint(3, 12),
            "months": rng.randint(3, 18),
            "times": rng.randint(2, 4),
            "households": rng.randint(3, 40),
            "amount": f"{rng.randint(2, 60)} tỷ đồng"
            if rng.random() < 0.6
            else f"{rng.randint(2, 9) * 100} triệu đồng",
            "goods": rng.choice(texts.GOODS),
            "port": rng.choice(texts.PORTS),
            "bank": rng.choice(texts.BANKS),
            "project": rng.choice(texts.PROJECTS),
            "place": _place(business, at),
            "office": f"UBND {_place(business, at)}",
            "declaration": f"30{rng.randrange(10**10):010d}",
            "co_form": rng.choice(texts.CO_FORMS),
            "service": rng.choice(texts.SERVICES),
        }
        return rng.choice(texts.DESCRIPTIONS[topic]).format(**values)

    # ------------------------------------------------------------------ playing

    def _play(self, plan: _Plan, kind: str, at: datetime, data: dict) -> None:
        session, ticket = self.session, plan.ticket
        if kind == "open":
            self._open(plan, at)
            return
        assert ticket is not None
        department = self.catalog.departments[ticket.department].name
        text = str(data.get("text", "")).format(department=department)
        worker = self._worker(ticket)
        code = ticket.code
        match kind:
            case "transfer":
                services.transfer(
                    session, ticket=ticket, actor=worker, department=data["department"], reason=text, now=at
                )
            case "assign":
                team = self.staff[ticket.department]
                assignee = team[1 + int(data["pick"] * (len(team) - 1))]
                services.assign(session, ticket=ticket, actor=team[0], assignee=assignee, now=at)
            case "reply":
                services.reply(session, ticket=ticket, actor=worker, text=text, department_name=department, now=at)
            case "request":
                services.request_info(
                    session, ticket=ticket, actor=worker, text=text, department_name=department, now=at
                )
            case "resolve":
                services.resolve(session, ticket=ticket, actor=worker, text=text, department_name=department, now=at)
            case "message":
                self._say(plan, at, "", payload=f"reply:{code}")
                services.business_message(session, ticket=ticket, text=text, now=at)
                self._say(plan, at, text, intent="ticket_message", reply=texts.MESSAGE_ADDED.format(code=code))
            case "reopen":
                # The sweep, in its own session, may have stamped it: read it again, after writing what this
                # session changed (the session does not flush by itself, and a refresh would drop the answer).
                session.flush()
                session.refresh(ticket)
                services.reopen(session, ticket=ticket, now=at)
                self._say(
                    plan, at, "", payload=f"reopen:{code}", intent="reopen", reply=texts.REOPENED.format(code=code)
                )
            case "rate":
                services.rate(session, ticket=ticket, score=data["score"], now=at)
                self._say(
                    plan,
                    at,
                    "",
                    payload=f"rate:{code}:{data['score']}",
                    intent="rate",
                    reply=texts.RATED.format(score=data["score"]),
                )
            case "comment":
                services.comment_rating(session, ticket=ticket, comment=text, now=at)
                self._say(plan, at, text, reply=texts.RATING_DONE.format(code=code))
            case "check":
                status = texts.STATUS.format(
                    code=code,
                    state="Đang xử lý",
                    department=department,
                    due=f"{self.clock.local(ticket.due_at):%d/%m/%Y}",
                )
                self._say(plan, at, f"tra cứu {code}", intent="check_ticket", reply=status)

    def _worker(self, ticket: Ticket) -> User:
        team = self.staff[ticket.department]
        return next((u for u in team if u.id == ticket.assignee_id), team[0])

    def _open(self, plan: _Plan, at: datetime) -> None:
        business, session = plan.business, self.session
        entry = plan.question
        asked = at - timedelta(minutes=self.rng.randint(3, 20)) if entry else at
        conversation = self.conversations.get(business.user_key)
        if conversation is None:
            conversation = Conversation(
                channel=business.channel, user_key=business.user_key, created_at=asked, updated_at=asked
            )
            session.add(conversation)
            session.flush()
            self.conversations[business.user_key] = conversation
        if entry is not None:
            answer = f"{entry.answer}\n\n" + texts.ANSWER_FOOTER.format(
                sources=self.citations[entry.id], department=self.catalog.departments[entry.department].name
            )
            self._say(
                plan,
                asked,
                self.rng.choice([entry.question, *entry.paraphrases]),
                intent="ask",
                topic=entry.topic,
                answer_id=entry.id,
                reply=answer,
                buttons=texts.BUTTONS_ANSWER,
                conversation=conversation,
            )
            self._say(
                plan,
                asked + timedelta(minutes=1),
                "",
                payload=payloads.NOT_RIGHT,
                intent="feedback",
                answer_id=entry.id,
                reply=texts.SORRY_FEEDBACK,
                buttons=texts.BUTTONS_NO_ANSWER,
                conversation=conversation,
            )
        self._say(plan, at, plan.description, intent="report_issue", topic=plan.topic, conversation=conversation)
        ticket = services.open_ticket(
            session,
            conversation=conversation,
            topic=plan.topic,
            department=plan.department,
            description=plan.description,
            company_name=business.name,
            tax_code=business.tax_code,
            contact=business.contact,
            ward=None if _before_units(at) else business.ward,
            district=business.district if _before_units(at) else None,
            now=at,
            deadlines=self.clock.calendar,
        )
        plan.ticket = ticket
        filed = texts.FILED.format(
            code=ticket.code,
            department=self.catalog.departments[ticket.department].name,
            due=f"{self.clock.local(ticket.due_at):%d/%m/%Y}",
        )
        self._say(plan, at, "", payload=payloads.CONFIRM, topic=plan.topic, reply=filed)
        conversation.context = {
            "business": {
                "company_name": business.name,
                "tax_code": business.tax_code,
                "contact": business.contact,
                "ward": business.ward,
            }
        }

    def _say(
        self,
        plan: _Plan,
        at: datetime,
        text: str,
        *,
        reply: str | None = None,
        payload: str | None = None,
        intent: str | None = None,
        topic: str | None = None,
        answer_id: str | None = None,
        buttons: list | None = None,
        conversation: Conversation | None = None,
    ) -> None:
        """A turn of the business's conversation, stored as the dialogue stores it (message in, reply out)."""
        conversation = conversation or self.conversations[plan.business.user_key]
        common = {
            "conversation_id": conversation.id,
            "ticket_id": plan.ticket.id if plan.ticket else None,
            "topic": topic,
            "created_at": at,
        }
        self.transcript.append(
            {
                **common,
                "direction": "in",
                "text": text,
                "payload": payload,
                "intent": intent,
                "answer_id": None,
                "buttons": None,
            }
        )
        if reply is not None:
            self.transcript.append(
                {
                    **common,
                    "direction": "out",
                    "text": reply,
                    "payload": None,
                    "intent": None,
                    "answer_id": answer_id,
                    "buttons": buttons,
                }
            )
        conversation.last_user_message_at = conversation.updated_at = max(at, conversation.updated_at)


def _before_units(at: datetime) -> bool:
    return at.astimezone(LOCAL_TZ).date() < UNITS_SINCE


def _place(business: Business, at: datetime) -> str:
    """Where the business says it is at `at`: its district before the commune-level units replaced them."""
    return business.district if _before_units(at) else business.ward
