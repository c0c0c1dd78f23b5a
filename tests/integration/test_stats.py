"""The statistics against a small data set worked out by hand, on SQLite and PostgreSQL.

February 2026 holds Tết: Saturday 14 to Sunday 22 are days off, so the working days of the month are
2–6, 9–13 and 23–27. "Working days" count as deadlines do: the day of receipt is not counted.

    ticket  filed            acknowledged   answered        deadline (10 wd)  notes
    T1      Fri 13/02 10:00  Mon 23/02 (1)  Wed 25/02 (3)   Fri 06/03         on time, rated 5
    T2      Mon 02/02 09:00  same day (0)   Fri 27/02 (14)  Mon 23/02         4 wd late, rated 2, transferred
    T3      Sat 07/02 11:00  Mon 09/02 (1)  —               Fri 27/02         open and overdue at the end
    T4      Tue 24/02 10:00  —              —               Tue 10/03         open, from conversation C3
    T5      Tue 20/01 09:00  —              Tue 10/02 (15)  Tue 03/02         filed in January, 5 wd late, reopened once
    T6      Thu 05/02 09:00  same day (0)   Fri 06/02 (1)   Thu 19/02         on time, rated 4
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from knowledge.catalog import load_catalog
from tickets.reports.builder import build_report, score
from tickets.reports.data import Filters, Period
from tickets.reports.stats import breakdown, months, overdue_tickets, summary
from tickets.storage.models import Conversation, Ticket, TicketState, TranscriptMessage

LOCAL = timezone(timedelta(hours=7))
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=LOCAL)
FEBRUARY = Period.parse("2026-02")


def at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    """A local time on a 2026 day written 'DD/MM'."""
    d, m = (int(part) for part in day.split("/"))
    return datetime(2026, m, d, hour, minute, tzinfo=LOCAL)


def ticket(
    number: int,
    *,
    topic: str,
    department: str,
    channel: str,
    ward: str | None = None,
    district: str | None = None,
    filed: datetime,
    due: datetime,
    acknowledged: datetime | None = None,
    answered: datetime | None = None,
    rating: int | None = None,
    reopened: int = 0,
    transferred: int = 0,
    conversation_id: int | None = None,
) -> Ticket:
    return Ticket(
        code=f"PA-2026-{number:06d}",
        state=TicketState.da_tra_loi if answered else TicketState.dang_xu_ly,
        topic=topic,
        department=department,
        channel=channel,
        ward=ward,
        district=district,
        description=f"Phản ánh số {number}",
        company_name="Công ty TNHH Minh An",
        tax_code="0312345673",
        created_at=filed,
        acknowledge_due=filed + timedelta(days=1),
        due_at=due,
        acknowledged_at=acknowledged,
        resolved_at=answered,
        rating=rating,
        reopen_count=reopened,
        transfer_count=transferred,
        conversation_id=conversation_id,
    )


@pytest.fixture
def data(database):
    with database.session() as session:
        conversations = [
            Conversation(channel="telegram", user_key=f"c{n}", created_at=at("01/02"), updated_at=at("01/02"))
            for n in range(1, 5)
        ]
        session.add_all(conversations)
        session.flush()
        c1, c2, c3, c4 = (c.id for c in conversations)
        for conversation, day in ((c1, "03/02"), (c2, "10/02"), (c3, "24/02")):
            session.add(
                TranscriptMessage(
                    conversation_id=conversation,
                    direction="in",
                    text="thủ tục hoàn thuế",
                    intent="ask",
                    topic="thue",
                    created_at=at(day),
                )
            )
            session.add(
                TranscriptMessage(
                    conversation_id=conversation,
                    direction="out",
                    text="Trả lời",
                    topic="thue",
                    answer_id="thue-hoan-thue",
                    created_at=at(day),
                )
            )
        session.add(
            TranscriptMessage(
                conversation_id=c2,
                direction="in",
                text="",
                payload="fb:down",
                intent="feedback",
                created_at=at("10/02", 10),
            )
        )
        session.add(
            TranscriptMessage(
                conversation_id=c4, direction="in", text="xin chào", intent="greet", created_at=at("12/02")
            )
        )
        session.add_all(
            [
                ticket(
                    1,
                    topic="thue",
                    department="CUC_THUE",
                    channel="telegram",
                    ward="Phường Bến Thành",
                    filed=at("13/02", 10),
                    acknowledged=at("23/02"),
                    answered=at("25/02", 15),
                    due=at("06/03", 17),
                    rating=5,
                ),
                ticket(
                    2,
                    topic="hai_quan",
                    department="CUC_HAI_QUAN",
                    channel="zalo",
                    ward="Phường Tân Thuận",
                    filed=at("02/02"),
                    acknowledged=at("02/02", 14),
                    answered=at("27/02", 10),
                    due=at("23/02", 17),
                    rating=2,
                    transferred=1,
                ),
                ticket(
                    3,
                    topic="thue",
                    department="CUC_THUE",
                    channel="webchat",
                    ward="Phường Bến Thành",
                    filed=at("07/02", 11),
                    acknowledged=at("09/02", 8, 30),
                    due=at("27/02", 17),
                ),
                ticket(
                    4,
                    topic="dat_dai",
                    department="SO_TNMT",
                    channel="telegram",
                    ward="Phường Gia Định",
                    filed=at("24/02", 10),
                    due=at("10/03", 17),
                    conversation_id=c3,
                ),
                ticket(
                    5,
                    topic="thue",
                    department="CUC_THUE",
                    channel="telegram",
                    ward="Phường Bàn Cờ",
                    filed=datetime(2026, 1, 20, 9, tzinfo=LOCAL),
                    answered=at("10/02"),
                    due=at("03/02", 17),
                    reopened=1,
                ),
                ticket(
                    6,
                    topic="thue",
                    department="CUC_THUE",
                    channel="telegram",
                    ward="Phường Bàn Cờ",
                    filed=at("05/02"),
                    acknowledged=at("05/02", 11),
                    answered=at("06/02"),
                    due=at("19/02", 17),
                    rating=4,
                ),
            ]
        )
    return database


def test_the_headline_figures_of_february(data) -> None:
    with data.session() as session:
        figures = summary(session, FEBRUARY, Filters(), now=NOW, topics_of={"CUC_THUE": ["thue"]})
    assert (figures.received, figures.resolved, figures.backlog, figures.overdue) == (5, 4, 2, 3)
    assert (figures.backlog_median_age_days, figures.backlog_oldest_age_days) == (
        3,
        10,
    )  # T4: 25–27/02; T3: 9–13 and 23–27/02
    assert figures.on_time_rate == pytest.approx(2 / 4)
    assert (figures.acknowledge_median_days, figures.acknowledge_p90_days) == (0, 1)  # 0, 0, 1, 1
    assert (figures.resolve_median_days, figures.resolve_p90_days) == (3, 15)  # 1, 3, 14, 15
    assert figures.satisfaction_mean == pytest.approx(11 / 3)
    assert figures.satisfaction_share_4_plus == pytest.approx(2 / 3)
    assert figures.rating_response_rate == pytest.approx(3 / 4)
    assert figures.reopen_rate == pytest.approx(1 / 4)
    assert figures.transfer_rate == pytest.approx(1 / 5)
    # C1 served alone; C2 said "Chưa đúng"; C3 filed T4; C4 only greeted
    assert (figures.topical_conversations, figures.self_service_rate) == (3, pytest.approx(1 / 3))


def test_filters_narrow_every_figure(data) -> None:
    with data.session() as session:
        tax = summary(session, FEBRUARY, Filters(department="CUC_THUE"), now=NOW, topics_of={"CUC_THUE": ["thue"]})
        telegram_q3 = summary(
            session, FEBRUARY, Filters(channel="telegram", ward="Phường Bàn Cờ"), now=NOW, topics_of={}
        )
    assert (tax.received, tax.resolved, tax.backlog, tax.overdue, tax.on_time_rate) == (
        3,
        3,
        1,
        2,
        pytest.approx(2 / 3),
    )
    assert (telegram_q3.received, telegram_q3.resolved) == (1, 2)  # T6 filed; T5 and T6 answered


def test_january_is_the_period_before_and_a_month_without_tickets_has_no_rates(data) -> None:
    assert FEBRUARY.previous() == Period.parse("2026-01")
    with data.session() as session:
        january = summary(session, FEBRUARY.previous(), Filters(), now=NOW, topics_of={})
        december = summary(session, Period.parse("2025-12"), Filters(), now=NOW, topics_of={})
    assert (january.received, january.resolved, january.backlog, january.overdue) == (1, 0, 1, 0)
    assert december.received == 0 and december.on_time_rate is None and december.satisfaction_mean is None


def test_breakdowns_months_and_overdue_tickets(data) -> None:
    with data.session() as session:
        departments = {
            row.key: row for row in breakdown(session, FEBRUARY, Filters(), "department", now=NOW, labels={})
        }
        trend = months(session, Period.parse("2026-Q1"), Filters(), now=NOW)
        late = overdue_tickets(session, FEBRUARY, Filters(), now=NOW, names={})
    tax = departments["CUC_THUE"]
    assert (tax.received, tax.resolved, tax.overdue, tax.on_time_rate, tax.satisfaction_mean) == (
        3,
        3,
        2,
        pytest.approx(2 / 3),
        4.5,
    )
    assert [(m.month, m.received, m.resolved) for m in trend] == [
        ("2026-01", 1, 0),
        ("2026-02", 5, 4),
        ("2026-03", 0, 0),
    ]
    assert [(t.code, t.overdue_days) for t in late] == [
        ("PA-2026-000002", 4),
        ("PA-2026-000005", 5),
        ("PA-2026-000003", 0),
    ]


def test_the_scoreboard_ranks_departments_by_the_published_score(data) -> None:
    with data.session() as session:
        report = build_report(session, FEBRUARY, Filters(), now=NOW, catalog=load_catalog())
    board = {entry.department: entry for entry in report.scoreboard}
    # Cục Thuế: 50 % × 2/3 on time + 30 % × (4.5 − 1) / 4 + 20 % × (1 − 1/3 reopened) = 72.9
    assert (board["CUC_THUE"].score, board["CUC_THUE"].rank) == (72.9, 1)
    # Cục Hải quan: nothing on time, satisfaction 2 → 0.25, nothing reopened: 7.5 + 20 = 27.5
    assert (board["CUC_HAI_QUAN"].score, board["CUC_HAI_QUAN"].rank) == (27.5, 2)
    assert board["SO_TNMT"].score is None and board["SO_TNMT"].rank is None and board["SO_TNMT"].received == 1
    assert [entry.department for entry in report.scoreboard[:2]] == ["CUC_THUE", "CUC_HAI_QUAN"]
    assert score(1.0, None, 0.0) == 100.0  # no ratings yet: the other parts re-weighted


def test_places_are_current_wards_and_the_districts_older_tickets_kept(database) -> None:
    before, after = datetime(2025, 5, 12, 9, tzinfo=LOCAL), datetime(2025, 9, 15, 9, tzinfo=LOCAL)
    with database.session() as session:
        session.add_all(
            [
                ticket(
                    21,
                    topic="thue",
                    department="CUC_THUE",
                    channel="telegram",
                    district="Quận 3",
                    filed=before,
                    due=before + timedelta(days=14),
                ),
                ticket(
                    22,
                    topic="thue",
                    department="CUC_THUE",
                    channel="telegram",
                    ward="Phường Bàn Cờ",
                    filed=after,
                    due=after + timedelta(days=14),
                ),
            ]
        )
    year = Period.parse("2025")
    with database.session() as session:
        report = build_report(session, year, Filters(), now=NOW, catalog=load_catalog())
        kept = summary(session, year, Filters(ward="Quận 3"), now=NOW, topics_of={})
    assert {(row.key, row.label, row.received) for row in report.by_ward} == {
        ("Quận 3", "Quận 3 (địa bàn trước 01/7/2025)", 1),
        ("Phường Bàn Cờ", "Phường Bàn Cờ", 1),
    }
    assert kept.received == 1


def test_a_report_names_each_department_as_it_was_called_in_its_period(data) -> None:
    with data.session() as session:
        now = build_report(session, FEBRUARY, Filters(), now=NOW, catalog=load_catalog())
        then = build_report(session, Period.parse("2024"), Filters(), now=NOW, catalog=load_catalog())
        spanning = build_report(session, Period.parse("2025"), Filters(), now=NOW, catalog=load_catalog())
    names = lambda report: {entry.department: entry.name for entry in report.scoreboard}  # noqa: E731
    assert names(now)["CUC_THUE"] == "Thuế Thành phố Hồ Chí Minh"
    assert names(then)["CUC_THUE"] == "Cục Thuế Thành phố Hồ Chí Minh"
    assert names(spanning)["SO_KHDT"] == "Sở Tài chính Thành phố Hồ Chí Minh (trước 01/03/2025: Sở Kế hoạch và Đầu tư)"
