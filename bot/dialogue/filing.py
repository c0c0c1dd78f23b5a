"""Filing an issue: description, topic when unclear, company, tax code, contact, ward, summary, ticket.

Each step checks its answer (`slots`) and asks again with an example when it does not fit; nothing
invalid is stored. The form lives in the conversation's context until the ticket is filed. The place is the
current commune-level unit: a business that names its former district is offered the units that took over
that district; a misspelt name is offered the closest names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from bot.dialogue import slots, states, texts
from bot.dialogue.store import IssueForm
from bot.dialogue.turn import Handler, Turn
from bot.messages import Button, Reply
from knowledge.catalog import Catalog
from nlu.pipeline import ParseResult
from nlu.places import unit_by_code, unit_named
from tickets.calendar.sla import LOCAL_TZ
from tickets.domain import payloads
from tickets.domain.rules import Deadlines

DESCRIPTION_FROM_TRIGGER_WORDS = 8  # "tôi muốn phản ánh" starts a form; a longer message is the description


class Filing:
    def __init__(
        self,
        *,
        catalog: Catalog,
        deadlines: Deadlines,
        parse: Callable[[str], ParseResult],
        identifies_user: Callable[[str], bool],
    ) -> None:
        self.catalog = catalog
        self.identifies_user = identifies_user  # the chat itself reaches the business: contact is optional
        self.deadlines = deadlines
        self.parse = parse
        # The form's routing tables, by state: what a typed answer and what a button does.
        self.typed_answers: dict[str, Handler] = {
            states.FILING_DESCRIPTION: self._description,
            states.FILING_TOPIC: self._topic_text,
            states.FILING_COMPANY: self._company,
            states.FILING_TAX_CODE: self._tax_code,
            states.FILING_CONTACT: self._contact,
            states.FILING_WARD: self._ward,
            states.FILING_DISTRICT_BEFORE_WARDS: self._ward,
            states.FILING_CONFIRM: self._confirm_text,
        }
        self.buttons: dict[str, dict[str, Handler]] = {
            states.FILING_DESCRIPTION: {payloads.KEEP: self._keep_description},
            states.FILING_TOPIC: {payloads.TOPIC: self._chosen_topic},
            states.FILING_COMPANY: {payloads.REUSE: self._reuse_business},
            states.FILING_CONTACT: {payloads.SKIP: self._skip_contact},
            states.FILING_WARD: {payloads.WARD: self._chosen_ward},
            states.FILING_DISTRICT_BEFORE_WARDS: {payloads.WARD: self._chosen_ward},
            states.FILING_CONFIRM: {payloads.EDIT: self._edit, payloads.CONFIRM: self._confirm},
        }

    def start(self, turn: Turn, trigger: str = "") -> list[Reply]:
        """The form, from a command's argument, a button or a message saying the business wants to file; a
        trigger long enough to describe the problem, or else the last question asked, is offered as the
        description."""
        turn.reset(states.FILING_DESCRIPTION)
        candidate = trigger if len(trigger.split()) >= DESCRIPTION_FROM_TRIGGER_WORDS else None
        candidate = candidate or turn.context.get("last_question")
        if candidate:
            turn.form["description"] = slots.description(candidate) or candidate
            return self._confirm_description(turn)
        return [Reply(texts.ASK_DESCRIPTION, (texts.CANCEL,))]

    # ------------------------------------------------------------------ buttons

    def _keep_description(self, turn: Turn, _argument: str) -> list[Reply] | None:
        return self._after_description(turn) if turn.form.get("description") else None

    def _chosen_topic(self, turn: Turn, topic: str) -> list[Reply] | None:
        if topic not in self.catalog.topics:
            return None
        self._set_topic(turn, topic)
        return self._ask_company(turn)

    def _reuse_business(self, turn: Turn, _argument: str) -> list[Reply] | None:
        if not turn.context.get("business"):
            return None
        turn.form.update(turn.context["business"])
        if not turn.form.get("ward"):  # kept from before wards replaced districts
            turn.move(states.FILING_WARD)
            return [Reply(texts.ASK_WARD)]
        return self._summary(turn)

    def _skip_contact(self, turn: Turn, _argument: str) -> list[Reply] | None:
        if not self.identifies_user(turn.message.channel):
            return None
        turn.form["contact"] = None
        turn.move(states.FILING_WARD)
        return [Reply(texts.ASK_WARD)]

    def _chosen_ward(self, turn: Turn, code: str) -> list[Reply]:
        unit = unit_by_code(int(code)) if code.isdigit() else None
        return self._set_ward(turn, unit.name) if unit else [Reply(texts.ASK_WARD)]

    def _edit(self, turn: Turn, _argument: str) -> list[Reply]:
        turn.context["editing"] = True
        turn.move(states.FILING_DESCRIPTION)
        return self._confirm_description(turn)

    def _confirm(self, turn: Turn, _argument: str) -> list[Reply]:
        return self._file(turn)

    def _confirm_description(self, turn: Turn) -> list[Reply]:
        description = texts.CONFIRM_DESCRIPTION.format(description=turn.form["description"])
        return [Reply(description, (texts.KEEP, texts.CANCEL))]

    # ------------------------------------------------------------------ steps

    def _description(self, turn: Turn, text: str) -> list[Reply]:
        description = slots.description(text)
        if description is None:
            return [Reply(texts.DESCRIPTION_TOO_SHORT, (texts.CANCEL,))]
        turn.form["description"] = description
        return self._after_description(turn)

    def _after_description(self, turn: Turn) -> list[Reply]:
        understood = self.parse(turn.form["description"])
        if understood.topic:
            self._set_topic(turn, understood.topic)
            return self._ask_company(turn)
        turn.form.pop("topic", None)
        candidates = [code for code, _ in understood.topic_candidates if code in self.catalog.topics][:3]
        turn.move(states.FILING_TOPIC)
        buttons = tuple(
            Button(self.catalog.topics[code].name, payloads.make(payloads.TOPIC, code)) for code in candidates
        )
        return [Reply(texts.ASK_TOPIC, (*buttons, texts.CANCEL))]

    def _set_topic(self, turn: Turn, topic: str) -> None:
        turn.form["topic"] = topic
        turn.form["department"] = self.catalog.route(topic, turn.form.get("description", ""))
        turn.topic = topic

    def _topic_text(self, turn: Turn, text: str) -> list[Reply]:
        understood = self.parse(text)
        if understood.topic:
            self._set_topic(turn, understood.topic)
            return self._ask_company(turn)
        return [
            Reply(
                texts.ASK_TOPIC,
                tuple(Button(t.name, payloads.make(payloads.TOPIC, code)) for code, t in self.catalog.topics.items()),
            )
        ]

    def _ask_company(self, turn: Turn) -> list[Reply]:
        if turn.context.pop("editing", False) and "ward" in turn.form:
            return self._summary(turn)
        turn.move(states.FILING_COMPANY)
        known = turn.context.get("business")
        if known:
            reuse = Button(_short(f"Dùng lại: {known['company_name']}"), payloads.REUSE)
            return [Reply(texts.ASK_COMPANY, (reuse, texts.CANCEL))]
        return [Reply(texts.ASK_COMPANY, (texts.CANCEL,))]

    def _company(self, turn: Turn, text: str) -> list[Reply]:
        name = slots.company_name(text)
        if name is None:
            return [Reply(texts.COMPANY_INVALID, (texts.CANCEL,))]
        turn.form["company_name"] = name
        turn.move(states.FILING_TAX_CODE)
        return [Reply(texts.ASK_TAX_CODE, (texts.CANCEL,))]

    def _tax_code(self, turn: Turn, text: str) -> list[Reply]:
        code = slots.tax_code(text)
        if code is None:
            return [Reply(texts.TAX_CODE_INVALID.format(value=_short(text.strip(), 30)), (texts.CANCEL,))]
        turn.form["tax_code"] = code
        turn.move(states.FILING_CONTACT)
        if self.identifies_user(turn.message.channel):
            return [Reply(texts.ASK_CONTACT_OPTIONAL, (texts.SKIP, texts.CANCEL))]
        return [Reply(texts.ASK_CONTACT, (texts.CANCEL,))]

    def _contact(self, turn: Turn, text: str) -> list[Reply]:
        value = slots.contact(text)
        if value is None:
            skip = (texts.SKIP,) if self.identifies_user(turn.message.channel) else ()
            return [Reply(texts.CONTACT_INVALID, (*skip, texts.CANCEL))]
        turn.form["contact"] = value
        turn.move(states.FILING_WARD)
        return [Reply(texts.ASK_WARD)]

    def _ward(self, turn: Turn, text: str) -> list[Reply]:
        answer = slots.ward(text)
        if answer is None:
            return [Reply(texts.WARD_INVALID.format(value=_short(text.strip(), 40)))]
        if answer.ward:
            return self._set_ward(turn, answer.ward)
        question = texts.WARD_OF_FORMER_DISTRICT.format(former=answer.former) if answer.former else texts.WARD_CHOICES
        buttons = tuple(
            Button(name, payloads.make(payloads.WARD, unit.code))
            for name in answer.choices
            if (unit := unit_named(name))
        )
        return [Reply(question, (*buttons, texts.CANCEL))]

    def _set_ward(self, turn: Turn, name: str) -> list[Reply]:
        turn.form["ward"] = name
        turn.form.pop("district", None)
        return self._summary(turn)

    def _summary(self, turn: Turn) -> list[Reply]:
        form = turn.form
        turn.move(states.FILING_CONFIRM)
        summary = texts.SUMMARY.format(
            description=form["description"],
            topic=self.catalog.topics[form["topic"]].name,
            department=self.catalog.departments[form["department"]].name,
            company=form["company_name"],
            tax_code=form["tax_code"],
            contact=form.get("contact") or texts.NO_CONTACT,
            ward=form["ward"],
        )
        return [Reply(summary, (texts.CONFIRM, texts.EDIT, texts.CANCEL))]

    def _confirm_text(self, turn: Turn, text: str) -> list[Reply]:
        if self.parse(text).intent == "affirm":
            return self._file(turn)
        return [Reply(texts.SUMMARY_HINT, (texts.CONFIRM, texts.EDIT, texts.CANCEL))]

    def file_gathered(self, turn: Turn) -> list[Reply]:
        """File the form another dialogue manager gathered (`turn.form`: description, company name, tax
        code, contact, ward). The topic is the NLU's for the description, else its likeliest; a
        description the NLU cannot place at all goes to Sở Nội vụ, which monitors the plan (IV.2)."""
        understood = self.parse(turn.form["description"])
        candidates = [code for code, _ in understood.topic_candidates if code in self.catalog.topics]
        topic = understood.topic or (candidates[0] if candidates else None)
        if topic is None:
            topic = next(code for code, t in self.catalog.topics.items() if t.department == self.catalog.plan_monitor)
        self._set_topic(turn, topic)
        return self._file(turn)

    def _file(self, turn: Turn) -> list[Reply]:
        form = turn.form
        issue = IssueForm(
            topic=form["topic"],
            department=form["department"],
            description=form["description"],
            company_name=form["company_name"],
            tax_code=form["tax_code"],
            contact=form.get("contact"),
            ward=form.get("ward"),
        )
        ticket = turn.store.open_ticket(turn.conversation, issue, now=turn.now, deadlines=self.deadlines)
        turn.ticket_id = ticket.id
        turn.topic = ticket.topic
        turn.context["business"] = {key: form.get(key) for key in ("company_name", "tax_code", "contact", "ward")}
        turn.context.pop("last_question", None)
        turn.reset(states.IDLE)
        filed = texts.FILED.format(
            code=ticket.code,
            department=self.catalog.departments[ticket.department].name,
            due=format_day(ticket.due_at),
            days=self.deadlines.resolve_days_for(ticket.topic),
        )
        return [Reply(filed, (texts.CHECK_TICKET,))]


def local_day(moment: datetime) -> date:
    """The day an aware moment falls on in Vietnam."""
    return moment.astimezone(LOCAL_TZ).date()


def format_day(moment) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y")


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
