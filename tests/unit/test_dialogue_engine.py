"""The dialogue engine's logic without a database: the real engine on an in-memory store.

The NLU and retrieval are scripted here (their own tests measure them): each test says what a message is
understood as and which FAQ entry answers it, and checks what the business sees and what is stored. The
same flows run on SQLite and PostgreSQL in `tests/integration/test_dialogue.py`.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.dialogue import texts
from bot.dialogue.engine import DialogueEngine
from knowledge.answer import Answer, answer_from
from knowledge.catalog import Catalog, load_catalog
from knowledge.legal import load_register
from knowledge.loader import load_plan
from knowledge.retriever import Document, Hit
from knowledge.sources import all_documents
from nlu.pipeline import ParseResult
from tests.fakes.memory_store import MemoryStore
from tests.transcript import Chat
from tickets.calendar.sla import WorkingCalendar
from tickets.domain import notices, payloads
from tickets.storage.models import TicketState

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # a Monday, 10:00 in Ho Chi Minh City
REFUND = "thue-hoan-thue-bi-cham"
ONLINE = "dang-ky-kinh-doanh-dang-ky-truc-tuyen"
INVOICE = "thue-hoa-don-dien-tu-dang-ky"
QUESTION = "hồ sơ hoàn thuế nộp 3 tháng chưa có kết quả"
VAGUE = "hóa đơn điện tử đăng ký sai thì sao"
KEYWORD = "hóa đơn"
FOLLOW_UP = "mất bao lâu?"
TWO_QUESTIONS = "Đăng ký hóa đơn điện tử thế nào? Hồ sơ hoàn thuế nộp 3 tháng chưa có kết quả thì sao?"
COMPANY = "Công ty TNHH Thương mại Minh An"

# What the scripted NLU understands: text -> (intent, topic)
UNDERSTOOD = {
    QUESTION: ("ask", "thue"),
    VAGUE: ("ask", "thue"),
    KEYWORD: ("ask", "thue"),
    "Đăng ký hóa đơn điện tử thế nào": ("ask", "thue"),
    "Hồ sơ hoàn thuế nộp 3 tháng chưa có kết quả thì sao": ("ask", "thue"),
    "chào bạn": ("greet", None),
    "có": ("affirm", None),
    "không": ("deny", None),
    "cảm ơn": ("thanks", None),
    "tôi muốn phản ánh": ("report_issue", None),
    "Hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 đến nay chưa có kết quả": ("ask", "thue"),
}
# What the scripted retrieval does: text -> (decision, entry ids)
RETRIEVED = {
    QUESTION: ("answer", [REFUND]),
    VAGUE: ("choose", [INVOICE, REFUND, ONLINE]),
    KEYWORD: ("choose", [INVOICE, REFUND]),
    f"{QUESTION} {FOLLOW_UP}": ("answer", [REFUND]),
    "Đăng ký hóa đơn điện tử thế nào": ("answer", [INVOICE]),
    "Hồ sơ hoàn thuế nộp 3 tháng chưa có kết quả thì sao": ("answer", [REFUND]),
}


class ScriptedNlu:
    def parse(self, text: str) -> ParseResult:
        intent, topic = UNDERSTOOD.get(text, ("out_of_scope", None))
        return ParseResult(text=text, intent=intent, topic=topic, department=None, confidence=0.9)


class ScriptedKnowledge:
    """Answers from the project's real FAQ entries, picked by the script instead of by retrieval."""

    def __init__(self, documents: dict[str, Document], catalog: Catalog) -> None:
        self.documents, self.catalog = documents, catalog

    def ask(self, text: str, understood: ParseResult | None = None, *, besides: frozenset[str] = frozenset()) -> Answer:
        decision, ids = RETRIEVED.get(text, ("out_of_scope", []))
        ids = [i for i in ids if i not in besides]
        if decision == "answer":
            return answer_from(self.documents[ids[0]], self.catalog, confidence=0.9)
        choices = tuple(self.documents[i] for i in ids)
        return Answer(decision, None, None, None, 0.5 if choices else 0.0, (), choices=choices)

    def search(self, text: str, k: int = 5, *, prior: dict[str, float] | None = None) -> list[Hit]:
        topic = next(iter(prior or {}), None)
        return [Hit(d, 1.0) for d in self.documents.values() if d.topic == topic][:k]

    def in_domain(self, message: str) -> bool:
        return message in UNDERSTOOD or f"{QUESTION} {message}" in RETRIEVED

    def plan_question(self, question: str) -> bool:
        return False

    def detail(self, document_id: str, question: str) -> Answer | None:
        return None  # the real entries' details are asked in tests/integration/test_conversation.py

    def ask_in_context(self, follow_up: str, subject: str, topic: str | None, answered: str | None) -> Answer:
        return self.ask(f"{subject} {follow_up}")

    def answer_document(self, document_id: str) -> Answer | None:
        document = self.documents.get(document_id)
        return answer_from(document, self.catalog, confidence=1.0) if document else None


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def documents(catalog: Catalog) -> dict[str, Document]:
    return {d.id: d for d in all_documents(load_plan(), catalog, load_register())}


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def engine(store: MemoryStore, catalog: Catalog, documents: dict[str, Document]) -> DialogueEngine:
    nlu = ScriptedNlu()
    minutes = itertools.count()
    return DialogueEngine(
        stores=store.opener(),
        nlu=lambda: nlu,
        knowledge=ScriptedKnowledge(documents, catalog),
        catalog=catalog,
        deadlines=WorkingCalendar.load(),
        identifies_user=lambda channel: channel != "webchat",
        clock=lambda: NOW + timedelta(minutes=next(minutes)),  # each turn a minute after the last
    )


