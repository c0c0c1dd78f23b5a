"""The Rasa custom actions as Rasa calls them (the action-server request: next action, tracker, domain),
on the real NLU, knowledge and both databases. The real Rasa server drives them in `tests/rasa/`."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlmodel import select

from bot.rasa import project
from bot.rasa.actions import executor
from knowledge.catalog import load_catalog
from tickets.storage.models import Conversation, Ticket, TranscriptMessage

DOMAIN = project.domain(load_catalog())
FORM_ANSWERS = {
    "description": "Hồ sơ hoàn thuế giá trị gia tăng nộp từ tháng 3 đến nay Chi cục Thuế chưa giải quyết",
    "company_name": "Công ty TNHH Thương mại Minh An",
    "tax_code": "0312345673",
    "contact": "0901234567",
    "ward": "phuong gia dinh",
}


class RasaCalls:
    """What Rasa sends to the action server for one sender: the latest message and the slots."""

    def __init__(self, services, sender: str = "rasa-user-1") -> None:
        self.executor = executor(services)
        self.sender = sender
        self.slots: dict[str, object] = {}

    def run(
        self,
        action: str,
        text: str,
        *,
        intent: str = "ask_thue",
        entities: tuple[dict, ...] = (),
        candidates: dict[str, object] | None = None,
        form: bool = False,
    ) -> tuple[list[dict], list[dict]]:
        """Run `action` after the user said `text`; `candidates` are slot values the form extracted for validation."""
        events = [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]
        events += [{"event": "slot", "name": name, "value": value} for name, value in (candidates or {}).items()]
        tracker = {
            "sender_id": self.sender,
            "slots": {**self.slots, **(candidates or {})},
            "events": events,
            "paused": False,
            "latest_message": {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": list(entities)},
            "latest_action_name": "action_listen",
            "active_loop": {"name": project.FORM} if form else {},
            "latest_input_channel": "rest",
            "followup_action": None,
        }
        call = {
            "next_action": action,
            "sender_id": self.sender,
            "tracker": tracker,
            "domain": DOMAIN,
            "version": "3.6.21",
        }
        result = asyncio.run(self.executor.run(call)).model_dump()
        for event in result["events"]:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
        return result["responses"], result["events"]

    def validate(self, slot: str, text: str) -> tuple[object, str]:
        """The form's check of one answer: the value kept (None when refused) and what the business is told."""
        responses, events = self.run(
            project.VALIDATE_FORM_ACTION, text, intent="report_issue", candidates={slot: text}, form=True
        )
        kept = next(e["value"] for e in events if e["event"] == "slot" and e["name"] == slot)
        return kept, "\n".join(r["text"] for r in responses)


def said(responses: list[dict]) -> str:
    return "\n".join(r["text"] for r in responses)


def test_a_tax_question_is_answered_from_our_knowledge_with_its_source_and_rasa_buttons(services) -> None:
    rasa = RasaCalls(services)
    for question in ("Hóa đơn điện tử lập sai thì xử lý thế nào?", "hoa don dien tu lap sai thi xu ly the nao"):
        responses, _ = rasa.run(project.ANSWER_ACTION, question)
        assert "254/2026/NĐ-CP" in said(responses)
        assert "Nguồn:" in said(responses) and "Đơn vị phụ trách: Thuế Thành phố Hồ Chí Minh" in said(responses)
        buttons = {b["title"]: b["payload"] for b in responses[-1]["buttons"]}
        assert buttons == {
            "Hữu ích": '/button{"payload": "fb:up"}',
            "Chưa đúng": '/button{"payload": "fb:down"}',
            "Gửi phản ánh": "/report_issue",
        }
    payload = {"entity": project.PAYLOAD_ENTITY, "value": "fb:down"}
    responses, _ = rasa.run(
        project.ANSWER_ACTION, '/button{"payload": "fb:down"}', intent=project.BUTTON_INTENT, entities=(payload,)
    )
    assert "Xin lỗi vì câu trả lời chưa đúng ý" in said(responses)
    with services.database.session() as session:
        conversation = session.exec(select(Conversation).where(Conversation.channel == "rasa")).one()
        assert conversation.user_key == "rasa-user-1"
        messages = session.exec(
            select(TranscriptMessage)
            .where(TranscriptMessage.conversation_id == conversation.id)
            .order_by(TranscriptMessage.id)
        ).all()
    assert [(m.direction, m.intent) for m in messages if m.direction == "in"] == [
        ("in", "ask"),
        ("in", "ask"),
        ("in", "feedback"),
    ]
    assert (
        messages[-2].payload == "fb:down" and messages[-1].answer_id == messages[1].answer_id
    )  # the feedback names its answer


