"""Checking what a business types into the issue form: each function returns the clean value, or None
when the answer does not fit and must be asked again."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from stdnum.exceptions import ValidationError
from stdnum.vn import mst

from nlu.entities import extract_entities
from nlu.normalize import fold_preserving_offsets
from nlu.places import current_units, fold

MIN_DESCRIPTION_WORDS = 4
MAX_DESCRIPTION_CHARS = 4000
_TICKET_CODE = re.compile(r"\bPA\s*-?\s*(\d{4})\s*-?\s*(\d{6})\b", re.IGNORECASE)
_TAX_CODE_TEXT = re.compile(r"^[\d\s.\-]{10,20}$")


def description(text: str) -> str | None:
    cleaned = " ".join(text.split())
    if len(cleaned.split()) < MIN_DESCRIPTION_WORDS:
        return None
    return cleaned[:MAX_DESCRIPTION_CHARS]


def company_name(text: str) -> str | None:
    cleaned = " ".join(text.split())
    if not 2 <= len(cleaned) <= 200 or not re.search(r"[^\W\d_]", cleaned):
        return None
    return cleaned


def tax_code(text: str) -> str | None:
    """A valid mã số thuế, formatted as 0312345673 or 0312345673-001 (check digit verified by python-stdnum)."""
    cleaned = text.strip()
    if not _TAX_CODE_TEXT.match(cleaned):
        return None
    try:
        return mst.format(mst.validate(cleaned))
    except ValidationError:
        return None


def contact(text: str) -> str | None:
    """A phone number (as +84…) or an email address found in the answer."""
    found = [e for e in extract_entities(text) if e.type in ("phone", "email")]
    return str(found[0].value) if found else None


@dataclass(frozen=True)
class WardAnswer:
    """What an answer to "which ward?" names: one current unit (`ward`), or units to choose among — a former
    district's successors (`former` names it), look-alike unaccented names, or near spellings."""

    ward: str | None = None
    choices: tuple[str, ...] = ()
    former: str | None = None


def ward(text: str) -> WardAnswer | None:
    """The commune-level unit an answer names, with or without its type word ("Tân Định", "p. Tân Định",
    "Quận 3", "3" for Quận 3); None when it names nothing the city has."""
    cleaned = " ".join(text.split())[:200]
    if not cleaned:
        return None
    if cleaned.isdigit():
        cleaned = f"quận {cleaned}"
    found = [e for e in extract_entities(cleaned) if e.type in ("ward", "former_district")]
    if not found:
        found = [
            e for e in extract_entities(f"phường {cleaned}") + extract_entities(f"xã {cleaned}") if e.type == "ward"
        ]
    if found:
        first = found[0]
        if first.type == "former_district":
            if len(first.candidates) == 1:
                return WardAnswer(ward=first.candidates[0], former=first.value)
            return WardAnswer(choices=first.candidates, former=first.value)
        return WardAnswer(choices=first.candidates) if first.candidates else WardAnswer(ward=first.value)
    return _near_spellings(cleaned)


def _near_spellings(text: str) -> WardAnswer | None:
    """Up to three units whose unaccented name is closest to a misspelt answer ("tan dihn")."""
    by_folded = {fold(unit.bare_name): unit.name for unit in current_units()}
    close = difflib.get_close_matches(fold(text), list(by_folded), n=3, cutoff=0.84)
    return WardAnswer(choices=tuple(by_folded[name] for name in close)) if close else None


def ward_name(text: str) -> str | None:
    """The official name when the answer names exactly one current unit (for checks that cannot offer choices)."""
    answer = ward(text)
    return answer.ward if answer else None


def ticket_code(text: str) -> str | None:
    """A ticket code in the text (PA-2026-000123, also typed "pa 2026 000123")."""
    match = _TICKET_CODE.search(fold_preserving_offsets(text))
    return f"PA-{match.group(1)}-{match.group(2)}" if match else None
