"""Where the assistant's knowledge comes from: each source is one class that gives retrieval documents.

`default_sources` lists the product's sources: the FAQ (the files, the drafts published in the console and
the admins' reviews and edits) and the plan's sections. The knowledge base (`knowledge.service`) indexes the
documents of every source; `build_index` encodes only what changed. A new source is one class with a
`documents()` method, added to `default_sources`. Its documents are then retrieved like any other, answered
by an excerpt of their text and cited by their `citations`; only FAQ entries are answered whole and teach
the entry classifier their ways of asking.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from knowledge.answer import PLAN_CITATION, cite
from knowledge.catalog import Catalog
from knowledge.legal import Register
from knowledge.loader import CLOSING_ID, FAQ_DIR, PREAMBLE_ID, FaqEntry, Plan, faq_entries, load_faq
from knowledge.retriever import Document
from knowledge.revisions import apply_revisions

log = logging.getLogger(__name__)

PASSAGE_WORDS = 80
# Chosen on the FAQ dev split (R@1 as written / without diacritics: 40 words 0.794 / 0.772, 60 words 0.783 / 0.772,
# 120 words 0.789 / 0.757, the whole answer 0.787 / 0.748).
ANSWER_PASSAGE_WORDS = 40
SENTENCE_KEY_WORDS = 8  # a shorter sentence is indexed only within its passage
PLAN_DAY = date(2022, 6, 1)  # the departments' names as the plan gives them
# How the plan's unnumbered parts are named to the reader (numbered sections are "mục III.2.1").
_UNNUMBERED = {PREAMBLE_ID: "phần mở đầu (căn cứ ban hành)", CLOSING_ID: "phần kết (nơi nhận, người ký)"}
# The formulas that open the plan ("… xây dựng Kế hoạch … như sau:") and close it ("Trên đây là Kế hoạch…")
# would match any question about the plan, so they are no keys. The closing of an administrative document
# has the recipients after "Nơi nhận:", then the signature block, which opens with the capacity the signer
# signs in ("TM.", "KT.", "Q.").
_FORMULA = re.compile(r"^Trên đây là\b|\bnhư sau:?$")
_RECIPIENTS = re.compile(r"^Nơi nhận\s*:?\s*$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^(TM|KT|Q|TL|TUQ)\.\s")


class KnowledgeSource(Protocol):
    def documents(self) -> list[Document]:
        """The source's documents as they stand now (read again at every rebuild of the index)."""
        ...


def current_entries(
    catalog: Catalog,
    register: Register,
    faq_dir: Path = FAQ_DIR,
    *,
    published: Sequence[dict] = (),
    revisions: Sequence[Mapping[str, Any]] = (),
) -> list[FaqEntry]:
    """The FAQ as the assistant answers from it: the files' entries and the drafts published in the console
    (raw FAQ mappings), with the admins' reviews and edits applied. A published draft that no longer passes
    the checks (it cites a document removed from the register) is left out with a warning."""
    topics = {code: topic.department for code, topic in catalog.topics.items()}
    departments = set(catalog.departments)
    entries = load_faq(faq_dir, topics=topics, register=register, departments=departments)
    known = {entry.id for entry in entries}
    for raw in published:
        try:
            entries += [
                e
                for e in faq_entries(
                    [raw], origin="faq_drafts", topics=topics, register=register, departments=departments
                )
                if e.id not in known
            ]
        except ValueError as error:
            log.warning("published FAQ draft %s left out: %s", raw.get("id"), error)
    return apply_revisions(entries, revisions, register)


@dataclass(frozen=True)
class FaqSource:
    """The FAQ: the entries of `faq_dir`, the drafts published in the console and the admins' reviews and edits
    (`published` and `revisions` read them from the database when the index is rebuilt)."""

    catalog: Catalog
    register: Register
    faq_dir: Path = FAQ_DIR
    published: Callable[[], Sequence[dict]] = tuple
    revisions: Callable[[], Sequence[Mapping[str, Any]]] = tuple

    def documents(self) -> list[Document]:
        entries = current_entries(
            self.catalog, self.register, self.faq_dir, published=self.published(), revisions=self.revisions()
        )
        return [faq_document(entry, self.register) for entry in entries]


@dataclass(frozen=True)
class PlanSource:
    """The plan's numbered sections, each cited by its id."""

    plan: Plan
    catalog: Catalog

    def documents(self) -> list[Document]:
        return plan_documents(self.plan, self.catalog)


def faq_document(entry: FaqEntry, register: Register) -> Document:
    """An FAQ entry as a retrieval document: its question and paraphrases, then its answer cut into passages
    (an answer that states deadlines, forms and portals runs to 1,500 characters; each passage is a key)."""
    asked = (entry.question, *entry.paraphrases)
    return Document(
        id=entry.id,
        source="faq",
        title=entry.question,
        text=entry.answer,
        topic=entry.topic,
        department=entry.department,
        keys=(*asked, *passages(entry.answer, ANSWER_PASSAGE_WORDS)),
        asked=len(asked),
        citations=tuple(cite(source, register) for source in entry.sources),
        plan_sections=tuple(entry.plan_sections()),
        review_by=entry.review_by,
    )


