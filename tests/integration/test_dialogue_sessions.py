"""Business-dialogue sessions as their users meet them: a business registers a question in its chat and
receives the answer given in the session; departments' commitments are warned, escalated and counted; the
agenda and minutes are written by the command line. Both databases."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import col, select

from tests.integration.test_cli import run
from tests.integration.test_dialogue import FILING
from tests.transcript import Chat, verify_dialog
from tickets.calendar.sla import WorkingCalendar
from tickets.dialogues import agenda, commitments, jobs, sessions
from tickets.dialogues import texts as session_texts
from tickets.domain.accounts import create_user
from tickets.reports import stats
from tickets.reports.data import Filters, Period
from tickets.storage.db import Database
from tickets.storage.migrate import upgrade
from tickets.storage.models import (
    CommitmentEvent,
    DialogueSession,
    OutboxMessage,
    Role,
    SessionQuestion,
    SessionState,
    StaffNotification,
    utcnow,
)

QUESTION = (
    "Hồ sơ hoàn thuế giá trị gia tăng của doanh nghiệp xuất khẩu chậm giải quyết, đề nghị Cục Thuế cho biết lý do"
)


def _session(database: Database, *, opens: timedelta, closes: timedelta, starts: timedelta, title: str) -> int:
    now = utcnow()
    form = sessions.SessionForm(
        title=title,
        starts_at=now + starts,
        place="Hội trường Ủy ban nhân dân Thành phố",
        chair="Phó Chủ tịch UBND Thành phố",
        departments=["CUC_THUE", "CUC_HAI_QUAN"],
        topics=["thue", "hai_quan"],
        registration_opens_at=now + opens,
        registration_closes_at=now + closes,
    )
    with database.session() as session:
        created = sessions.create(
            session,
            form,
            actor="giamsat",
            now=now,
            departments=["CUC_THUE", "CUC_HAI_QUAN"],
            topics=["thue", "hai_quan"],
        )
        return created.id


def test_a_business_registers_in_its_chat_and_receives_the_answer_given_in_the_session(services) -> None:
    title = "Đối thoại thuế, hải quan quý IV"
    session_id = _session(
        services.database, opens=-timedelta(hours=1), closes=timedelta(days=2), starts=timedelta(days=3), title=title
    )
    chat = Chat(services.engine)
    assert title in chat.say("/doithoai")
    with services.database.session() as session:
        button = session_texts.button_title(session.get(DialogueSession, session_id))
    assert "Xin nhập câu hỏi" in chat.press(button)
    assert "ngắn quá" in chat.say("hoàn thuế")  # asked again, nothing registered
    assert "Gửi câu hỏi" in chat.buttons or "Gửi câu hỏi" in chat.say(QUESTION)
    receipt = chat.press("Gửi câu hỏi")
    assert "Mã đăng ký: DT-" in receipt and title in receipt

    other = Chat(services.engine, user="business-2")
    assert title in other.say("tôi muốn đăng ký câu hỏi cho hội nghị đối thoại")  # asked in words
    assert "Đã hủy" in other.say("/huy")

    built = agenda.build(services.database, session_id, now=utcnow())
    assert [[q.question for q in g] for g in built.question_groups] == [[QUESTION]]
    with services.database.session() as session:
        assert agenda.add(session, session_id, agenda.propose(built, {})) >= 1
    with services.database.session() as session:
        item = next(i for i in agenda.items_of(session, session_id) if i.kind == "question")
        sessions.record_answer(
            session,
            item,
            answer="Cục Thuế đã rà soát, hồ sơ được giải quyết trong tháng 12.",
            actor="thuky",
            now=utcnow(),
            department_name="Thuế Thành phố Hồ Chí Minh",
        )
    with services.database.session() as session:
        sent = session.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.user_key) == "business-1", col(OutboxMessage.kind) == "notice"
            )
        ).all()
        code = session.exec(select(SessionQuestion.code)).one()
    assert len(sent) == 1 and "rà soát" in sent[0].text and len(sent[0].buttons) == 5
    assert f"{code}" in chat.tap(sent[0].buttons[4][1])  # rated 5
    with services.database.session() as session:
        assert session.exec(select(SessionQuestion)).one().rating == 5


def test_registration_follows_its_window_and_each_business_is_reminded_once(services) -> None:
    later = _session(
        services.database,
        opens=timedelta(hours=1),
        closes=timedelta(hours=2),
        starts=timedelta(hours=20),
        title="Phiên sắp tới",
    )
    chat = Chat(services.engine)
    assert "chưa có phiên đối thoại nào" in chat.say("/doithoai")
    jobs.run_once(services.database, now=utcnow() + timedelta(minutes=61))
    with services.database.session() as session:
        assert session.get(DialogueSession, later).state == SessionState.registration_open
        dialogue = session.get(DialogueSession, later)
        sessions.register(
            session,
            dialogue,
            channel="webchat",
            user_key="business-1",
            question=QUESTION,
            now=utcnow() + timedelta(minutes=62),
        )
    moved = jobs.run_once(services.database, now=utcnow() + timedelta(hours=2, minutes=1))
    assert moved.moved == 1 and moved.reminded == 1
    assert jobs.run_once(services.database, now=utcnow() + timedelta(hours=2, minutes=2)).reminded == 0
    with services.database.session() as session:
        assert session.get(DialogueSession, later).state == SessionState.registration_closed
        reminder = session.exec(select(OutboxMessage).where(col(OutboxMessage.text).contains("Nhắc lịch"))).one()
        assert reminder.user_key == "business-1" and "Phiên sắp tới" in reminder.text


def test_a_commitment_is_warned_escalated_and_counted_like_a_ticket(database) -> None:
    calendar = WorkingCalendar.load()
    people = {
        role: create_user(
            database,
            username=f"nguoi.{role.value}",
            password="mat-khau-du-dai-123",
            role=role,
            department="CUC_THUE" if role in (Role.staff, Role.lead) else None,
            known_departments={"CUC_THUE"},
        )
        for role in (Role.staff, Role.lead, Role.supervisor)
    }
    session_id = _session(
        database, opens=-timedelta(days=3), closes=-timedelta(days=2), starts=-timedelta(days=1), title="Phiên cũ"
    )
    made_at = utcnow()
    with database.session() as session:
        dialogue = session.get(DialogueSession, session_id)
        due = commitments.deadline(calendar, made_at=made_at, working_days=2, day=None)
        promise = commitments.make(
            session,
            dialogue,
            department="CUC_THUE",
            promise="Giải quyết dứt điểm hồ sơ hoàn thuế tồn đọng",
            due_at=due,
            calendar=calendar,
            actor="thuky",
            now=made_at,
        )
        promise_id, warn_at = promise.id, promise.warn_at
    assert made_at < warn_at < due

    assert jobs.run_once(database, now=warn_at + timedelta(minutes=1)).warned == 1
    assert jobs.run_once(database, now=due + timedelta(minutes=1)).escalated == 1
    assert jobs.run_once(database, now=due + timedelta(minutes=2)).escalated == 0  # once
    with database.session() as session:
        told = session.exec(
            select(StaffNotification.user_id, StaffNotification.kind).where(
                col(StaffNotification.commitment_id) == promise_id
            )
        ).all()
        assert set(told) == {
            (people[Role.staff].id, "warning"),
            (people[Role.lead].id, "warning"),
            (people[Role.lead].id, "overdue"),
            (people[Role.supervisor].id, "overdue"),
        }
        promise = commitments.of_session(session, session_id)[0]
        assert commitments.status(promise, due + timedelta(minutes=2)) == "overdue"
        period = Period.between(made_at.date() - timedelta(days=1), due.date() + timedelta(days=1))
        counted = stats.commitment_rows(session, period, Filters(), now=due + timedelta(minutes=3), names={})
        assert [(f.department, f.made, f.kept_on_time, f.open, f.overdue) for f in counted] == [
            ("CUC_THUE", 1, 0, 1, 1)
        ]
        commitments.note_progress(session, promise, note="Đã làm việc với doanh nghiệp", actor="nguoi.staff", now=due)
        commitments.complete(
            session,
            promise,
            evidence="Quyết định hoàn thuế số 123/QĐ-CT",
            actor="nguoi.staff",
            now=due + timedelta(hours=1),
        )
    with database.session() as session:
        promise = commitments.of_session(session, session_id)[0]
        assert commitments.status(promise, utcnow()) == "late"
        counted = stats.commitment_rows(session, period, Filters(), now=due + timedelta(hours=2), names={})
        assert [(f.made, f.kept_on_time, f.kept_late, f.open) for f in counted] == [(1, 0, 1, 0)]
        kinds = [e.kind for e in session.exec(select(CommitmentEvent).order_by(col(CommitmentEvent.id))).all()]
        assert kinds == ["made", "warning", "overdue", "progress", "done"]
        next_session = _session(
            database, opens=-timedelta(hours=1), closes=timedelta(days=1), starts=timedelta(days=2), title="Phiên sau"
        )
    built = agenda.build(database, next_session, now=utcnow())
    assert [(line.session_title, line.status) for line in built.commitments] == [("Phiên cũ", "late")]


def test_agenda_and_minutes_are_written_by_the_command_line(model_dir: Path, tmp_path: Path) -> None:
    # SQLite only: the commands read what the tests above cover on both databases
    url = f"sqlite:///{tmp_path / 'phien.db'}"
    env = os.environ | {
        "DATABASE_URL": url,
        "DONGHANH_VAR_DIR": str(tmp_path / "var"),
        "EMBEDDING_MODEL": str(model_dir),
    }
    database = Database.connect(url)
    upgrade(database)
    session_id = _session(
        database, opens=-timedelta(hours=1), closes=timedelta(days=1), starts=timedelta(days=2), title="Đối thoại thuế"
    )
    with database.session() as session:
        dialogue = session.get(DialogueSession, session_id)
        for n, text in enumerate(
            (QUESTION, QUESTION.replace("chậm", "rất chậm"), "Thủ tục phân luồng hải quan đỏ kéo dài")
        ):
            sessions.register(session, dialogue, channel="webchat", user_key=f"dn-{n}", question=text, now=utcnow())
    database.engine.dispose()

    listed = run("dialogue", "list", env=env)
    assert (
        listed.returncode == 0
        and f"{session_id}\t" in listed.stdout
        and "registration_open\t3\tĐối thoại thuế" in listed.stdout
    )
    out = tmp_path / "chuong-trinh.json"
    written = run("dialogue", "agenda", str(session_id), "--out", str(out), env=env)
    assert written.returncode == 0, written.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["session"]["title"] == "Đối thoại thuế"
    assert sorted(len(g) for g in data["question_groups"]) == [1, 2]  # the two refund questions together
    assert [f["department"] for f in data["figures"]] == ["CUC_THUE", "CUC_HAI_QUAN"]
    assert (
        run(
            "dialogue", "agenda", str(session_id), "--format", "xlsx", "--out", str(tmp_path / "a.xlsx"), env=env
        ).returncode
        == 0
    )
    assert "Câu hỏi đăng ký" in load_workbook(tmp_path / "a.xlsx").sheetnames
    pdf = tmp_path / "a.pdf"
    assert run("dialogue", "agenda", str(session_id), "--out", str(pdf), env=env).returncode == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Chương trình phiên đối thoại" in text and "Đối thoại thuế" in text
    minutes = tmp_path / "bien-ban.pdf"
    assert run("dialogue", "minutes", str(session_id), "--out", str(minutes), env=env).returncode == 0
    text = subprocess.run(["pdftotext", str(minutes), "-"], capture_output=True, text=True, check=True).stdout
    assert "Biên bản phiên đối thoại" in text
    missing = run("dialogue", "minutes", "999", "--out", str(minutes), env=env)
    assert missing.returncode == 1 and "Không có phiên đối thoại số 999" in missing.stderr


def test_a_business_brings_its_ticket_to_the_session(services) -> None:
    session_id = _session(
        services.database,
        opens=-timedelta(hours=1),
        closes=timedelta(days=2),
        starts=timedelta(days=3),
        title="Phiên thuế",
    )
    chat = Chat(services.engine)
    verify_dialog(chat, FILING)
    assert "Phiên thuế" in chat.say("đưa phản ánh này ra đối thoại")
    with services.database.session() as session:
        button = session_texts.button_title(session.get(DialogueSession, session_id))
    summary = chat.press(button)
    assert "hoàn thuế giá trị gia tăng" in summary and "Công ty TNHH Thương mại Minh An" in summary
    assert "Mã đăng ký: DT-" in chat.press("Gửi câu hỏi")
    with services.database.session() as session:
        registered = session.exec(select(SessionQuestion)).one()
        assert registered.ticket_id is not None and registered.tax_code == "0312345673"
        assert registered.department == "CUC_THUE"