def test_an_out_of_scope_message_gets_the_polite_refusal(services) -> None:
    responses, _ = RasaCalls(services).run(project.ANSWER_ACTION, "Cách nấu phở bò ngon?", intent="nlu_fallback")
    assert "ngoài phạm vi" in said(responses)


def test_a_10000_character_message_is_refused_politely_and_kept(services) -> None:
    responses, _ = RasaCalls(services).run(project.ANSWER_ACTION, "hoàn thuế " * 1000, intent="nlu_fallback")
    assert (
        said(responses)
        == "Tin nhắn dài quá 4096 ký tự. Xin quý doanh nghiệp gửi ngắn gọn hơn, hoặc chia thành nhiều tin."
    )
    with services.database.session() as session:
        kept = session.exec(select(TranscriptMessage).where(TranscriptMessage.direction == "in")).one()
    assert len(kept.text) == 10_000


def test_the_form_checks_each_answer_as_our_own_dialogue_does(services) -> None:
    rasa = RasaCalls(services)
    assert rasa.validate("description", "hoàn thuế") == (
        None,
        "Nội dung còn ngắn quá. Xin mô tả rõ hơn, ví dụ: «Hồ sơ hoàn thuế nộp từ tháng 3 đến nay chưa có kết quả».",
    )
    kept, told = rasa.validate("tax_code", "0312345678")
    assert kept is None and "chưa đúng" in told and "0312345673" in told
    assert rasa.validate("tax_code", "0312345673-001") == ("0312345673-001", "")
    assert rasa.validate("contact", "0901234567") == ("+84901234567", "")
    assert rasa.validate("contact", "gọi tôi nhé")[0] is None
    assert rasa.validate("ward", "phuong gia dinh") == ("Phường Gia Định", "")
    kept, told = rasa.validate("ward", "quan binh thanh")
    assert kept is None and "địa bàn Quận Bình Thạnh cũ thuộc các phường, xã sau" in told
    kept, told = rasa.validate("ward", "Hà Nội")
    assert kept is None and "Chưa nhận ra phường, xã «Hà Nội»" in told


def test_a_ticket_is_filed_from_the_form_and_only_its_business_can_see_its_status(services) -> None:
    rasa = RasaCalls(services)
    for slot, text in FORM_ANSWERS.items():
        assert rasa.validate(slot, text)[0] is not None
    responses, events = rasa.run(project.CREATE_TICKET_ACTION, "Phường Gia Định", intent="report_issue")
    assert "Đã tiếp nhận phản ánh PA-2026-" in said(responses) and "Thuế Thành phố Hồ Chí Minh" in said(responses)
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"} == dict.fromkeys(project.FORM_SLOTS)
    with services.database.session() as session:
        ticket = session.exec(select(Ticket)).one()
        assert (ticket.channel, ticket.topic, ticket.department) == ("rasa", "thue", "CUC_THUE")
        assert (ticket.company_name, ticket.tax_code, ticket.contact, ticket.ward) == (
            "Công ty TNHH Thương mại Minh An",
            "0312345673",
            "+84901234567",
            "Phường Gia Định",
        )
        code = ticket.code
    assert code in said(responses)

    responses, _ = rasa.run(project.STATUS_ACTION, f"tra cứu {code}", intent="check_ticket")
    assert f"Phản ánh {code}" in said(responses) and "Thuế Thành phố Hồ Chí Minh" in said(responses)
    stranger = RasaCalls(services, sender="rasa-user-2")
    responses, _ = stranger.run(project.STATUS_ACTION, f"tra cứu {code}", intent="check_ticket")
    assert said(responses) == f"Không tìm thấy phản ánh {code} trong các phản ánh quý doanh nghiệp đã gửi qua kênh này."


def test_without_a_code_the_status_action_offers_the_businesss_own_tickets(services) -> None:
    rasa = RasaCalls(services)
    responses, _ = rasa.run(project.STATUS_ACTION, "tôi muốn tra cứu phản ánh", intent="check_ticket")
    assert "Xin nhập mã phản ánh cần tra cứu" in said(responses)


@pytest.mark.parametrize(
    "payload, message", [("file", "/report_issue"), ("status", "/check_ticket"), ("doc:faq-thue-001", None)]
)
def test_every_button_comes_back_through_rasa_as_an_intent(payload: str, message: str | None) -> None:
    from bot.rasa.actions import rasa_payload

    sent = rasa_payload(payload)
    if message:
        assert sent == message
    else:
        assert sent.startswith("/button") and json.loads(sent.removeprefix("/button")) == {"payload": payload}
