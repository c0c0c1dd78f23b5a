"""Ticket changes through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tickets.calendar.sla import WorkingCalendar
from tickets.domain import services
from tickets.domain.accounts import create_user
from tickets.storage.models import Conversation, OutboxMessage, Role, TicketEvent, TicketState

RECEIVED = datetime(2026, 2, 13, 9, 0, tzinfo=UTC)  # Friday before Tết 2026


@pytest.fixture
def filed(database):
    with database.session() as session:
        conversation = Conversation(channel="telegram", user_key="42")
        session.add(conversation)
        session.flush()
        ticket = services.open_ticket(
            session,
            conversation=conversation,
            topic="thue",
            department="CUC_THUE",
            description="Hoàn thuế chậm",
            company_name="Công ty A",
            tax_code="0312345673",
            contact=None,
            ward="Phường Bến Thành",
            now=RECEIVED,
            deadlines=WorkingCalendar.load(),
        )
    staff = create_user(
        database,
        username="canbo.thue",
        password="mat-khau-du-dai-123",
        role=Role.staff,
        department="CUC_THUE",
        known_departments={"CUC_THUE"},
    )
    return ticket, staff


def test_codes_count_up_within_the_year_and_deadlines_skip_tet(database, filed) -> None:
    ticket, _ = filed
    assert ticket.code == "PA-2026-000001"
    assert ticket.due_at.astimezone(UTC).date().isoformat() == "2026-03-06"  # 10 working days, Tết 16–20/2 excluded
    with database.session() as session:
        second = services.open_ticket(
            session,
            conversation=session.get(Conversation, ticket.conversation_id),
            topic="thue",
            department="CUC_THUE",
            description="Lần hai",
            company_name="Công ty A",
            tax_code="0312345673",
            contact=None,
            ward=None,
            now=RECEIVED,
            deadlines=WorkingCalendar.load(),
        )
    assert second.code == "PA-2026-000002"


def test_a_reply_starts_the_work_and_an_internal_note_never_reaches_the_business(database, filed) -> None:
    ticket, staff = filed
    with database.session() as session:
        ticket = session.get(type(ticket), ticket.id)
        services.add_note(session, ticket=ticket, actor=staff, text="Gọi lại cho chi cục", now=RECEIVED)
        services.reply(
            session, ticket=ticket, actor=staff, text="Đã nhận hồ sơ.", department_name="Cục Thuế", now=RECEIVED
        )
    with database.session() as session:
        ticket = session.get(type(ticket), ticket.id)
        sent = [m.text for m in session.exec(select(OutboxMessage))]
        events = [(e.kind, e.internal) for e in session.exec(select(TicketEvent).order_by(TicketEvent.id))]
    assert ticket.state == TicketState.dang_xu_ly and ticket.acknowledged_at is not None
    assert len(sent) == 1 and "Đã nhận hồ sơ." in sent[0] and "Gọi lại" not in sent[0]
    assert ("note", True) in events and ("reply", False) in events and ("state", False) in events


def test_the_state_machine_refuses_what_spec_5_does_not_allow(database, filed) -> None:
    ticket, staff = filed
    with database.session() as session:
        ticket = session.get(type(ticket), ticket.id)
        with pytest.raises(services.TicketError):
            services.rate(session, ticket=ticket, score=5, now=RECEIVED)  # not answered yet
        services.resolve(
            session, ticket=ticket, actor=staff, text="Đã hoàn thuế.", department_name="Cục Thuế", now=RECEIVED
        )
        services.rate(session, ticket=ticket, score=5, now=RECEIVED)
        assert ticket.state == TicketState.dong
        with pytest.raises(services.TicketError):
            services.request_info(
                session, ticket=ticket, actor=staff, text="?", department_name="Cục Thuế", now=RECEIVED
            )
        with pytest.raises(services.TicketError):
            services.business_message(session, ticket=ticket, text="còn nữa", now=RECEIVED)
