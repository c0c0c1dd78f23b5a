"""The content audit: what in the FAQ has gone, or is going, out of date as of a given day.

Four kinds of finding, each about one entry:

- `cites_replaced`: a cited document is replaced or expired on that day (a replacement counts from its date in
  force, so the audit starts reporting it the day the new document applies);
- `cites_unverified`: a cited document's standing was never checked;
- `past_review`: the entry's `review_by` date has passed;
- `no_concrete_guidance`: the answer leans on "theo quy định (hiện hành)" without stating a single concrete
  fact — a number with its unit (a deadline, a fee, a rate), a form, a portal or a phone line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from knowledge.legal import EXPIRED, REPLACED, UNVERIFIED, Register
from knowledge.loader import FaqEntry

CITES_REPLACED, CITES_UNVERIFIED, PAST_REVIEW, NO_CONCRETE_GUIDANCE = (
    "cites_replaced",
    "cites_unverified",
    "past_review",
    "no_concrete_guidance",
)
KINDS = (CITES_REPLACED, CITES_UNVERIFIED, PAST_REVIEW, NO_CONCRETE_GUIDANCE)
LABELS = {
    CITES_REPLACED: "trích dẫn văn bản đã bị thay thế hoặc hết hiệu lực",
    CITES_UNVERIFIED: "trích dẫn văn bản chưa kiểm chứng hiệu lực",
    PAST_REVIEW: "quá hạn rà soát",
    NO_CONCRETE_GUIDANCE: "chỉ ghi «theo quy định» mà không nêu thông tin cụ thể",
}
HEDGE = re.compile(
    r"quy định hiện hành|theo quy định(?! tại)|theo quy định của pháp luật|theo quy định pháp luật", re.IGNORECASE
)
# A deadline, fee or rate with its unit; a form; a portal; a phone line.
CONCRETE = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:ngày|tháng|năm|giờ|phút|%|đồng|triệu|tỷ|nghìn|lần)"
    r"|[Mm]ẫu(?: số)?\s+\S*\d"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:gov\.vn|vn|com)\b"
    r"|\b1900\s?\d{3,4}\b"
)
NUMERIC_DEADLINE = re.compile(r"\d+\s*(?:ngày|tháng|giờ)(?: làm việc)?")


@dataclass(frozen=True)
class Finding:
    entry: str
    kind: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"entry": self.entry, "kind": self.kind, "detail": self.detail}


@dataclass(frozen=True)
class AuditReport:
    today: date
    entries: int
    findings: tuple[Finding, ...]
    figures: dict[str, object] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not self.findings

    def counts(self) -> dict[str, int]:
        found = Counter(finding.kind for finding in self.findings)
        return {kind: len({f.entry for f in self.findings if f.kind == kind}) if found[kind] else 0 for kind in KINDS}

    def as_dict(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "entries": self.entries,
            "counts": self.counts(),
            "figures": self.figures,
            "findings": [finding.as_dict() for finding in self.findings],
        }


def leans_on_hedge(answer: str) -> bool:
    """The answer says "theo quy định (hiện hành)" and states no concrete fact at all."""
    return bool(HEDGE.search(answer)) and not CONCRETE.search(answer)


def audit(entries: Sequence[FaqEntry], register: Register, today: date) -> AuditReport:
    findings: list[Finding] = []
    for entry in entries:
        findings += _entry_findings(entry, register, today)
    return AuditReport(
        today=today, entries=len(entries), findings=tuple(findings), figures=figures(entries, register, today)
    )


def _entry_findings(entry: FaqEntry, register: Register, today: date) -> Iterable[Finding]:
    for source in entry.sources:
        document = register.documents.get(source.doc)
        if document is None:
            yield Finding(entry.id, CITES_UNVERIFIED, f"{source.doc}: not in the register")
            continue
        standing = document.standing(today)
        if standing in (REPLACED, EXPIRED):
            after = f", replaced by {document.replaced_by}" if document.replaced_by else ""
            yield Finding(entry.id, CITES_REPLACED, f"{document.id} {standing} from {document.ends}{after}")
        elif standing == UNVERIFIED:
            yield Finding(entry.id, CITES_UNVERIFIED, document.id)
    if entry.review_by < today:
        yield Finding(entry.id, PAST_REVIEW, f"review was due on {entry.review_by}")
    if leans_on_hedge(entry.answer):
        phrase = HEDGE.search(entry.answer)
        yield Finding(entry.id, NO_CONCRETE_GUIDANCE, f"«{phrase.group(0) if phrase else ''}» and no concrete fact")


def most_cited(entries: Sequence[FaqEntry], count: int = 30) -> list[tuple[str, int]]:
    """The `count` documents cited by the most entries (the plan's sections count as one document)."""
    cited = Counter(doc for entry in entries for doc in {source.doc for source in entry.sources})
    return cited.most_common(count)


def figures(entries: Sequence[FaqEntry], register: Register, today: date) -> dict[str, object]:
    """The content's measured state, as `bench/content.py` prints it."""
    top = most_cited(entries)
    cites_replaced = {
        e.id
        for e in entries
        for s in e.sources
        if s.doc in register and register[s.doc].standing(today) in (REPLACED, EXPIRED)
    }
    return {
        "entries": len(entries),
        "documents": len(register.documents),
        "documents_verified": sum(1 for d in register.documents.values() if d.verified),
        "entries_citing_replaced": len(cites_replaced),
        "unverified_among_30_most_cited": [doc for doc, _ in top if doc in register and not register[doc].verified],
        "answers_leaning_on_hedge": sum(1 for e in entries if leans_on_hedge(e.answer)),
        "answers_with_numeric_deadline": sum(1 for e in entries if NUMERIC_DEADLINE.search(e.answer)),
        "entries_with_checks": sum(1 for e in entries if e.checks),
    }
