"""Keeping the content current from the console (/staff/content), on SQLite and PostgreSQL: what an admin
sees, marking an entry reviewed, editing it so that the assistant answers the new text at once, and the
refusals; and an answer past its review date saying so to the business."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.integration.test_console import account, signed_in
from tests.transcript import Chat
from tickets.storage.models import Conversation, FaqRevision, Role, TranscriptMessage

ENTRY = "thue-thoi-han-nop-to-khai"


@pytest.fixture
def content_app(make_services, knowledge_base, database, tmp_path):
    """The app over a copy of the knowledge index, so that this test's edits re-index the copy only."""
    from bot.app import create_app
    from bot.bootstrap import build_knowledge
    from knowledge.loader import load_plan

    shutil.copytree(knowledge_base.kb_dir, tmp_path / "var" / "kb")
    services = make_services()
    services.knowledge = build_knowledge(
        services.settings,
        encoder=knowledge_base.encoder,
        catalog=services.catalog,
        register=services.register,
        plan=load_plan(),
        database=database,
    )
    return create_app(services, warm_up=False), services


def _doubt(database, entry_id: str, times: int) -> None:
    now = datetime.now(UTC)
    with database.session() as session:
        for n in range(times):
            conversation = Conversation(
                channel="webchat", user_key=f"doubt-{entry_id}-{n}", created_at=now, updated_at=now
            )
            session.add(conversation)
            session.flush()
            session.add(
                TranscriptMessage(
                    conversation_id=conversation.id,
                    direction="in",
                    payload="fb:down",
                    intent="feedback",
                    answer_id=entry_id,
                    created_at=now,
                )
            )


def test_the_admin_sees_what_needs_attention_and_the_most_doubted_entries(content_app, database) -> None:
    app, _ = content_app
    _doubt(database, ENTRY, 3)
    _doubt(database, "thue-tien-cham-nop", 1)
    page = signed_in(app, account(database, Role.admin)).get("/staff/content").text
    assert "Rà soát nội dung hỏi đáp" in page and "văn bản trong danh mục đã kiểm chứng hiệu lực" in page
    doubted = page.split("Doanh nghiệp bấm «Chưa đúng» nhiều nhất")[1]
    assert doubted.index(ENTRY) < doubted.index("thue-tien-cham-nop")
    assert re.search(rf"{ENTRY}</a></td><td>[^<]+</td><td>3</td>", doubted)


def test_only_admins_reach_the_content_pages(content_app, database) -> None:
    app, _ = content_app
    for role, department in ((Role.staff, "CUC_THUE"), (Role.supervisor, None), (Role.observer, None)):
        client = signed_in(app, account(database, role, department))
        assert client.get("/staff/content").status_code == 403
        assert client.get(f"/staff/content/{ENTRY}").status_code == 403


def test_marking_an_entry_reviewed_records_who_and_when_and_moves_its_review_date(content_app, database) -> None:
    app, services = content_app
    admin_name = account(database, Role.admin)
    admin = signed_in(app, admin_name)
    page = admin.get(f"/staff/content/{ENTRY}").text
    assert "Căn cứ" in page and "Đánh dấu đã rà soát" in page
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    done = admin.post(
        f"/staff/content/{ENTRY}/review",
        data={"csrf": token, "review_by": "2027-09-30", "note": "Đối chiếu Điều 44 Luật 108/2025/QH15"},
    )
    assert done.headers["location"] == f"/staff/content/{ENTRY}?done=review"
    page = admin.get(done.headers["location"]).text
    assert "Đã ghi nhận rà soát" in page and "30/09/2027" in page and admin_name in page
    entry = next(e for e in services.faq() if e.id == ENTRY)
    assert entry.review_by.isoformat() == "2027-09-30"
    with database.session() as session:
        (revision,) = session.exec(select(FaqRevision)).all()
    assert (revision.kind, revision.actor, revision.note) == (
        "reviewed",
        admin_name,
        "Đối chiếu Điều 44 Luật 108/2025/QH15",
    )


# SQLite only: re-indexing costs half a minute; the revisions table is exercised on PostgreSQL by the test above.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_edited_answer_is_what_the_assistant_answers_at_once(content_app, database) -> None:
    app, services = content_app
    admin = signed_in(app, account(database, Role.admin))
    entry = next(e for e in services.faq() if e.id == ENTRY)
    token = re.search(r'name="csrf" value="([^"]+)"', admin.get(f"/staff/content/{ENTRY}").text).group(1)
    new_answer = (
        entry.answer + " Thông tin cập nhật ngày rà soát: doanh nghiệp theo dõi lịch nộp trên thuedientu.gdt.gov.vn."
    )
    number = services.register[entry.sources[0].doc].number or entry.sources[0].doc
    edited = admin.post(
        f"/staff/content/{ENTRY}/edit", data={"csrf": token, "answer": new_answer, "sources": f"{number}, Điều 44"}
    )
    assert edited.headers["location"] == f"/staff/content/{ENTRY}?done=edit"
    assert "Thông tin cập nhật ngày rà soát" in Chat(services.engine).say(entry.question)


def test_an_edit_citing_a_document_the_register_does_not_know_is_refused(content_app, database) -> None:
    app, services = content_app
    admin = signed_in(app, account(database, Role.admin))
    token = re.search(r'name="csrf" value="([^"]+)"', admin.get(f"/staff/content/{ENTRY}").text).group(1)
    refused = admin.post(
        f"/staff/content/{ENTRY}/edit",
        data={
            "csrf": token,
            "answer": "Câu trả lời mới đủ dài để được lưu lại khi hợp lệ.",
            "sources": "Thông tư số 999/2099/TT-BTC",
        },
    )
    assert refused.status_code == 422 and "chưa có trong danh mục văn bản pháp luật" in refused.text
    too_far = admin.post(f"/staff/content/{ENTRY}/review", data={"csrf": token, "review_by": "2040-01-01"})
    assert too_far.status_code == 422 and "trong vòng 3 năm" in too_far.text
    with database.session() as session:
        assert session.exec(select(FaqRevision)).all() == []


def test_an_answer_past_its_review_date_tells_the_business(services) -> None:
    from bot.dialogue.engine import DialogueEngine
    from bot.dialogue.store import SqlStore

    entry = next(e for e in services.faq() if e.id == ENTRY)
    later = datetime(entry.review_by.year + 1, 1, 5, 3, tzinfo=UTC)
    engine = DialogueEngine(
        stores=SqlStore.opener(services.database),
        nlu=lambda: services.nlu,
        knowledge=services.knowledge,
        catalog=services.catalog,
        deadlines=services.calendar,
        identifies_user=services.channels.identifies_user,
        clock=lambda: later,
    )
    answer = Chat(engine).say(entry.question)
    assert f"đã quá hạn rà soát định kỳ ({entry.review_by:%d/%m/%Y})" in answer
    assert "quá hạn rà soát" not in Chat(services.engine, user="today").say(entry.question)
