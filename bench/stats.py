"""Statistics at scale: the dashboard's queries and a full report over 1,000,000 tickets, on SQLite and on
PostgreSQL.

Fills a fresh database (migrated to the newest schema) with synthetic tickets spread over two years, in
every topic, department, channel and place (districts before 1 July 2025, wards since), most answered, some
late, some rated, reopened or transferred; conversations with topical questions for the self-service rate; and stored
vectors for the newest tickets, as the server's background job leaves them, so the recurring problems are clustered.
Then times, for the half-year 2026-H1: each dashboard query, the whole report, and its PDF and XLSX; and a
dialogue session's agenda built from the data (three departments, the 60 days since the previous session, 60
registered questions, the commitments of an earlier session; the questions grouped without the encoder,
whose cost depends on the questions, not on the tickets). Targets: every dashboard query ≤ 2 s on
PostgreSQL, a full PDF report ≤ 30 s, an agenda ≤ 3 s on PostgreSQL. Prints a table and one JSON line.

    .venv/bin/python bench/stats.py [--tickets 1000000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge.catalog import load_catalog
from nlu.places import current_units, former_districts
from tests.fakes.postgres import PostgresServer
from tickets.calendar.sla import WorkingCalendar
from tickets.dialogues import agenda, commitments
from tickets.reports import stats
from tickets.reports.builder import build_report, scoreboard
from tickets.reports.clusters import recurring_problems
from tickets.reports.data import Filters, Period
from tickets.reports.pdf import render_pdf
from tickets.reports.workbook import render_xlsx
from tickets.storage.db import Database
from tickets.storage.migrate import upgrade
from tickets.storage.models import (
    Conversation,
    DialogueSession,
    SessionQuestion,
    SessionState,
    Ticket,
    TicketVector,
    TranscriptMessage,
)

PERIOD = Period.parse("2026-H1")
NOW = datetime(2026, 11, 27, 9, tzinfo=UTC)
FIRST = datetime(2025, 1, 1, tzinfo=UTC)
SESSION_DAY = datetime(2026, 7, 1, 2, tzinfo=UTC)  # 09:00 in Vietnam: its agenda reads the period with vectors
UNITS_SINCE_AT = datetime(2025, 6, 30, 17, tzinfo=UTC)  # 1 July 2025, 00:00 in Vietnam
DISTRICTS = [district.name for district in former_districts() if district.province == "Thành phố Hồ Chí Minh"]
WARDS = [unit.name for unit in current_units()]
PROBLEMS = [
    "Hồ sơ hoàn thuế giá trị gia tăng nộp đã lâu chưa có kết quả",
    "Lô hàng nhập khẩu bị phân luồng đỏ, kiểm tra thực tế kéo dài",
    "Giấy phép xây dựng nhà xưởng chưa được cấp dù đã quá hạn",
    "Thủ tục thay đổi đăng ký doanh nghiệp bị yêu cầu bổ sung nhiều lần",
    "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất bị trả lại không rõ lý do",
    "Khoản vay hỗ trợ lãi suất chưa được ngân hàng giải ngân",
    "Đoàn kiểm tra đến doanh nghiệp không có quyết định kiểm tra",
    "Chữ ký số không nộp được hồ sơ trên cổng dịch vụ công",
]
BATCH = 20_000
VECTORS = 5_000


def message(
    conversation: int,
    direction: str,
    at: datetime,
    *,
    intent: str | None = None,
    topic: str | None = None,
    answer_id: str | None = None,
    payload: str | None = None,
) -> dict:
    return {
        "conversation_id": conversation,
        "direction": direction,
        "text": "",
        "intent": intent,
        "topic": topic,
        "answer_id": answer_id,
        "payload": payload,
        "created_at": at,
    }


def fill(database: Database, tickets: int, rng: random.Random) -> None:
    catalog = load_catalog()
    topics = list(catalog.topics.values())
    weights = [
        8 if t.code in ("thue", "hai_quan") else 3 if t.code in ("dang_ky_kinh_doanh", "dat_dai", "xay_dung") else 1
        for t in topics
    ]
    span = (NOW - FIRST).total_seconds()
    conversations = tickets // 5
    with database.engine.begin() as connection:
        for start in range(0, conversations, BATCH):
            rows = [
                {
                    "id": i + 1,
                    "channel": "telegram",
                    "user_key": f"bench-{i}",
                    "state": "idle",
                    "context": {},
                    "created_at": FIRST,
                    "updated_at": FIRST,
                }
                for i in range(start, min(start + BATCH, conversations))
            ]
            connection.execute(insert(Conversation), rows)
        for start in range(0, conversations, BATCH):
            rows = []
            for i in range(start, min(start + BATCH, conversations)):
                asked = FIRST + timedelta(seconds=rng.random() * span)
                topic = rng.choices(topics, weights)[0].code
                rows.append(message(i + 1, "in", asked, intent="ask", topic=topic))
                rows.append(message(i + 1, "out", asked, topic=topic, answer_id=f"{topic}-1"))
                if rng.random() < 0.08:
                    rows.append(message(i + 1, "in", asked, intent="feedback", payload="fb:down"))
            connection.execute(insert(TranscriptMessage), rows)
        for start in range(0, tickets, BATCH):
            rows = []
            for i in range(start, min(start + BATCH, tickets)):
                topic = rng.choices(topics, weights)[0]
                created = FIRST + timedelta(seconds=(i + rng.random()) / tickets * span)
                due = created + timedelta(days=14)
                answered = created + timedelta(days=rng.expovariate(1 / 9)) if rng.random() < 0.9 else None
                answered = None if answered and answered > NOW else answered
                rows.append(
                    {
                        "code": f"PA-{created.year}-{i:07d}"[:16],
                        "state": "da_tra_loi" if answered else "dang_xu_ly",
                        "topic": topic.code,
                        "department": topic.department,
                        "channel": rng.choice(("telegram", "telegram", "zalo", "webchat")),
                        "district": rng.choice(DISTRICTS) if created < UNITS_SINCE_AT else None,
                        "ward": rng.choice(WARDS) if created >= UNITS_SINCE_AT else None,
                        "description": rng.choice(PROBLEMS) + f" (hồ sơ số {i})",
                        "company_name": f"Công ty TNHH Thương mại {i}",
                        "tax_code": "0312345673",
                        "created_at": created,
                        "acknowledge_due": created + timedelta(days=1),
                        "due_at": due,
                        "acknowledged_at": created + timedelta(hours=rng.expovariate(1 / 20)),
                        "resolved_at": answered,
                        "rating": rng.choice((None, None, 3, 4, 4, 5, 5, 2)) if answered else None,
                        "reopen_count": int(rng.random() < 0.04),
                        "transfer_count": int(rng.random() < 0.06),
                        "conversation_id": rng.randrange(1, conversations + 1) if rng.random() < 0.3 else None,
                        "updated_at": created,
                    }
                )
            connection.execute(insert(Ticket), rows)
    with (
        database.engine.begin() as connection
    ):  # vectors of the newest tickets of the period, as the background job leaves them
        ids = connection.execute(
            text("SELECT id, description FROM tickets WHERE created_at < :end ORDER BY created_at DESC LIMIT :n"),
            {"end": datetime(2026, 6, 30, tzinfo=UTC), "n": VECTORS},
        ).all()
        centres = np.random.default_rng(7).normal(size=(len(PROBLEMS), 384)).astype(np.float32)
        rows = []
        for ticket_id, description in ids:
            vector = centres[
                next(i for i, p in enumerate(PROBLEMS) if description.startswith(p))
            ] + np.random.default_rng(ticket_id).normal(scale=0.3, size=384)
            rows.append(
                {
                    "ticket_id": ticket_id,
                    "model": "bench:query",
                    "vector": (vector / np.linalg.norm(vector)).astype("<f4").tobytes(),
                }
            )
        connection.execute(insert(TicketVector), rows)
    if database.backend == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with database.engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, round(time.perf_counter() - started, 3)


def dialogue_session(database: Database, rng: random.Random) -> int:
    """An earlier session with commitments and the session whose agenda is timed, with its questions."""
    departments = ["CUC_THUE", "CUC_HAI_QUAN", "SO_KHDT"]
    calendar = WorkingCalendar.load()
    with database.session() as session:
        ids = []
        for starts in (SESSION_DAY - timedelta(days=60), SESSION_DAY):
            found = DialogueSession(
                title="Đối thoại doanh nghiệp",
                starts_at=starts,
                place="Hội trường",
                departments=departments,
                registration_opens_at=starts - timedelta(days=20),
                registration_closes_at=starts - timedelta(days=2),
                state=SessionState.registration_closed,
                created_by="bench",
            )
            session.add(found)
            session.flush()
            ids.append(found.id)
        earlier = session.get(DialogueSession, ids[0])
        for n in range(12):
            commitments.make(
                session,
                earlier,
                department=departments[n % 3],
                promise=f"Cam kết số {n + 1}",
                due_at=calendar.add_working_days(earlier.starts_at, 10 + n),
                calendar=calendar,
                actor="bench",
                now=earlier.starts_at,
            )
        for n in range(60):
            question = SessionQuestion(
                session_id=ids[1],
                channel="webchat",
                user_key=f"dn-{n}",
                question=rng.choice(PROBLEMS),
                department=departments[n % 3],
                created_at=SESSION_DAY - timedelta(days=3),
            )
            session.add(question)
    return ids[1]


def measure(backend: str, tickets: int) -> dict:
    postgres = PostgresServer.start() if backend == "postgresql" else None
    folder = Path(tempfile.mkdtemp(prefix="donghanh-stats-"))
    url = postgres.create_database("stats") if postgres else f"sqlite:///{folder / 'stats.db'}"
    database = Database.connect(url)
    catalog = load_catalog()
    try:
        upgrade(database)
        _, fill_seconds = timed(lambda: fill(database, tickets, random.Random(2026)))
        topics_of: dict[str, list[str]] = {}
        for code, topic in catalog.topics.items():
            topics_of.setdefault(topic.department, []).append(code)

        def recurring(period: Period, filters: Filters) -> list:
            window = stats.Window.of(period, NOW)
            return recurring_problems(database, period_start=window.start, period_end=window.end, filters=filters)

        queries = {
            "summary": lambda s: stats.summary(s, PERIOD, Filters(), now=NOW, topics_of=topics_of),
            "summary_one_department": lambda s: stats.summary(
                s, PERIOD, Filters(department="CUC_THUE"), now=NOW, topics_of=topics_of
            ),
            **{
                f"by_{d}": (lambda s, d=d: stats.breakdown(s, PERIOD, Filters(), d, now=NOW, labels={}))
                for d in ("topic", "department", "channel", "ward")
            },
            "months": lambda s: stats.months(s, PERIOD, Filters(), now=NOW),
            "scoreboard": lambda s: scoreboard(s, PERIOD, Filters(), now=NOW, catalog=catalog),
            "overdue": lambda s: stats.overdue_tickets(s, PERIOD, Filters(), now=NOW, names={}),
            "recurring_problems": lambda s: recurring(PERIOD, Filters()),
        }
        seconds = {}
        with database.session() as session:
            for name, query in queries.items():
                _, seconds[name] = timed(lambda query=query: query(session))
            report, report_seconds = timed(
                lambda: build_report(session, PERIOD, Filters(), now=NOW, catalog=catalog, clusters=recurring)
            )
        session_id = dialogue_session(database, random.Random(7))
        built, agenda_seconds = timed(lambda: agenda.build(database, session_id, now=NOW))
        pdf, pdf_seconds = timed(lambda: render_pdf(report))
        xlsx, xlsx_seconds = timed(lambda: render_xlsx(report))
        return {
            "backend": backend,
            "tickets": tickets,
            "fill_s": round(fill_seconds, 1),
            "period": PERIOD.label,
            "received": report.summary.received,
            "clusters": len(report.clusters),
            "query_s": seconds,
            "slowest_query_s": max(seconds.values()),
            "report_build_s": report_seconds,
            "pdf_render_s": pdf_seconds,
            "pdf_total_s": round(report_seconds + pdf_seconds, 2),
            "pdf_kb": len(pdf) // 1024,
            "xlsx_render_s": xlsx_seconds,
            "xlsx_kb": len(xlsx) // 1024,
            "agenda_build_s": agenda_seconds,
            "agenda": {
                "figures": len(built.figures),
                "clusters": len(built.clusters),
                "tickets": len(built.tickets),
                "questions": sum(len(g) for g in built.question_groups),
                "earlier_commitments": len(built.commitments),
            },
        }
    finally:
        database.dispose()
        if postgres:
            postgres.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    results = [measure(backend, args.tickets) for backend in args.backends.split(",")]
    print(
        f"{'backend':<11} {'tickets':>9} {'fill s':>7} {'slowest query s':>16} "
        f"{'report s':>9} {'pdf s':>6} {'xlsx s':>7} {'agenda s':>9}"
    )
    for r in results:
        print(
            f"{r['backend']:<11} {r['tickets']:>9} {r['fill_s']:>7} {r['slowest_query_s']:>16} "
            f"{r['report_build_s']:>9} {r['pdf_render_s']:>6} {r['xlsx_render_s']:>7} {r['agenda_build_s']:>9}"
        )
        for name, value in r["query_s"].items():
            print(f"    {name:<26} {value:>7} s")
    print(json.dumps({"bench": "stats", "results": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