def talk(engine: DialogueEngine, channel: str = "telegram", user: str = "42") -> Chat:
    """A business on Telegram (the chat identifies it) unless told otherwise."""
    return Chat(engine, channel=channel, user=user)


def file_refund_issue(chat: Chat, store: MemoryStore):
    """The business files the tax-refund issue in full, and the ticket it got."""
    chat.say("/phananh Hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 đến nay chưa có kết quả")
    chat.tap(payloads.KEEP)
    for answer in (COMPANY, "0312345673", "0901234567", "Phường Sài Gòn"):
        chat.say(answer)
    chat.tap(payloads.CONFIRM)
    return store.tickets[0]


def test_every_kind_of_button_the_assistant_sends_is_routed(engine: DialogueEngine) -> None:
    offered = {value for name, value in vars(payloads).items() if name.isupper() and ":" not in value}
    routed = set(engine.buttons) | {kind for table in engine.state_buttons.values() for kind in table}
    assert offered == routed


def test_an_answer_its_feedback_and_the_record_for_the_statistics(engine: DialogueEngine, store: MemoryStore) -> None:
    chat = talk(engine)
    assert "Thuế Thành phố Hồ Chí Minh" in chat.say(QUESTION)
    assert chat.payloads == [payloads.HELPFUL, payloads.NOT_RIGHT, payloads.FILE]
    assert chat.tap(payloads.NOT_RIGHT) == texts.SORRY_FEEDBACK
    feedback = store.transcript[-2]
    assert (feedback.payload, feedback.facts.intent, feedback.facts.answer_id) == (
        payloads.NOT_RIGHT,
        "feedback",
        REFUND,
    )
    assert store.transcript[0].facts.topic == "thue" and store.transcript[0].facts.intent == "ask"


def test_a_vague_question_offers_entries_and_a_digit_chooses_one_on_a_numbered_channel(
    engine: DialogueEngine, documents: dict[str, Document]
) -> None:
    chat = talk(engine, channel="zalo")
    assert chat.say(VAGUE) == texts.CHOOSE
    assert chat.payloads[:3] == [payloads.make(payloads.DOCUMENT, i) for i in (INVOICE, REFUND, ONLINE)]
    assert documents[REFUND].text[:40] in chat.say("2")


