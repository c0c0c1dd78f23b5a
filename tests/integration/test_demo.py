"""Demo data (`tickets.demo.seed.seed`): what a newcomer sees on the dashboard, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import os
import shutil
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlmodel import col, select
from stdnum.vn import mst

from bot.channels.registry import default_registry
from knowledge.catalog import load_catalog
from knowledge.loader import load_faq
from tickets.calendar.sla import LOCAL_TZ, WorkingCalendar
from tickets.demo import seed as demo
from tickets.domain import services
from tickets.reports.builder import build_report
from tickets.reports.data import Filters, Period
from tickets.reports.stats import Window
from tickets.storage.db import Database
from tickets.storage.migrate import upgrade
from tickets.storage.models import (
    Conversation,
    OutboxMessage,
    Role,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketState,
    TranscriptMessage,
    User,
)

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
OPEN = {TicketState.moi, TicketState.dang_xu_ly, TicketState.cho_bo_sung}
_names = itertools.count()


@pytest.fixture(scope="module")
def setting():
    return {
        "catalog": load_catalog(),
        "calendar": WorkingCalendar.load(),
        "faq": load_faq(),
        "channels": default_registry().demo_channels(),
    }


def run(database, setting, *, months: int = 3, seed: int = 2026) -> demo.SeedResult:
    return demo.seed(database, months=months, now=NOW, seed=seed, **setting)


def rows(database, model) -> list:
    with database.session() as session:
        return list(session.exec(select(model)))


def counts(database) -> dict[str, int]:
    models = (Conversation, TranscriptMessage, Ticket, TicketEvent, TicketCounter, OutboxMessage, User)
    with database.session() as session:
        return {m.__name__: session.exec(select(func.count()).select_from(m)).one() for m in models}


def test_three_months_of_demo_data_look_like_a_living_service(database, setting) -> None:
    result = run(database, setting)
    tickets = rows(database, Ticket)
    catalog = setting["catalog"]

    assert result.tickets == len(tickets) and 3 * 150 <= len(tickets) <= 3 * 400
    assert {t.topic for t in tickets} == set(catalog.topics)
    assert {t.department for t in tickets} == set(catalog.departments)
    assert {t.channel for t in tickets} == {"telegram", "zalo", "webchat"}
    topics = Counter(t.topic for t in tickets).most_common()
    assert [topic for topic, _ in topics[:2]] in (["thue", "hai_quan"], ["hai_quan", "thue"])

    overdue = [t for t in tickets if t.state in OPEN and t.due_at < NOW]
    resolved = [t for t in tickets if t.resolved_at is not None]
    late = [t for t in resolved if t.resolved_at > t.due_at]
    assert overdue and result.overdue == len(overdue)
    assert late and len(late) < 0.3 * len(resolved) and result.resolved_late == len(late)
    assert all(t.acknowledged_at is not None for t in resolved)
    assert any(t.state == TicketState.dong and t.rating is None for t in tickets)  # closed 7 days after the answer

    ratings = [t.rating for t in tickets if t.rating is not None]
    assert set(ratings) == {1, 2, 3, 4, 5} and sum(ratings) / len(ratings) > 3.5
    assert any(t.rating_comment for t in tickets)
    events = rows(database, TicketEvent)
    kinds = Counter(e.kind for e in events)
    assert kinds["transfer"] and kinds["reopen"] and kinds["request_info"] and kinds["rate"] and kinds["overdue"]
    assert all(e.body and e.body.strip() for e in events if e.kind == "transfer")
    assert any(t.transfer_count for t in tickets) and any(t.reopen_count for t in tickets)

    assert all(mst.is_valid(t.tax_code) for t in tickets)
    assert len({t.company_name for t in tickets}) > 100
    assert all(t.ward and not t.district for t in tickets)  # all filed after 1 July 2025

    messages = rows(database, TranscriptMessage)
    conversations = rows(database, Conversation)
    faq_ids = {entry.id for entry in setting["faq"]}
    answered = [m for m in messages if m.direction == "out" and m.answer_id and m.ticket_id is None]
    assert len(conversations) > 2 * len(tickets) and all(demo.is_demo_key(c.user_key) for c in conversations)
    assert answered and {m.answer_id for m in answered} <= faq_ids
    payloads = Counter(m.payload for m in messages)
    assert payloads["fb:up"] > payloads["fb:down"] > 0
    assert any(m.intent == "out_of_scope" for m in messages) and any(m.intent == "greet" for m in messages)

    moments = [t.created_at for t in tickets] + [t.updated_at for t in tickets] + [e.at for e in events]
    moments += [m.created_at for m in messages] + [c.updated_at for c in conversations]
    moments += [t.resolved_at for t in tickets if t.resolved_at] + [t.closed_at for t in tickets if t.closed_at]
    assert max(moments) <= NOW and min(t.created_at for t in tickets) >= result.start
    assert all(m.state == "sent" for m in rows(database, OutboxMessage))  # the past was delivered

    staff = [u for u in rows(database, User) if u.username.startswith("demo.")]
    assert {u.department for u in staff if u.role == Role.lead} == set(catalog.departments)
    assert all(u.must_change_password for u in staff)

    before = counts(database)
    with pytest.raises(demo.DemoRefused, match="đã có dữ liệu mẫu"):
        run(database, setting)
    assert counts(database) == before


def test_a_database_with_real_tickets_is_refused_and_left_unchanged(database, setting) -> None:
    with database.session() as session:
        conversation = Conversation(channel="telegram", user_key="42")
        session.add(conversation)
        session.flush()
        services.open_ticket(
            session,
            conversation=conversation,
            topic="thue",
            department="CUC_THUE",
            description="Hoàn thuế chậm",
            company_name="Công ty A",
            tax_code="0312345673",
            contact=None,
            ward="Phường Bến Thành",
            now=NOW,
            deadlines=setting["calendar"],
        )
    before = counts(database)
    with pytest.raises(demo.DemoRefused, match="không phải dữ liệu mẫu") as refused:
        run(database, setting)
    assert "1 phản ánh" in str(refused.value)
    assert counts(database) == before


@pytest.fixture
def second_database(database, request: pytest.FixtureRequest, tmp_path):
    """Another empty database on the same backend as `database`."""
    from tickets.storage.db import Database
    from tickets.storage.migrate import upgrade

    if database.backend == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'second.db'}", None
    else:
        server = request.getfixturevalue("postgres_server")
        name = f"demo_{os.getpid()}_{next(_names)}"
        url, drop = server.create_database(name), lambda: server.drop_database(name)
    db = Database.connect(url)
    upgrade(db)
    yield db
    db.dispose()
    if drop:
        drop()


def test_the_same_seed_gives_the_same_data(database, second_database, setting) -> None:
    first, second = run(database, setting, months=1), run(second_database, setting, months=1)

    def tickets(db) -> list[tuple]:
        with db.session() as session:
            found = session.exec(select(Ticket).order_by(col(Ticket.code))).all()
            return [(t.code, t.topic, t.department, t.state, t.created_at, t.company_name, t.rating) for t in found]

    assert first == second and tickets(database) == tickets(second_database) and first.tickets > 100


# (now, seed, months): Tết week, the days after 30/4–1/5, a year's turn, a Monday night, the eve of the ward
# reform, and the day a reopening planned a few hours after its answer, before any sweep, once broke the seeder.
ANY_DAY = [
    (datetime(2026, 12, 7, 1, 30, tzinfo=UTC), 4, 2),
    (datetime(2026, 2, 20, 7, 0, tzinfo=UTC), 1, 1),
    (datetime(2026, 5, 4, 14, 10, tzinfo=UTC), 2, 1),
    (datetime(2027, 1, 1, 0, 5, tzinfo=UTC), 5, 1),
    (datetime(2026, 11, 30, 23, 59, tzinfo=UTC), 7, 1),
    (datetime(2025, 6, 30, 3, 0, tzinfo=UTC), 8, 1),
]


def test_the_demo_seeds_on_any_day_with_any_seed_and_the_dashboard_adds_up(tmp_path, setting) -> None:
    """SQLite only: the seeder's logic does not depend on the database (the tests above cover PostgreSQL)."""
    template = Database.connect(f"sqlite:///{tmp_path / 'template.db'}")
    upgrade(template)
    template.dispose()
    for now, seed, months in ANY_DAY:
        path = tmp_path / f"demo-{seed}.db"
        shutil.copy(tmp_path / "template.db", path)
        database = Database.connect(f"sqlite:///{path}")
        result = demo.seed(database, months=months, now=now, seed=seed, **setting)
        month = Period.parse(f"{now.astimezone(LOCAL_TZ):%Y-%m}")
        with database.session() as session:
            report = build_report(session, month, Filters(), now=now, catalog=setting["catalog"])
            filed = session.exec(
                select(func.count()).select_from(Ticket).where(col(Ticket.created_at) >= Window.of(month, now).start)
            ).one()
        assert result.tickets > 0 and report.summary.received == filed, (now, seed)
        assert report.summary.resolved <= result.resolved and report.summary.backlog <= result.open, (now, seed)
        assert sum(row.received for row in report.by_channel) == filed, (now, seed)
        database.dispose()
