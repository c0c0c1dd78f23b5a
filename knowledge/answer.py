"""From retrieval hits to an answer: the text, "Nguồn: …", "Đơn vị phụ trách: …", and a reference note.

The confidence is a calibrated probability that the best hit is the right one, from its fused score and
its lead over the second; thresholds on it decide between answering, offering up to three choices, and
offering to file an issue.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from knowledge.catalog import Catalog
from knowledge.legal import Register
from knowledge.loader import PLAN_DOCUMENT, SourceRef
from knowledge.retriever import Document, Hit
from nlu.normalize import strip_diacritics

TELEGRAM_LIMIT = 4096


@dataclass(frozen=True)
class Calibration:
    """Logistic model of P(best hit is right) = σ(bias + score·s + margin·(s − s₂))."""

    bias: float
    score: float
    margin: float


# Fitted on the FAQ dev split and held-out off-topic messages (`bench/retrieval.py --tune`).
CALIBRATION = Calibration(bias=-2.353, score=4.564, margin=14.892)
# Answer when the best hit is right with probability >= ANSWER_FROM (on the dev split: 68 % of questions
# answered as written and 58 % without diacritics, 91-93 % of them rightly); offer up to three choices from CHOOSE_FROM
# (the right entry is among the first five for 96 %); below, offer to file an issue.
ANSWER_FROM = 0.7
CHOOSE_FROM = 0.3


def answer_probability(score: float, margin: float, calibration: Calibration = CALIBRATION) -> float:
    z = calibration.bias + calibration.score * score + calibration.margin * margin
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


PLAN_CITATION = "Kế hoạch tổ chức thực hiện chủ đề năm 2022 của UBND Thành phố"
# A plan section leading the next section by this much fused score is answered directly: on the project's
# plan questions (data/plan/questions.yaml) every such lead pointed at the right section.
PLAN_MARGIN = 0.03
QUOTE_CHARS = 800  # a plan section is quoted in at most this many characters
OUT_OF_SCOPE_REPLY = (
    "Xin lỗi, câu hỏi này nằm ngoài phạm vi hỗ trợ. Đồng hành giải đáp thủ tục và tiếp nhận phản ánh của doanh "
    "nghiệp về thuế, hải quan, tín dụng, đầu tư, đăng ký kinh doanh, đất đai, xây dựng, quy hoạch, chuyển đổi số, "
    "cải cách hành chính, tư pháp, y tế và khiếu nại, tố cáo."
)
PAST_REVIEW_NOTE = (
    "Lưu ý: nội dung này đã quá hạn rà soát định kỳ ({day:%d/%m/%Y}); quy định có thể đã thay đổi, xin đối chiếu với "
    "{department} trước khi áp dụng."
)
REFERENCE_NOTE = (
    "Thông tin chỉ mang tính tham khảo; kết quả giải quyết hồ sơ cụ thể do cơ quan có thẩm quyền quyết định."
)


@dataclass(frozen=True)
class Citation:
    source: str  # "plan-2022" | "faq"
    id: str
    title: str

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "id": self.id, "title": self.title}


@dataclass(frozen=True)
class Answer:
    """What the assistant says, and why (the `donghanh ask --json` object of docs/interfaces.md)."""

    decision: str  # "answer" | "choose" | "ticket" | "out_of_scope"
    answer: str | None
    topic: str | None
    department: str | None
    confidence: float
    citations: tuple[Citation, ...]
    choices: tuple[Document, ...] = ()
    sources: tuple[str, ...] = ()  # the legal sources or plan reference, as the user reads them
    review_by: date | None = None  # when the FAQ entry's facts are due to be checked again

    def as_dict(self) -> dict[str, object]:
        return {
            "answer": self.answer,
            "topic": self.topic,
            "department": self.department,
            "confidence": round(self.confidence, 4),
            "citations": [c.as_dict() for c in self.citations],
        }


def cite(source: SourceRef, register: Register) -> str:
    """A source as the business reads it: "Luật Quản lý thuế số 108/2025/QH15, Điều 44"."""
    document = register.documents.get(source.doc)
    name = document.citation if document else source.doc
    return f"{name}, {source.part}" if source.part else name


def quote(text: str, question: str, limit: int) -> str:
    """The sentences of `text` around the one sharing the most (rarer) syllables with the question, within
    `limit` characters, with "…" where the text goes on."""
    spans = [m.span() for m in re.finditer(r"[^\n]+?(?:[.!?;](?=\s)|$)", text, re.MULTILINE) if m.group().strip()]
    if not spans:
        return _excerpt(text, limit)
    asked = set(_syllables(question))
    counts = Counter(syllable for start, end in spans for syllable in set(_syllables(text[start:end])))

    def weight(span: tuple[int, int]) -> float:
        found = asked & set(_syllables(text[span[0] : span[1]]))
        return sum(1 / counts[syllable] for syllable in found)

    best = max(range(len(spans)), key=lambda i: (weight(spans[i]), -i))
    first = last = best
    while True:
        grown = False
        for candidate in (last + 1, first - 1):  # the sentence after first: it usually carries the detail
            if 0 <= candidate < len(spans):
                low, high = min(first, candidate), max(last, candidate)
                if spans[high][1] - spans[low][0] <= limit:
                    first, last, grown = low, high, True
        if not grown:
            break
    start, end = spans[first][0], spans[last][1]
    body = text[start:end].strip()
    if len(body) > limit:
        body = _excerpt(body, limit).removesuffix(" …")
    return ("… " if start > 0 else "") + body + (" …" if end < len(text.rstrip()) else "")


def _syllables(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", strip_diacritics(text).lower())


def _excerpt(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("\n"))
    return (cut[: end + 1] if end > limit // 2 else cut).rstrip() + " …"


def compose(
    hits: Sequence[Hit], catalog: Catalog, *, topic_hint: str | None = None, question: str | None = None
) -> Answer:
    """Decide between answer / choose / ticket from ranked hits (for `question`, which a long text is quoted
    around)."""
    if not hits:
        return Answer("ticket", None, topic_hint, _department(topic_hint, None, catalog), 0.0, ())
    best = hits[0]
    document = best.document
    department = _department(document.topic or topic_hint, document.department, catalog)
    topic = document.topic or _topic_of(department, topic_hint, catalog)
    confidence = answer_probability(best.score, best.score - (hits[1].score if len(hits) > 1 else 0.0))
    if confidence >= ANSWER_FROM or _clear_plan_section(hits):
        return answer_from(document, catalog, confidence=confidence, topic_hint=topic_hint, question=question)
    if confidence >= CHOOSE_FROM:
        return Answer("choose", None, topic, department, confidence, (), tuple(h.document for h in hits[:3]))
    return Answer("ticket", None, topic_hint, _department(topic_hint, None, catalog), confidence, ())


def _clear_plan_section(hits: Sequence[Hit]) -> bool:
    """The best hit is a plan section well ahead of the next section: the plan's sections share much
    wording, so a section that leads them clearly is the one asked about even when FAQ entries come close."""
    if hits[0].document.source != PLAN_DOCUMENT:
        return False
    sections = [h.score for h in hits if h.document.source == PLAN_DOCUMENT]
    return len(sections) == 1 or sections[0] - sections[1] >= PLAN_MARGIN


def answer_from(
    document: Document,
    catalog: Catalog,
    *,
    confidence: float,
    topic_hint: str | None = None,
    question: str | None = None,
) -> Answer:
    """The answer drawn from one document (the best hit, or the one the user chose). An FAQ answer is given
    whole; a longer text is quoted around the sentence that best matches the question (its opening without
    one)."""
    department = _department(document.topic or topic_hint, document.department, catalog)
    topic = document.topic or _topic_of(department, topic_hint, catalog)
    if document.source == "faq":
        text = document.text
    elif question:
        text = quote(document.text, question, QUOTE_CHARS)
    else:
        text = _excerpt(document.text, QUOTE_CHARS)
    citations = (Citation(document.source, document.id, document.title), *_plan_citations(document))
    return Answer(
        "answer",
        text,
        topic,
        department,
        confidence,
        citations,
        sources=document.citations,
        review_by=document.review_by,
    )


def _plan_citations(document: Document) -> tuple[Citation, ...]:
    """The plan sections an FAQ entry cites among its sources."""
    if document.source != "faq":
        return ()
    return tuple(
        Citation(PLAN_DOCUMENT, section, f"{PLAN_CITATION}, mục {section}") for section in document.plan_sections
    )


def _topic_of(department: str | None, hint: str | None, catalog: Catalog) -> str | None:
    """A plan section's topic: the one its department handles (the NLU's guess when it handles several)."""
    handled = [code for code, topic in catalog.topics.items() if topic.department == department]
    return hint if hint in handled else (handled[0] if handled else None)


def _department(topic: str | None, explicit: str | None, catalog: Catalog) -> str | None:
    if explicit:
        return explicit
    return catalog.topics[topic].department if topic in catalog.topics else None


def format_reply(answer: Answer, catalog: Catalog, *, today: date | None = None) -> str:
    """The answer as the user reads it, within Telegram's 4096 characters; on `today`, an entry past its review
    date says so."""
    if answer.answer is None:
        raise ValueError("only an answer can be formatted as a reply")
    sources = "; ".join(answer.sources)
    department = catalog.departments[answer.department].name if answer.department in catalog.departments else None
    footer = [f"Nguồn: {sources}"]
    if department:
        footer.append(f"Đơn vị phụ trách: {department}")
    if today is not None and answer.review_by is not None and answer.review_by < today:
        footer.append(PAST_REVIEW_NOTE.format(day=answer.review_by, department=department or "cơ quan có thẩm quyền"))
    footer.append(REFERENCE_NOTE)
    tail = "\n\n" + "\n".join(footer)
    body = _excerpt(answer.answer, TELEGRAM_LIMIT - len(tail) - 2)
    return body + tail