def test_filing_from_the_last_question_to_a_ticket(engine: DialogueEngine, store: MemoryStore) -> None:
    chat = talk(engine)
    chat.say(QUESTION)
    assert QUESTION in chat.tap(payloads.FILE)
    assert chat.tap(payloads.KEEP) == texts.ASK_COMPANY
    chat.say(COMPANY)
    assert "0312345674" in chat.say("0312345674")  # the check digit is wrong: asked again, naming the value
    assert chat.say("0312345673") == texts.ASK_CONTACT_OPTIONAL
    assert chat.tap(payloads.SKIP) == texts.ASK_WARD
    assert "Quận 3 cũ" in chat.say("quận 3")
    assert chat.buttons[:3] == ["Phường Bàn Cờ", "Phường Nhiêu Lộc", "Phường Xuân Hòa"]
    summary = chat.tap(chat.payloads[0])
    assert "Phường Bàn Cờ" in summary and "0312345673" in summary and texts.NO_CONTACT in summary
    filed = chat.tap(payloads.CONFIRM)
    ticket = store.tickets[0]
    assert ticket.code in filed and "10 ngày làm việc" in filed
    assert (ticket.topic, ticket.department, ticket.ward, ticket.contact) == ("thue", "CUC_THUE", "Phường Bàn Cờ", None)
    assert store.conversations[("telegram", "42")].state == "idle"


def test_a_button_of_an_earlier_step_is_refused_and_changes_nothing(engine: DialogueEngine, store: MemoryStore) -> None:
    chat = talk(engine)
    assert chat.tap(payloads.CONFIRM) == texts.UNKNOWN_BUTTON
    assert chat.tap(payloads.make(payloads.TOPIC, "thue")) == texts.UNKNOWN_BUTTON
    chat.say("tôi muốn phản ánh")
    assert chat.tap(payloads.KEEP) == texts.UNKNOWN_BUTTON  # nothing to keep yet
    assert chat.tap(payloads.make(payloads.TOPIC, "khong_co")) == texts.UNKNOWN_BUTTON
    assert store.conversations[("telegram", "42")].state == "filing_description"
    assert store.tickets == []


def test_the_web_chat_cannot_skip_the_contact(engine: DialogueEngine) -> None:
    chat = talk(engine, channel="webchat")
    chat.say(QUESTION)
    chat.tap(payloads.FILE)
    chat.tap(payloads.KEEP)
    chat.say(COMPANY)
    assert chat.say("0312345673") == texts.ASK_CONTACT
    assert chat.tap(payloads.SKIP) == texts.UNKNOWN_BUTTON


def test_yes_and_no_answer_what_was_just_offered(engine: DialogueEngine) -> None:
    chat = talk(engine)
    assert chat.say("cảm ơn") == texts.THANKS
    assert chat.say("có") == texts.THANKS
    chat.say(QUESTION)
    assert chat.say("có") == texts.THANKS  # beside an answer, a yes is not a request to file
    chat.tap(payloads.NOT_RIGHT)  # "sorry, you can file an issue"
    assert chat.say("không") == texts.DECLINED
    chat.tap(payloads.NOT_RIGHT)
    assert QUESTION in chat.say("có")


def test_a_keyword_gets_its_topic_menu(engine: DialogueEngine, documents: dict[str, Document]) -> None:
    chat = talk(engine)
    assert chat.say(KEYWORD).startswith("Về lĩnh vực «Thuế», quý doanh nghiệp muốn hỏi nội dung nào?")
    entries = [p for p in chat.payloads if p.startswith("doc:")]
    assert 0 < len(entries) <= 4 and all(documents[payloads.split(p)[1]].topic == "thue" for p in entries)
    assert chat.payloads[-1] == payloads.FILE


def test_a_follow_up_is_read_with_the_question_before_it_until_the_subject_expires(
    engine: DialogueEngine, store: MemoryStore
) -> None:
    chat = talk(engine)
    chat.say(QUESTION)
    assert "Thuế Thành phố Hồ Chí Minh" in chat.say(FOLLOW_UP)
    assert store.transcript[-2].facts.answer_id == REFUND
    assert chat.say("thời tiết hôm nay thế nào").startswith("Xin lỗi, câu hỏi này nằm ngoài phạm vi")
    context = store.conversations[("telegram", "42")].context
    context["subject"]["at"] = (NOW - timedelta(hours=1)).isoformat()
    assert chat.say(FOLLOW_UP).startswith("Xin lỗi, câu hỏi này nằm ngoài phạm vi")


