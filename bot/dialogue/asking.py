"""Answering what a business asks, the way people really write: a full question, a keyword, a follow-up that
leans on the conversation, or several questions in one message.

- A keyword that does not single out an entry ("lãi suất", "thực phẩm") gets a menu of its topic's most
  relevant entries, with «Gửi phản ánh».
- The conversation keeps its subject (the topic, the question asked, the entry answered) for
  `CONTEXT_MINUTES`. An elliptical follow-up ("mất bao lâu?", "còn hộ kinh doanh thì sao?") is read with
  the subject's question before it and the subject's topic as the prior; a message that is clearly about
  something else is read alone, and becomes the new subject.
- A message with several questions is answered part by part when the parts lead to different entries; a part
  without a sure answer is named and offered choices. A part that leans on the one before ("…, cần giấy tờ
  gì") is read with it. A question about the plan is answered whole, from the section that answers it
  ("giám sát và đánh giá tiến độ" is one task, not two questions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from bot.dialogue import texts
from bot.dialogue.filing import local_day
from bot.dialogue.turn import Turn
from bot.messages import Button, Reply
from knowledge.answer import OUT_OF_SCOPE_REPLY, Answer, format_reply
from knowledge.catalog import Catalog
from knowledge.service import KnowledgeBase
from nlu.pipeline import ParseResult
from nlu.questions import detail_asked, is_keyword, leans_back, split_questions, words
from tickets.domain import payloads

CONTEXT_MINUTES = 30  # a subject older than this is forgotten
FOLLOW_UP_WORDS = 10  # a longer message is read alone
NEW_TOPIC_CONFIDENCE = 0.6  # a message this sure of another topic starts a new subject
MENU_ENTRIES = 4
BROAD_KEYWORD_WORDS = 2
CHOICES = 3


@dataclass(frozen=True)
class Subject:
    """What the conversation is about: the last question answered (or offered choices) and its topic."""

    question: str
    topic: str | None
    answer_id: str | None
    at: str  # ISO time

    @classmethod
    def current(cls, turn: Turn) -> Subject | None:
        stored = turn.context.get("subject")
        if not stored:
            return None
        subject = cls(**stored)
        if turn.now - datetime.fromisoformat(subject.at) > timedelta(minutes=CONTEXT_MINUTES):
            turn.context.pop("subject", None)
            return None
        return subject

    def remember(self, turn: Turn) -> None:
        turn.context["subject"] = asdict(self)


class Asking:
    def __init__(self, *, knowledge: KnowledgeBase, catalog: Catalog, parse: Callable[[str], ParseResult]) -> None:
        self.knowledge = knowledge
        self.catalog = catalog
        self.parse = parse

    def answer(self, turn: Turn, text: str, understood: ParseResult) -> list[Reply]:
        """The reply to a free-text question (or what the NLU could not place)."""
        parts = split_questions(text)
        if len(parts) > 1 and not self.knowledge.plan_question(text):  # the plan answers from one section
            several = self._several(turn, parts)
            if several:
                return several
        subject = Subject.current(turn)
        answer = self.knowledge.ask(text, understood)
        if subject and self._leans_on(subject, text, understood, answer):
            follow_up = self._follow_up(turn, subject, text)
            if follow_up:
                return follow_up
        if answer.decision != "out_of_scope" and is_keyword(text) and not self._singles_out(text, answer):
            topic = understood.topic or answer.topic
            if topic in self.catalog.topics:
                return self._menu(turn, text, topic)
        return self._reply(turn, text, answer)

    def chosen(self, turn: Turn, document_id: str) -> list[Reply]:
        """The entry the business chose among those offered."""
        answer = self.knowledge.answer_document(document_id)
        if answer is None:
            return [Reply(texts.UNKNOWN_BUTTON)]
        turn.intent, turn.topic = "ask", answer.topic
        return self._answered(turn, answer.citations[0].title, answer)  # the entry's question is the subject

    # ------------------------------------------------------------------ kinds of message

    @staticmethod
    def _singles_out(keyword: str, answer: Answer) -> bool:
        """Whether a keyword names one entry: a sure answer to a keyword of more than `BROAD_KEYWORD_WORDS`
        words ("hoàn thuế gtgt" does; "đất đai", "ngân hàng" name a field, not an entry)."""
        return answer.decision == "answer" and len(words(keyword)) > BROAD_KEYWORD_WORDS

    def _leans_on(self, subject: Subject, text: str, understood: ParseResult, alone: Answer) -> bool:
        """Whether a message reads as a follow-up of the subject rather than a question of its own."""
        if len(words(text)) > FOLLOW_UP_WORDS or is_keyword(text) and alone.decision != "out_of_scope":
            return False
        if subject.answer_id and detail_asked(text):  # "mất bao lâu?"
            return True
        if understood.intent == "out_of_scope":  # "mất bao lâu?" leans on the subject; chit-chat does not
            return leans_back(text) or self.knowledge.in_domain(text)
        if leans_back(text):
            return True
        elsewhere = understood.topic is not None and understood.topic != subject.topic
        if elsewhere and understood.confidence >= NEW_TOPIC_CONFIDENCE and alone.decision == "answer":
            return False
        return alone.decision != "answer" or understood.confidence < NEW_TOPIC_CONFIDENCE

    def _follow_up(self, turn: Turn, subject: Subject, text: str) -> list[Reply] | None:
        """The follow-up read with the subject's question, or None when that finds nothing either. A bare
        question about a detail of the entry just answered is answered from that entry's sentences."""
        detail = self.knowledge.detail(subject.answer_id, text) if subject.answer_id else None
        if detail is not None:
            turn.intent, turn.topic = "ask", detail.topic or subject.topic
            return self._answered(turn, subject.question, detail)
        answer = self.knowledge.ask_in_context(text, subject.question, subject.topic, subject.answer_id)
        if answer.decision not in ("answer", "choose"):
            return None
        turn.intent, turn.topic = "ask", answer.topic or subject.topic
        return self._reply(turn, text, answer, subject_question=subject.question)

    def _menu(self, turn: Turn, text: str, topic: str) -> list[Reply]:
        """A keyword's topic menu: the topic's entries that fit the keyword best."""
        hits = self.knowledge.search(text, 12, prior={topic: 1.0})
        entries = [h.document for h in hits if h.document.topic == topic][:MENU_ENTRIES]
        turn.intent, turn.topic = "ask", topic
        Subject(text, topic, None, turn.now.isoformat()).remember(turn)
        buttons = tuple(Button(shortened(d.title), payloads.make(payloads.DOCUMENT, d.id)) for d in entries)
        menu = texts.KEYWORD_MENU.format(topic=self.catalog.topics[topic].name)
        return [Reply(menu, (*buttons, texts.FILE_ISSUE))]

    def _several(self, turn: Turn, parts: list[str]) -> list[Reply] | None:
        """Each question answered on its own when two or more lead to different entries, or when one has a
        sure answer and another is on topic but unsure (that one is named, with choices); else None, and
        the message is read whole. Parts outside the assistant's scope ("cho mình hỏi") are left out."""
        answered: dict[str, tuple[str, Answer]] = {}  # entry id -> (the part, its answer)
        unsure: list[tuple[str, Answer]] = []
        for index, part in enumerate(parts):
            query = part
            if index and (detail_asked(part) or leans_back(part) and len(words(part)) <= FOLLOW_UP_WORDS):
                # "… ở đâu, cần giấy tờ gì": a detail of the question before
                query = f"{parts[index - 1]} {part}"
            understood = self.parse(query)
            answer = self.knowledge.ask(query, understood)
            if answer.decision == "answer" and answer.citations[0].id in answered and query == part:
                # "giải thể và quyết toán thuế khi giải thể": the subject shared by both parts leads the second
                # to the first's entry; the other entries that fit it are what it asks about
                other = self.knowledge.ask(query, understood, besides=frozenset(answered))
                answer = other if other.decision in ("answer", "choose") else answer
            if answer.decision == "answer":
                answered.setdefault(answer.citations[0].id, (part, answer))
            elif answer.decision != "out_of_scope":
                unsure.append((part, answer))
        if not answered or len(answered) == 1 and not unsure:
            return None
        replies = [
            Reply(texts.PART_ANSWER.format(part=shortened(part, 120)) + "\n\n" + self._text(turn, answer))
            for part, answer in answered.values()
        ]
        for part, answer in unsure:
            choices = tuple(
                Button(shortened(d.title), payloads.make(payloads.DOCUMENT, d.id)) for d in answer.choices[:CHOICES]
            )
            replies.append(Reply(texts.PART_UNANSWERED.format(part=shortened(part, 120)), (*choices, texts.FILE_ISSUE)))
        last_part, last = list(answered.values())[-1]
        turn.intent, turn.topic = "ask", last.topic
        turn.answer_id = turn.context["last_answer"] = last.citations[0].id
        turn.context["last_question"] = " ".join(parts)
        Subject(last_part, last.topic, last.citations[0].id, turn.now.isoformat()).remember(turn)
        if unsure:
            return replies
        return [*replies[:-1], Reply(replies[-1].text, (texts.HELPFUL, texts.NOT_RIGHT, texts.FILE_ISSUE))]

    # ------------------------------------------------------------------ replies

    def _reply(self, turn: Turn, text: str, answer: Answer, *, subject_question: str | None = None) -> list[Reply]:
        turn.topic = answer.topic or turn.topic
        if answer.decision == "out_of_scope":
            turn.intent = "out_of_scope"
            return [Reply(OUT_OF_SCOPE_REPLY)]
        turn.intent = "ask"
        question = f"{subject_question} {text}" if subject_question else text
        turn.context["last_question"] = question
        if answer.decision == "answer":
            return self._answered(turn, question, answer)
        Subject(subject_question or text, answer.topic, None, turn.now.isoformat()).remember(turn)
        if answer.decision == "choose":
            choices = tuple(
                Button(shortened(d.title), payloads.make(payloads.DOCUMENT, d.id)) for d in answer.choices[:CHOICES]
            )
            return [Reply(texts.CHOOSE, (*choices, texts.FILE_ISSUE))]
        return [Reply(texts.NO_ANSWER, (texts.FILE_ISSUE,))]

    def _answered(self, turn: Turn, question: str, answer: Answer) -> list[Reply]:
        turn.answer_id = turn.context["last_answer"] = answer.citations[0].id
        Subject(question, answer.topic, answer.citations[0].id, turn.now.isoformat()).remember(turn)
        return [Reply(self._text(turn, answer), (texts.HELPFUL, texts.NOT_RIGHT, texts.FILE_ISSUE))]

    def _text(self, turn: Turn, answer: Answer) -> str:
        return format_reply(answer, self.catalog, today=local_day(turn.now))


def shortened(text: str, limit: int = 60) -> str:
    """The text cut to `limit` characters with an ellipsis (button titles, quoted parts)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