def plan_documents(plan: Plan, catalog: Catalog) -> list[Document]:
    """One document per plan section with text. A department's own section (III.2.2.x) names it; any other
    section falls to the department that monitors the whole plan (plan IV.2).

    Keys: the section's passages, each of its sentences (a question about the plan usually asks for one
    sentence: a task, a deadline, a figure), and for a department's own section what it is assigned, under
    each of the department's names (the plan's, today's, the short one)."""
    section_department = {d.plan_section: d.code for d in catalog.departments.values() if d.plan_section}
    documents = []
    for section in plan.sections:
        if not section.text.strip():
            continue
        title = _UNNUMBERED[section.id].capitalize() if section.id in _UNNUMBERED else f"{section.id}. {section.title}"
        documents.append(
            Document(
                id=section.id,
                source="plan-2022",
                title=title,
                text=section.text,
                topic=None,
                department=section_department.get(section.id, catalog.plan_monitor),
                keys=(
                    *_section_keys(section.title, section.text),
                    *(_part_keys(section.id, section.text) if section.id in _UNNUMBERED else ()),
                    *(() if section.id in _UNNUMBERED else _sentence_keys(section.title, section.text)),
                    *_assignment_keys(catalog, section_department.get(section.id)),
                ),
                citations=(f"{PLAN_CITATION}, {_UNNUMBERED.get(section.id, f'mục {section.id}')}",),
            )
        )
    return documents


def _section_keys(title: str, text: str) -> tuple[str, ...]:
    """A section's passages, each led by the section title unless the title is the text's own opening."""
    lead = "" if text.startswith(title.rstrip(" .…")) else f"{title}. "
    return tuple(lead + passage for passage in passages(text))


def _sentence_keys(title: str, text: str) -> tuple[str, ...]:
    """Each sentence of a section long enough to stand alone, led by the section's title (a passage that
    is one sentence already is a key)."""
    found = [s.strip() for s in sentences(text) if len(s.split()) >= SENTENCE_KEY_WORDS]
    return tuple(f"{title}. {s}" for s in found if len(s.split()) < PASSAGE_WORDS // 2)


def _part_keys(part: str, text: str) -> tuple[str, ...]:
    """The keys of an unnumbered part, each saying what it is: for the preamble, each document the plan is
    issued on; for the closing, its request to the departments, the annex, the recipients and the signer."""
    if part == PREAMBLE_ID:
        return tuple(f"Căn cứ: {s.strip(' ;')}" for s in sentences(text) if not _FORMULA.search(s.strip()))
    lines = [line.strip(" -;") for line in text.splitlines() if line.strip(" -;")]
    body, recipients, signature = [], [], []
    for line in lines:
        if _RECIPIENTS.match(line) or (recipients and not signature and not _SIGNATURE.match(line)):
            recipients.append(line)
        elif _SIGNATURE.match(line) or signature:
            signature.append(line)
        else:
            body.append(line)
    keys = [f"Phần kết của kế hoạch: {s}" for s in sentences(" ".join(body)) if not _FORMULA.search(s)]
    if recipients[1:]:
        keys.append("Nơi nhận: kế hoạch được gửi đến " + "; ".join(recipients[1:]))
    if signature:
        keys.append("Người ký kế hoạch: " + ", ".join(signature))
    return tuple(keys)


def _assignment_keys(catalog: Catalog, code: str | None) -> tuple[str, ...]:
    """What the department is assigned in the plan, under each of its names."""
    if code is None:
        return ()
    department = catalog.departments[code]
    names = dict.fromkeys((department.name_on(PLAN_DAY), department.name, department.short_name))
    return tuple(f"{name} được giao nhiệm vụ gì trong kế hoạch" for name in names)


def sentences(text: str) -> list[str]:
    """The text cut at sentence ends and line breaks."""
    return [s for s in re.split(r"(?<=[.!?;])\s+|\n+", text) if s.strip()]


def passages(text: str, words: int = PASSAGE_WORDS) -> list[str]:
    """The text cut at sentence ends into passages of about `words` words (a long sentence stays whole).

    A plan section runs to 600 words; e5 reads 512 tokens and BM25 favours short keys, so each passage is
    a key of its own.
    """
    result: list[str] = []
    current: list[str] = []
    for sentence in [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]:
        if current and len(" ".join(current + [sentence]).split()) > words:
            result.append(" ".join(current))
            current = []
        current.append(sentence.strip())
    if current:
        result.append(" ".join(current))
    return result


def default_sources(
    plan: Plan,
    catalog: Catalog,
    register: Register,
    *,
    published: Callable[[], Sequence[dict]] = tuple,
    revisions: Callable[[], Sequence[Mapping[str, Any]]] = tuple,
) -> list[KnowledgeSource]:
    """The sources the assistant answers from."""
    return [FaqSource(catalog, register, published=published, revisions=revisions), PlanSource(plan, catalog)]


def documents_of(sources: Sequence[KnowledgeSource]) -> list[Document]:
    """Every document of the sources, in their order."""
    return [document for source in sources for document in source.documents()]


def all_documents(plan: Plan, catalog: Catalog, register: Register) -> list[Document]:
    """The documents of the default sources from the files alone (no console drafts or edits): what the
    benchmarks and tests index."""
    return documents_of(default_sources(plan, catalog, register))
