"""Checking what a business types into the issue form: each function returns the clean value, or None
when the answer does not fit and must be asked again."""

from __future__ import annotations

import re

from stdnum.exceptions import ValidationError
from stdnum.vn import mst

from nlu.entities import extract_entities
from nlu.normalize import fold_preserving_offsets

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


def district(text: str) -> str | None:
    """The district-level unit's official name ("Quận 1", "Thành phố Thủ Đức")."""
    found = [e for e in extract_entities(text) if e.type == "district"]
    if not found:
        found = [e for e in extract_entities(f"quận {text.strip()}") if e.type == "district"] if text.strip().isdigit() else []
    return str(found[0].value) if found else None


def ticket_code(text: str) -> str | None:
    """A ticket code in the text (PA-2026-000123, also typed "pa 2026 000123")."""
    match = _TICKET_CODE.search(fold_preserving_offsets(text))
    return f"PA-{match.group(1)}-{match.group(2)}" if match else None
