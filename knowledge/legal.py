"""The register of the legal documents that the content cites (`data/legal/*.yaml`).

Every FAQ source names a register entry by its id. An entry records what the document is (number, type,
title, issuing body, dates) and its standing: in force, amended, replaced by another entry from a date, or
expired; and where and when that standing was checked. A document without a check is unverified, whatever
its status says. The standing on a given day is computed, so a replacement counts from its date in force
and nothing changes when the calendar passes a date the register already knows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

LEGAL_DIR = Path(__file__).resolve().parents[1] / "data" / "legal"

IN_FORCE, AMENDED, REPLACED, EXPIRED, UNVERIFIED = "in_force", "amended", "replaced", "expired", "unverified"
# A document cited for what it set out in its time, never as the rule that applies today: the city's 2022
# plan, whose sections the product quotes as the mandate for its features.
HISTORICAL = "historical"
STATUSES = (IN_FORCE, AMENDED, REPLACED, EXPIRED, HISTORICAL, UNVERIFIED)
# Types whose title already holds the document's name ("Luật Đất đai"): cited as "<title> số <number>".
NAMED_TYPES = ("Luật", "Bộ luật", "Pháp lệnh")
DOCUMENT_KEYS = {
    "id",
    "number",
    "type",
    "title",
    "issuer",
    "issued",
    "in_force",
    "status",
    "amended_by",
    "replaced_by",
    "ends",
    "checked",
    "note",
}
CHECK_KEYS = {"source", "on", "note"}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A document number as written in Vietnamese citations: "38/2019/QH14", "126/2020/NĐ-CP", "766/QĐ-TTg".
NUMBER = re.compile(r"\b\d{1,5}/(?:\d{4}/)?[A-ZĐ][A-ZĐa-z0-9]*(?:-[A-ZĐa-z0-9]+)*")
_NUMBER_IN_TEXT = re.compile(NUMBER.pattern, re.IGNORECASE)


class RegisterError(ValueError):
    """The register is not usable; the message names the file and the entry."""


@dataclass(frozen=True)
class Check:
    """Where and when a fact was verified, and what the source says."""

    source: str
    on: date
    note: str


@dataclass(frozen=True)
class LegalDocument:
    """One document of the register; see the module docstring for the fields' meaning."""

    id: str
    number: str | None
    type: str
    title: str
    issuer: str
    issued: date | None
    in_force: date | None
    status: str
    amended_by: tuple[str, ...]
    replaced_by: str | None
    ends: date | None
    checks: tuple[Check, ...]
    note: str = ""

    @property
    def citation(self) -> str:
        """How the document is cited to a business: "Luật Quản lý thuế số 38/2019/QH14"."""
        if self.number is None:
            return self.title
        if self.type in NAMED_TYPES:
            return f"{self.title} số {self.number}"
        return f"{self.type} số {self.number} của {self.issuer} {self.title}"

    @property
    def verified(self) -> bool:
        return self.status != UNVERIFIED and bool(self.checks)

    def standing(self, on: date) -> str:
        """`in_force`, `replaced`, `expired`, `historical` or `unverified` on the day `on` (amended counts as in
        force)."""
        if not self.verified:
            return UNVERIFIED
        if self.status in (REPLACED, EXPIRED) and self.ends is not None and self.ends <= on:
            return self.status
        return HISTORICAL if self.status == HISTORICAL else IN_FORCE

    def last_checked(self) -> date | None:
        return max((check.on for check in self.checks), default=None)


@dataclass(frozen=True)
class Register:
    documents: dict[str, LegalDocument]

    def __contains__(self, document_id: object) -> bool:
        return document_id in self.documents

    def __getitem__(self, document_id: str) -> LegalDocument:
        return self.documents[document_id]

    def by_number(self, number: str) -> LegalDocument | None:
        """The document with this number, compared without case ("126/2020/nđ-cp")."""
        wanted = _fold_number(number)
        return next((d for d in self.documents.values() if d.number and _fold_number(d.number) == wanted), None)

    def find_in(self, text: str) -> tuple[LegalDocument, str] | None:
        """The first registered document whose number appears in `text`, and the rest of the line after it
        ("108/2025/QH15, Điều 44" → the law and "Điều 44")."""
        for match in _NUMBER_IN_TEXT.finditer(text):
            document = self.by_number(match.group(0))
            if document is not None:
                return document, text[match.end() :].strip(" ,.;:-–")
        return None


def _fold_number(number: str) -> str:
    return unicodedata.normalize("NFC", number).strip().casefold()


def _where(path: Path, raw: Any) -> str:
    return f"{path}: entry {raw.get('id', '?') if isinstance(raw, dict) else '?'}"


