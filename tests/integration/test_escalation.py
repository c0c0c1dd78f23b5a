"""Deadline warnings and overdue escalation, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from tickets.calendar.sla import WorkingCalendar
from tickets.domain import escalation
from tickets.domain import services as tickets
from tickets.domain.accounts import create_user
from tickets.storage.models import Conversation, OutboxMessage, Role, StaffNotification, Ticket, TicketEvent, User

RECEIVED = datetime(2026, 2, 13, 9, 0, tzinfo=UTC)  # Friday before Tết 2026
DEPARTMENTS = {"CUC_THUE", "SO_KHDT"}


def people(database) -> dict[str, User]:
    made = {}
    for name, role, department in [
        ("canbo.thue", Role.staff, "CUC_THUE"),
        ("canbo2.thue", Role.staff, "CUC_THUE"),
        ("lanhdao.thue", Role.lead, "CUC_THUE"),
        ("canbo.khdt", Role.staff, "SO_KHDT"),
        ("giamsat.noivu", Role.supervisor, None),
        ("quansat.hdnd", Role.observer, None),
    ]:
        made[name] = create_user(
            database,
            username=name,
            password="mat-khau-du-dai-123",
            role=role,
            department=department,
            known_departments=DEPARTMENTS,
        )
    return made


def file_ticket(database) -> Ticket:
    with database.session() as session:
        conversation = Conversation(channel="telegram", user_key="42")
        session.add(conversation)
        session.flush()
        return tickets.open_ticket(
            session,
            conversation=conversation,
            topic="thue",
            department="CUC_THUE",
            description="Hoàn thuế chậm",
            company_name="Công ty A",
            tax_code="0312345673",
            contact=None,
            ward=None,
            now=RECEIVED,
            deadlines=WorkingCalendar.load(),
        )


def notified(database, kind: str) -> set[str]:
    with database.session() as session:
        rows = session.exec(
            select(User.username)
            .join(StaffNotification, StaffNotification.user_id == User.id)
            .where(StaffNotification.kind == kind)
        )
        return set(rows.all())


def test_the_warning_comes_at_80_percent_of_working_time_skipping_tet(database) -> None:
    people(database)
    ticket = file_ticket(database)
    calendar = WorkingCalendar.load()
    assert ticket.warn_at < ticket.due_at and calendar.is_working_day(ticket.warn_at.astimezone(calendar.tz).date())
    elapsed, total = (
        calendar.working_days_between(RECEIVED, ticket.warn_at),
        calendar.working_days_between(RECEIVED, ticket.due_at),
    )
    assert abs(elapsed / total - 0.8) < 0.01
    assert ticket.warn_at - RECEIVED > timedelta(days=14)  # ten working days after 13/2 cross the whole Tết break

    assert escalation.run_once(database, now=ticket.warn_at - timedelta(minutes=1)) == escalation.Sweep(0, 0)
    assert escalation.run_once(database, now=ticket.warn_at) == escalation.Sweep(warned=1, escalated=0)
    # Nobody assigned yet: the department's staff and lead are warned, nobody else.
    assert notified(database, "warning") == {"canbo.thue", "canbo2.thue", "lanhdao.thue"}
    assert escalation.run_once(database, now=ticket.warn_at + timedelta(hours=1)) == escalation.Sweep(0, 0)


def test_an_overdue_ticket_is_escalated_once_to_the_assignee_the_lead_and_the_supervisors(database) -> None:
    staff = people(database)
    ticket = file_ticket(database)
    with database.session() as session:
        stored = session.get(Ticket, ticket.id)
        tickets.assign(
            session,
            ticket=stored,
            actor=staff["lanhdao.thue"],
            assignee=staff["canbo2.thue"],
            now=RECEIVED + timedelta(hours=1),
        )
    escalation.run_once(database, now=ticket.warn_at)
    assert notified(database, "warning") == {"canbo2.thue"}
    assert escalation.run_once(database, now=ticket.due_at) == escalation.Sweep(warned=0, escalated=1)
    assert notified(database, "overdue") == {"canbo2.thue", "lanhdao.thue", "giamsat.noivu"}
    assert escalation.run_once(database, now=ticket.due_at + timedelta(days=3)) == escalation.Sweep(0, 0)
    with database.session() as session:
        events = session.exec(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind.in_(("warning", "overdue")))
        ).all()
        assert [(e.kind, e.actor, e.internal) for e in events] == [
            ("warning", "system", True),
            ("overdue", "system", True),
        ]
        assert session.exec(select(OutboxMessage)).all() == []  # staff alerts never reach the business
    unread = escalation.unread(database, staff["canbo2.thue"])
    assert [n.kind for n, _ in unread] == ["overdue", "warning"] and unread[0][1].code == ticket.code
    escalation.mark_read(database, staff["canbo2.thue"], now=ticket.due_at)
    assert escalation.unread(database, staff["canbo2.thue"]) == []


def test_an_answered_ticket_raises_no_alarm_and_closes_after_seven_days(database) -> None:
    staff = people(database)
    ticket = file_ticket(database)
    with database.session() as session:
        stored = session.get(Ticket, ticket.id)
        tickets.resolve(
            session,
            ticket=stored,
            actor=staff["canbo.thue"],
            text="Đã hoàn thuế",
            department_name="Cục Thuế",
            now=RECEIVED + timedelta(days=1),
        )
    answered = RECEIVED + timedelta(days=1)
    assert escalation.run_once(database, now=answered + timedelta(days=6)) == escalation.Sweep(0, 0, closed=0)
    assert escalation.run_once(database, now=answered + timedelta(days=7, minutes=1)) == escalation.Sweep(
        0, 0, closed=1
    )
    with database.session() as session:
        closed = session.get(Ticket, ticket.id)
        assert closed.state.value == "dong" and notified(database, "overdue") == set()