def test_two_questions_in_one_message_get_two_answers(engine: DialogueEngine, documents: dict[str, Document]) -> None:
    chat = talk(engine)
    chat.say(TWO_QUESTIONS)
    assert [r.text.split("\n")[0] for r in chat.replies] == [
        "Về «Đăng ký hóa đơn điện tử thế nào»:",
        "Về «Hồ sơ hoàn thuế nộp 3 tháng chưa có kết quả thì sao»:",
    ]
    assert documents[INVOICE].text[:40] in chat.replies[0].text and documents[REFUND].text[:40] in chat.replies[1].text
    assert chat.payloads == [payloads.HELPFUL, payloads.NOT_RIGHT, payloads.FILE]


def test_cancel_leaves_the_form_and_says_so_only_when_there_was_one(engine: DialogueEngine, store: MemoryStore) -> None:
    chat = talk(engine)
    assert chat.say("/huy") == texts.NOTHING_TO_CANCEL
    chat.say("/phananh")
    assert chat.say("hủy") == texts.CANCELLED
    assert store.conversations[("telegram", "42")].context.get("form") is None
    assert chat.say("/khong_co_lenh") == texts.HELP


def test_status_rating_and_reopening_follow_the_staff_answer(engine: DialogueEngine, store: MemoryStore) -> None:
    chat = talk(engine)
    ticket = file_refund_issue(chat, store)
    assert "Mới tiếp nhận" in chat.say(f"tra cứu {ticket.code}")
    assert "Không tìm thấy" in talk(engine, user="someone-else").say(f"/tracuu {ticket.code}")
    assert chat.tap(payloads.make(payloads.REOPEN, ticket.code)).startswith(f"Phản ánh {ticket.code} không mở lại")

    store.answer(ticket, "Hồ sơ đã được giải quyết ngày 01/12/2026.", NOW + timedelta(days=1))
    assert chat.say("5") == texts.RATED.format(score=5)  # the digit answers the rating prompt's buttons
    assert chat.say("Giải quyết nhanh") == texts.RATING_DONE.format(code=ticket.code)
    assert (ticket.rating, ticket.rating_comment, ticket.state) == (5, "Giải quyết nhanh", TicketState.dong)
    assert chat.tap(payloads.make(payloads.RATE, ticket.code, 4)) == texts.ALREADY_RATED.format(code=ticket.code)
    assert "Đã đóng" in chat.say(ticket.code) and "01/12/2026" in chat.text
    assert chat.tap(notices.reply_button(ticket.code)[1]) == texts.TICKET_CLOSED.format(code=ticket.code)


def test_a_reopened_ticket_takes_the_reason_into_the_ticket(engine: DialogueEngine, store: MemoryStore) -> None:
    chat = talk(engine)
    ticket = file_refund_issue(chat, store)
    store.answer(ticket, "Đã chuyển hồ sơ.", NOW + timedelta(days=1))
    assert chat.tap(payloads.make(payloads.REOPEN, ticket.code)) == texts.REOPENED.format(code=ticket.code)
    assert chat.say("Vẫn chưa nhận được tiền hoàn") == texts.TICKET_MESSAGE_ADDED.format(code=ticket.code)
    assert store.events[-1] == (ticket.code, "business_message", "Vẫn chưa nhận được tiền hoàn")
    assert ticket.state == TicketState.dang_xu_ly


def test_unreadable_messages_are_answered_and_kept(engine: DialogueEngine, store: MemoryStore) -> None:
    chat = talk(engine)
    assert chat.say("") == texts.NOT_TEXT
    assert "4096" in chat.say("x" * 5000)
    assert [line.direction for line in store.transcript] == ["in", "out", "in", "out"]
