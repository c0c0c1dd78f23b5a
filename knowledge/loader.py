"""Loading of the knowledge files under `data/`: the city's 2022 plan, split into numbered sections.

The plan lives in `data/plan/plan-2022.yaml` (see the comment at the top of that file for its
conventions). `load_plan` reads it and checks it before anything else may rely on it: section ids are
unique, follow the document's numbering (`I`, `II.3.2`, `III.2.2.11` …, plus `preamble` and `closing`),
every parent exists and comes before its children, and all text is non-empty where required and NFC.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from knowledge.legal import Check, Register, RegisterError, parse_checks, read_date

REPO_ROOT = Path(__file__).resolve().parents[1]
PLAN_PATH = REPO_ROOT / "data" / "plan" / "plan-2022.yaml"

PREAMBLE_ID = "preamble"
CLOSING_ID = "closing"

_ROMAN = r"(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})"
_NUMBERED_ID = re.compile(rf"^{_ROMAN}(?:\.[1-9][0-9]*)*$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


@dataclass(frozen=True)
class PlanSection:
    """One section of the plan.

    Attributes:
        id: Stable id as the document numbers it (`"III.2.2.11"`), or `"preamble"` / `"closing"`.
        title: The heading, OCR-corrected, without its number.
        text: The section's own body, up to its first child section; may be empty for a section whose
            content is all in its children.
        parent_id: Id of the enclosing section, or None for top-level, preamble and closing.
        level: Depth in the numbering (`I` is 1, `III.2.2.11` is 4); 0 for preamble and closing.
    """

    id: str
    title: str
    text: str
    parent_id: str | None
    level: int


@dataclass(frozen=True)
class Plan:
    """The plan: its metadata and its sections in document order."""

    id: str
    title: str
    issuer: str
    signer: str
    sections: tuple[PlanSection, ...]

    def section(self, section_id: str) -> PlanSection:
        """Returns the section with this id.

        Raises:
            KeyError: If the plan has no such section.
        """
        for candidate in self.sections:
            if candidate.id == section_id:
                return candidate
        raise KeyError(f"{self.id}: no section {section_id!r}")

    def children(self, section_id: str | None) -> tuple[PlanSection, ...]:
        """Returns the direct children of a section (of the plan itself for None), in order."""
        return tuple(s for s in self.sections if s.parent_id == section_id)

    def full_text(self) -> str:
        """Returns the plan title and every section's heading and text, in document order.

        A numbered heading is printed with its id (`"III.2.2.11. Cục Thuế Thành phố"`). A title that
        merely opens its own text (a numbered paragraph with no separate heading) is not repeated.
        """
        blocks = [self.title]
        blocks.extend(_section_block(section) for section in self.sections)
        return "\n\n".join(blocks)


def load_plan(path: Path | None = None) -> Plan:
    """Reads and validates the plan file.

    Args:
        path: The YAML file; defaults to `data/plan/plan-2022.yaml` in the repository.

    Returns:
        The plan, its sections in document order.

    Raises:
        ValueError: If the file is missing, is not valid YAML or breaks a rule; the message names the
            file and, where there is one, the section.
    """
    path = PLAN_PATH if path is None else Path(path)
    document = _read_yaml(path)
    where = str(path)
    raw_sections = document.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise ValueError(f"{where}: 'sections' must be a non-empty list")
    sections = tuple(_parse_section(raw, index, where) for index, raw in enumerate(raw_sections))
    _check_sections(sections, where)
    return Plan(
        id=_required_text(document, "id", where),
        title=_required_text(document, "title", where),
        issuer=_required_text(document, "issuer", where),
        signer=_required_text(document, "signer", where),
        sections=sections,
    )


def _section_block(section: PlanSection) -> str:
    label = section.title if section.level == 0 else f"{section.id}. {section.title}"
    if not section.text:
        return label
    if section.level and section.text.startswith(section.title):
        return f"{section.id}. {section.text}"
    return f"{label}\n{section.text}"


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except OSError as error:
        raise ValueError(f"{path}: cannot read the plan file ({error})") from error
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return document


def _required_text(mapping: dict[str, Any], key: str, where: str, *, allow_empty: bool = False) -> str:
    value = mapping.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{where}: {key!r} must be a string")
    value = value.strip()
    if not value and not allow_empty:
        raise ValueError(f"{where}: {key!r} must not be empty")
    if unicodedata.normalize("NFC", value) != value:
        raise ValueError(f"{where}: {key!r} is not in Unicode NFC")
    return value


def _parse_section(raw: Any, index: int, where: str) -> PlanSection:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: sections[{index}] must be a mapping")
    section_id = raw.get("id")
    if not isinstance(section_id, str) or not _is_valid_id(section_id):
        raise ValueError(f"{where}: sections[{index}] has an invalid id {section_id!r}")
    here = f"{where}: section {section_id}"
    return PlanSection(
        id=section_id,
        title=_required_text(raw, "title", here),
        text=_required_text(raw, "text", here, allow_empty=True),
        parent_id=_parent_id(section_id),
        level=_level(section_id),
    )


def _is_valid_id(section_id: str) -> bool:
    return section_id in (PREAMBLE_ID, CLOSING_ID) or bool(_NUMBERED_ID.match(section_id))


def _parent_id(section_id: str) -> str | None:
    if section_id in (PREAMBLE_ID, CLOSING_ID) or "." not in section_id:
        return None
    return section_id.rsplit(".", 1)[0]


def _level(section_id: str) -> int:
    if section_id in (PREAMBLE_ID, CLOSING_ID):
        return 0
    return section_id.count(".") + 1


def _roman_value(numeral: str) -> int:
    total = 0
    for current, following in zip(numeral, numeral[1:] + " ", strict=False):
        value = _ROMAN_VALUES[current]
        total += -value if _ROMAN_VALUES.get(following, 0) > value else value
    return total


def _number(section_id: str) -> int:
    last = section_id.rsplit(".", 1)[-1]
    return int(last) if last.isdigit() else _roman_value(last)


def _check_sections(sections: tuple[PlanSection, ...], where: str) -> None:
    seen: set[str] = set()
    last_number: dict[str | None, int] = {}
    for position, section in enumerate(sections):
        here = f"{where}: section {section.id}"
        if section.id in seen:
            raise ValueError(f"{here}: duplicate id")
        _check_position(section, position, len(sections), here)
        if section.parent_id is not None and section.parent_id not in seen:
            raise ValueError(f"{here}: parent {section.parent_id} is missing or comes after it")
        if section.level:
            _check_numbering(section, last_number, here)
        seen.add(section.id)
    _check_leaf_texts(sections, where)


def _check_position(section: PlanSection, position: int, count: int, here: str) -> None:
    if section.id == PREAMBLE_ID and position != 0:
        raise ValueError(f"{here}: the preamble must be the first section")
    if section.id == CLOSING_ID and position != count - 1:
        raise ValueError(f"{here}: the closing must be the last section")


def _check_numbering(section: PlanSection, last_number: dict[str | None, int], here: str) -> None:
    expected = last_number.get(section.parent_id, 0) + 1
    number = _number(section.id)
    if number != expected:
        raise ValueError(f"{here}: out of sequence (expected number {expected} under its parent)")
    last_number[section.parent_id] = number


def _check_leaf_texts(sections: tuple[PlanSection, ...], where: str) -> None:
    parents = {section.parent_id for section in sections}
    for section in sections:
        if not section.text and section.id not in parents:
            raise ValueError(f"{where}: section {section.id}: empty text in a section without children")


# --------------------------------------------------------------------------- FAQ

FAQ_DIR = REPO_ROOT / "data" / "faq_vi" / "faq"
FAQ_KEYS = {"id", "topic", "department", "question", "paraphrases", "answer", "sources", "reviewed", "review_by"}
OPTIONAL_FAQ_KEYS = {"checked"}
PLAN_DOCUMENT = "plan-2022"
# How long checked facts stay current by default before they are due for review again (about six months).
REVIEW_PERIOD = timedelta(days=182)
_FAQ_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
_PLAN_PART = re.compile(r"^mục ((?:[IVX]+)(?:\.\d+)*)$")
_PLAN_LINE = re.compile(r"^Kế hoạch\b.*\b2022\b.*\bmục ((?:[IVX]+)(?:\.\d+)*)$")


@dataclass(frozen=True)
class SourceRef:
    """A citation of a register document, with the article, clause or plan section cited ("Điều 44")."""

    doc: str
    part: str = ""

    @property
    def plan_section(self) -> str | None:
        """The plan section id when this cites the 2022 plan ("mục III.2.1" → "III.2.1")."""
        match = _PLAN_PART.match(self.part) if self.doc == PLAN_DOCUMENT else None
        return match.group(1) if match else None


@dataclass(frozen=True)
class FaqEntry:
    """One reviewed question and answer."""

    id: str
    topic: str
    department: str
    question: str
    paraphrases: tuple[str, ...]
    answer: str
    sources: tuple[SourceRef, ...]
    reviewed: date
    review_by: date
    checks: tuple[Check, ...] = ()

    def plan_sections(self) -> list[str]:
        """Plan section ids cited in the sources."""
        return [section for source in self.sources if (section := source.plan_section)]


def source_ref(raw: Any, register: Register | None, where: str) -> SourceRef:
    """A source as the files write it ({doc, part}), or as a line of text naming a document by its number or
    register id ("108/2025/QH15, Điều 44"; "plan-2022, mục III.2.1"; "Kế hoạch 2022 …, mục III.2.1"), which
    needs the register to resolve."""
    if isinstance(raw, dict):
        if set(raw) - {"doc", "part"} or not isinstance(raw.get("doc"), str):
            raise ValueError(f"{where}: a source is {{doc: <register id>, part: <article>}}")
        part = raw.get("part") or ""
        if not isinstance(part, str) or unicodedata.normalize("NFC", part) != part:
            raise ValueError(f"{where}: a source's part must be NFC text")
        return SourceRef(raw["doc"], part.strip())
    if isinstance(raw, str) and raw.strip():
        if plan := _PLAN_LINE.match(raw.strip()):
            return SourceRef(PLAN_DOCUMENT, f"mục {plan.group(1)}")
        head, _, rest = raw.partition(",")
        if register is not None and head.strip() in register:  # a register id: "plan-2022, mục III.2.1"
            return SourceRef(head.strip(), rest.strip())
        found = register.find_in(raw) if register is not None else None
        if found is None:
            raise ValueError(f"{where}: the source {raw.strip()!r} names no document of the legal register")
        return SourceRef(found[0].id, found[1])
    raise ValueError(f"{where}: sources must be non-empty")


def _faq_entry(
    path: Path, raw: Any, topics: dict[str, str] | None, register: Register | None, departments: set[str] | None
) -> FaqEntry:
    where = f"{path}: entry {raw.get('id', '?') if isinstance(raw, dict) else '?'}"
    if not isinstance(raw, dict) or not FAQ_KEYS <= set(raw) <= FAQ_KEYS | OPTIONAL_FAQ_KEYS:
        keys = sorted(raw) if isinstance(raw, dict) else type(raw).__name__
        raise ValueError(
            f"{where}: expected the keys {sorted(FAQ_KEYS)} (and optionally {sorted(OPTIONAL_FAQ_KEYS)}), got {keys}"
        )
    texts = [raw["question"], raw["answer"], *raw["paraphrases"]]
    if not all(isinstance(t, str) and t.strip() for t in texts):
        raise ValueError(f"{where}: question, answer and paraphrases must be non-empty text")
    if any(unicodedata.normalize("NFC", t) != t for t in texts):
        raise ValueError(f"{where}: text is not Unicode NFC")
    if not _FAQ_ID.match(str(raw["id"])):
        raise ValueError(f"{where}: id must be lowercase ASCII words joined by '-'")
    if len(raw["paraphrases"]) < 3:
        raise ValueError(f"{where}: needs at least 3 paraphrases")
    if topics is not None and raw["topic"] not in topics:
        raise ValueError(f"{where}: unknown topic {raw['topic']!r}")
    allowed = departments if departments is not None else (set(topics.values()) if topics is not None else None)
    if allowed is not None and raw["department"] not in allowed:
        raise ValueError(f"{where}: unknown department {raw['department']!r}")
    if not isinstance(raw["sources"], list) or not raw["sources"]:
        raise ValueError(f"{where}: needs at least one source")
    sources = tuple(source_ref(source, register, where) for source in raw["sources"])
    if register is not None and (unknown := [s.doc for s in sources if s.doc not in register]):
        raise ValueError(f"{where}: cites {', '.join(unknown)}, which the legal register does not hold")
    reviewed, review_by = (
        read_date(raw, "reviewed", where, required=True),
        read_date(raw, "review_by", where, required=True),
    )
    if review_by <= reviewed:
        raise ValueError(f"{where}: review_by must come after reviewed")
    try:
        checks = parse_checks(raw.get("checked"), where)
    except RegisterError as error:
        raise ValueError(str(error)) from None
    return FaqEntry(
        id=raw["id"],
        topic=raw["topic"],
        department=raw["department"],
        question=raw["question"].strip(),
        paraphrases=tuple(p.strip() for p in raw["paraphrases"]),
        answer=raw["answer"].strip(),
        sources=sources,
        reviewed=reviewed,
        review_by=review_by,
        checks=checks,
    )


def faq_entries(
    raws: list[dict],
    *,
    origin: str,
    topics: dict[str, str] | None = None,
    register: Register | None = None,
    departments: set[str] | None = None,
) -> list[FaqEntry]:
    """FAQ entries from raw mappings held elsewhere than the files (published drafts), validated alike."""
    return [_faq_entry(Path(origin), raw, topics, register, departments) for raw in raws]


def load_faq(
    directory: Path = FAQ_DIR,
    *,
    topics: dict[str, str] | None = None,
    register: Register | None = None,
    departments: set[str] | None = None,
) -> list[FaqEntry]:
    """Every FAQ entry of `directory/*.yaml`, validated.

    Args:
        topics: topic code -> default department, to check topic codes against the catalogue.
        register: the legal register, to check that every cited document is in it.
        departments: the catalogue's department codes (default: the topics' default departments).
    """
    entries: list[FaqEntry] = []
    for path in sorted(directory.glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(content, list):
            raise ValueError(f"{path}: expected a list of entries")
        entries += [_faq_entry(path, raw, topics, register, departments) for raw in content]
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise ValueError(f"{directory}: duplicate FAQ id {entry.id!r}")
        seen.add(entry.id)
    return entries
