"""The custom actions of the exported Rasa project, served with rasa-sdk by `donghanh rasa-actions`.

Each action calls the same dialogue engine, knowledge base, slot checks and ticket services as our own
channels (`DialogueEngine.outside_answer` / `outside_status` / `outside_ticket`); the business is the
conversation ("rasa", Rasa's sender id), so its tickets, transcript and statistics are those of any channel.

Our replies' buttons become Rasa messages: "Gửi phản ánh" starts Rasa's ticket form (`/report_issue`),
"Tra cứu phản ánh" asks for a status (`/check_ticket`), "Hủy" is `/huy`; feedback, a chosen document and a
ticket to show come back as `/button{"payload": …}` to the answer action. Buttons that start a flow of
several messages in our engine (a message into a ticket, a rating) are not offered under Rasa.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from bot.bootstrap import Services
from bot.dialogue import slots, texts
from bot.dialogue.engine import DialogueEngine
from bot.messages import IncomingMessage, Reply
from bot.rasa import project
from bot.rasa.channel import CHANNEL
from tickets.domain import payloads

log = logging.getLogger(__name__)

RASA_INTENT_OF_PAYLOAD = {
    payloads.FILE: "/report_issue",
    payloads.STATUS: "/check_ticket",
    payloads.CANCEL: f"/{project.CANCEL_INTENT}",
}
# Buttons the answer action can take back in one step; those that open a flow of several messages in our
# own engine (a message into a ticket, a rating, a reopening) are left out under Rasa, which owns the flow.
ONE_STEP_KINDS = {payloads.FEEDBACK, payloads.DOCUMENT, payloads.SHOW}
SLOT_CHECKS = {
    "description": slots.description,
    "company_name": slots.company_name,
    "tax_code": slots.tax_code,
    "contact": slots.contact,
    "ward": slots.ward_name,
}


def rasa_payload(payload: str) -> str:
    """The message a button of ours sends back through Rasa."""
    return RASA_INTENT_OF_PAYLOAD.get(payload) or f"/{project.BUTTON_INTENT}" + json.dumps(
        {project.PAYLOAD_ENTITY: payload}, ensure_ascii=False
    )


def utter(dispatcher: CollectingDispatcher, replies: list[Reply]) -> None:
    for reply in replies:
        buttons = [
            {"title": button.title, "payload": rasa_payload(button.payload)}
            for button in reply.buttons
            if button.payload in RASA_INTENT_OF_PAYLOAD or payloads.split(button.payload)[0] in ONE_STEP_KINDS
        ]
        dispatcher.utter_message(text=reply.text, buttons=buttons)


def incoming(tracker: Tracker, *, text: str | None = None, payload: str | None = None) -> IncomingMessage:
    return IncomingMessage(channel=CHANNEL.code, user_key=str(tracker.sender_id)[:128], text=text, payload=payload)


def _button_payload(tracker: Tracker) -> str | None:
    if (tracker.latest_message.get("intent") or {}).get("name") != project.BUTTON_INTENT:
        return None
    return next(tracker.get_latest_entity_values(project.PAYLOAD_ENTITY), None)


class _EngineAction(Action):
    """An action answered by our dialogue engine."""

    def __init__(self, engine: DialogueEngine) -> None:
        self.engine = engine


class AnswerFromKnowledge(_EngineAction):
    """A question answered by our hybrid retrieval with its sources, or the choices, the offer to file an
    issue or the polite refusal; also the buttons of such an answer."""

    def name(self) -> str:
        return project.ANSWER_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        payload = _button_payload(tracker)
        message = (
            incoming(tracker, payload=payload)
            if payload
            else incoming(tracker, text=tracker.latest_message.get("text") or "")
        )
        utter(dispatcher, await asyncio.to_thread(self.engine.outside_answer, message))
        return []


class TicketStatus(_EngineAction):
    """The state, department, deadline and last reply of the business's own ticket."""

    def name(self) -> str:
        return project.STATUS_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        code = tracker.get_slot("ticket_code") or tracker.latest_message.get("text") or ""
        utter(dispatcher, await asyncio.to_thread(self.engine.outside_status, incoming(tracker, text=code)))
        return [SlotSet("ticket_code", None)]


class CreateTicket(_EngineAction):
    """The ticket filed from the completed form: its code, department and deadline; the form is emptied."""

    def name(self) -> str:
        return project.CREATE_TICKET_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        form = {name: tracker.get_slot(name) for name in project.FORM_SLOTS}
        cleared = [SlotSet(name, None) for name in project.FORM_SLOTS]
        missing = [name for name, value in form.items() if not value]
        if missing:  # a story or a rule reached this action without the form: ask for the issue again
            log.warning("rasa: create-ticket action without %s", ", ".join(missing))
            dispatcher.utter_message(text=texts.ASK_DESCRIPTION)
            return cleared
        message = incoming(tracker, text=str(form["description"]))
        utter(dispatcher, await asyncio.to_thread(self.engine.outside_ticket, message, form))
        return cleared


class ValidateTicketForm(FormValidationAction):
    """Each answer of the form checked as our own dialogue checks it; a wrong one is asked again with an example."""

    def name(self) -> str:
        return project.VALIDATE_FORM_ACTION

    def _check(self, slot: str, value: Any, dispatcher: CollectingDispatcher, error: str) -> dict[str, Any]:
        clean = SLOT_CHECKS[slot](str(value)) if isinstance(value, str) else None
        if clean is None:
            dispatcher.utter_message(text=error)
        return {slot: clean}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self._check("description", value, dispatcher, texts.DESCRIPTION_TOO_SHORT)

    def validate_company_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self._check("company_name", value, dispatcher, texts.COMPANY_INVALID)

    def validate_tax_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        written = tracker.latest_message.get("text") or str(value)
        return self._check("tax_code", value, dispatcher, texts.TAX_CODE_INVALID.format(value=written.strip()[:30]))

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return self._check("contact", value, dispatcher, texts.CONTACT_INVALID)

    def validate_ward(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        """A current unit; a former district or a near spelling is asked again with the units to choose."""
        written = tracker.latest_message.get("text") or str(value)
        answer = slots.ward(str(value)) if isinstance(value, str) else None
        if answer is not None and answer.ward:
            return {"ward": answer.ward}
        if answer is not None:
            question = (
                texts.WARD_OF_FORMER_DISTRICT.format(former=answer.former) if answer.former else texts.WARD_CHOICES
            )
            dispatcher.utter_message(
                text=question, buttons=[{"title": name, "payload": name} for name in answer.choices]
            )
        else:
            dispatcher.utter_message(text=texts.WARD_INVALID.format(value=written.strip()[:40]))
        return {"ward": None}


def executor(services: Services) -> ActionExecutor:
    """rasa-sdk's executor with our four actions, bound to `services`."""
    found = ActionExecutor()
    engine = services.engine
    for action in (AnswerFromKnowledge(engine), TicketStatus(engine), CreateTicket(engine), ValidateTicketForm()):
        found.register_action(action)
    return found


def serve(services: Services, *, host: str, port: int) -> None:
    """Serve the actions over rasa-sdk's HTTP endpoint (`POST /webhook`, `GET /health`, `GET /actions`)."""
    from rasa_sdk.endpoint import create_app

    app = create_app(executor(services))
    app.run(host=host, port=port, single_process=True, access_log=False, motd=False)