def _text(raw: dict, key: str, where: str, *, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RegisterError(f"{where}: '{key}' must be non-empty text")
    if unicodedata.normalize("NFC", value) != value:
        raise RegisterError(f"{where}: '{key}' is not Unicode NFC")
    return value.strip()


def read_date(raw: dict, key: str, where: str, *, required: bool = False) -> date | None:
    """A date of the content files: YAML's own date, or the same written as text ("2026-12-07")."""
    value = raw.get(key)
    if value is None and not required:
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, date):
        raise RegisterError(f"{where}: '{key}' must be a date written YYYY-MM-DD")
    return value


def parse_checks(raw: Any, where: str) -> tuple[Check, ...]:
    """A `checked` list: each item {source, on, note}, the source a URL or a named publication."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RegisterError(f"{where}: 'checked' must be a list")
    checks = []
    for written in raw:
        # YAML 1.1 reads the bare key `on` as the boolean True.
        item = (
            {("on" if key is True else key): value for key, value in written.items()}
            if isinstance(written, dict)
            else written
        )
        if not isinstance(item, dict) or set(item) - CHECK_KEYS or not {"source", "on"} <= set(item):
            raise RegisterError(f"{where}: each check needs 'source' and 'on' (and may have 'note')")
        checks.append(
            Check(
                source=_text(item, "source", where) or "",
                on=read_date(item, "on", where, required=True) or date.min,
                note=_text(item, "note", where, required=False) or "",
            )
        )
    return tuple(checks)


def _document(path: Path, raw: Any) -> LegalDocument:
    where = _where(path, raw)
    if not isinstance(raw, dict):
        raise RegisterError(f"{where}: expected a mapping")
    unknown = set(raw) - DOCUMENT_KEYS
    if unknown:
        raise RegisterError(f"{where}: unknown key(s) {sorted(unknown)}")
    document_id = _text(raw, "id", where) or ""
    if not _ID.match(document_id):
        raise RegisterError(f"{where}: id must be lowercase ASCII words joined by '-'")
    status = raw.get("status")
    if status not in STATUSES:
        raise RegisterError(f"{where}: status must be one of {', '.join(STATUSES)}")
    amended_by = raw.get("amended_by") or []
    if not isinstance(amended_by, list) or not all(isinstance(a, str) for a in amended_by):
        raise RegisterError(f"{where}: 'amended_by' must be a list of register ids")
    number = _text(raw, "number", where, required=False)
    if number is not None and not NUMBER.fullmatch(number):
        raise RegisterError(f"{where}: number {number!r} is not written like 38/2019/QH14 or 126/2020/NĐ-CP")
    document = LegalDocument(
        id=document_id,
        number=number,
        type=_text(raw, "type", where) or "",
        title=_text(raw, "title", where) or "",
        issuer=_text(raw, "issuer", where) or "",
        issued=read_date(raw, "issued", where),
        in_force=read_date(raw, "in_force", where),
        status=status,
        amended_by=tuple(amended_by),
        replaced_by=_text(raw, "replaced_by", where, required=False),
        ends=read_date(raw, "ends", where),
        checks=parse_checks(raw.get("checked"), where),
        note=_text(raw, "note", where, required=False) or "",
    )
    _check_status(document, where)
    return document


def _check_status(document: LegalDocument, where: str) -> None:
    if document.status == REPLACED and not (document.replaced_by and document.ends):
        raise RegisterError(
            f"{where}: a replaced document needs 'replaced_by' and 'ends' (the replacement's date in force)"
        )
    if document.status == EXPIRED and not document.ends:
        raise RegisterError(f"{where}: an expired document needs 'ends'")
    if document.status == AMENDED and not document.amended_by:
        raise RegisterError(f"{where}: an amended document needs 'amended_by'")
    if document.status != REPLACED and document.replaced_by:
        raise RegisterError(f"{where}: 'replaced_by' is only for status replaced")
    if document.status != UNVERIFIED and not document.checks:
        raise RegisterError(f"{where}: status {document.status} needs a 'checked' record; say unverified otherwise")


def load_register(directory: Path = LEGAL_DIR) -> Register:
    """Read and validate every `*.yaml` of `directory`.

    Raises:
        RegisterError: on a malformed entry, a duplicate id or number, or a reference to an unknown id.
    """
    documents: dict[str, LegalDocument] = {}
    numbers: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(content, list):
            raise RegisterError(f"{path}: expected a list of documents")
        for raw in content:
            document = _document(path, raw)
            if document.id in documents:
                raise RegisterError(f"{path}: duplicate id {document.id!r}")
            if document.number and _fold_number(document.number) in numbers:
                raise RegisterError(
                    f"{path}: number {document.number} is already entry {numbers[_fold_number(document.number)]!r}"
                )
            documents[document.id] = document
            if document.number:
                numbers[_fold_number(document.number)] = document.id
    for document in documents.values():
        for reference in (*document.amended_by, *([document.replaced_by] if document.replaced_by else [])):
            if reference not in documents:
                raise RegisterError(
                    f"{directory}: {document.id} refers to {reference!r}, which the register does not hold"
                )
    return Register(documents)
