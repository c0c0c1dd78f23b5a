"""Entities in a business's message, each with its character offsets in the (NFC) text.

Types: `tax_code` (checked with python-stdnum's `vn.mst`), `phone`, `email`, `ticket_code`,
`customs_declaration` (12 digits), `hs_code`, `money`, `date`, `ward` (a current commune-level unit, by its
official name) and `former_district` (a district before 1 July 2025, with the current units that took over
its wards as `candidates`; see `nlu.places`). Matching runs on an
offset-preserving lower-cased, diacritic-free copy of the text, so "hôm qua" and "hom qua" are both found
and the offsets point into the text as given. Every pattern is linear and the input is bounded, so time
is bounded whatever arrives.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from nlu import places
from nlu.normalize import MAX_CHARS, fold_preserving_offsets

# Earlier types win when two matches overlap (after longer spans).
TYPE_PRIORITY = (
    "email",
    "ticket_code",
    "tax_code",
    "customs_declaration",
    "phone",
    "hs_code",
    "date",
    "money",
    "ward",
    "former_district",
)


@dataclass(frozen=True)
class Entity:
    type: str
    value: str
    start: int
    end: int
    candidates: tuple[str, ...] = ()  # a former district's successors; a ward's look-alikes when unaccented

    def as_dict(self) -> dict[str, object]:
        fields = asdict(self)
        fields["candidates"] = list(self.candidates)
        return fields if self.candidates else {k: v for k, v in fields.items() if k != "candidates"}


Finder = Callable[[str, str, date], Iterator[Entity]]

# --------------------------------------------------------------------------- identifiers

_EMAIL = re.compile(
    r"(?<![\w.+-])[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,4}\.[a-z]{2,24}(?![\w-])"
)
_TICKET = re.compile(r"(?<![\w-])pa[\s-]?(\d{4})[\s-]?(\d{6})(?!\d)")
_TAX = re.compile(r"(?<![\d-])(\d{10})(?:\s?-\s?(\d{3})|(\d{3}))?(?![\d-])")
_TAX_CONTEXT = re.compile(r"(mst|ma so thue|ma thue|tax code|ma doanh nghiep|ma so doanh nghiep)\W{0,3}$")
_PHONE_CONTEXT = re.compile(r"(sdt|so dien thoai|dien thoai|dt|phone|hotline|zalo|lien he|goi)\W{0,3}$")
_CUSTOMS = re.compile(r"(?<![\d-])(\d{12})(?![\d-])")
_CUSTOMS_CONTEXT = re.compile(r"(to khai|tk|so tk|tkhq|tk hq|declaration)\W{0,12}$")
_HS = re.compile(r"(?<![\w])(?:ma\s)?hs(?:\s?code)?\s?[:.-]?\s?(\d{4}(?:[.\s]?\d{2}){0,2})(?![\d])")
# Mobile: 0 + 9 digits starting 3/5/7/8/9; landline: 0 + 2x + 8 digits; both also as +84 / 84.
_PHONE = re.compile(r"(?<![\w+])(?:\+84|84|0)[\s.]?(?:[35789]\d(?:[\s.]?\d){7}|2\d(?:[\s.]?\d){8})(?!\d)")


def _before(folded: str, start: int, width: int = 30) -> str:
    return folded[max(0, start - width) : start]


def find_emails(text: str, folded: str, _today: date) -> Iterator[Entity]:
    for match in _EMAIL.finditer(text.lower()):
        yield Entity("email", match.group(0), match.start(), match.end())


def find_ticket_codes(_text: str, folded: str, _today: date) -> Iterator[Entity]:
    for match in _TICKET.finditer(folded):
        yield Entity("ticket_code", f"PA-{match.group(1)}-{match.group(2)}", match.start(), match.end())


def find_tax_codes(_text: str, folded: str, _today: date) -> Iterator[Entity]:
    from stdnum.vn import mst

    for match in _TAX.finditer(folded):
        branch = match.group(2) or match.group(3)
        value = match.group(1) + (f"-{branch}" if branch else "")
        if not mst.is_valid(value) or _PHONE_CONTEXT.search(_before(folded, match.start())):
            continue
        yield Entity("tax_code", value, match.start(), match.end())


def find_customs_declarations(_text: str, folded: str, _today: date) -> Iterator[Entity]:
    for match in _CUSTOMS.finditer(folded):
        number = match.group(1)
        # VNACCS numbers import declarations 10…, export declarations 30…; others need the word.
        if number[:2] in {"10", "30"} or _CUSTOMS_CONTEXT.search(_before(folded, match.start(), 40)):
            yield Entity("customs_declaration", number, match.start(), match.end())


def find_hs_codes(_text: str, folded: str, _today: date) -> Iterator[Entity]:
    for match in _HS.finditer(folded):
        digits = re.sub(r"\D", "", match.group(1))
        if 4 <= len(digits) <= 8 and len(digits) % 2 == 0:
            yield Entity("hs_code", digits, match.start(1), match.end(1))


def find_phones(_text: str, folded: str, _today: date) -> Iterator[Entity]:
    for match in _PHONE.finditer(folded):
        digits = re.sub(r"\D", "", match.group(0))
        national = digits[2:] if digits.startswith("84") and len(digits) in (11, 12) else digits.lstrip("0")
        if len(national) not in (9, 10):
            continue
        if _TAX_CONTEXT.search(_before(folded, match.start())):
            continue
        yield Entity("phone", "+84" + national, match.start(), match.end())


# --------------------------------------------------------------------------- money

_MONEY = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?)\s?"
    r"(ty|ti|trieu|tr|nghin|ngan|k|dong|d|vnd|vnđ|usd|\$)(?![a-z])"
)
_MULTIPLIERS = {"ty": 10**9, "ti": 10**9, "trieu": 10**6, "tr": 10**6, "nghin": 10**3, "ngan": 10**3, "k": 10**3}


def _amount(number: str, unit: str) -> float:
    if unit in _MULTIPLIERS:
        # "1,5 tỷ" / "1.5 tỷ": a decimal separator; "1.500 tỷ": thousands.
        if re.fullmatch(r"\d+[.,]\d{1,2}", number):
            return float(number.replace(",", "."))
        return float(number.replace(".", "").replace(",", ""))
    return (
        float(re.sub(r"[.,]", "", number))
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", number)
        else float(number.replace(",", "."))
    )


def find_money(_text: str, folded: str, _today: date) -> Iterator[Entity]:
    for match in _MONEY.finditer(folded):
        number, unit = match.group(1), match.group(2)
        amount = _amount(number, unit) * _MULTIPLIERS.get(unit, 1)
        currency = "USD" if unit in {"usd", "$"} else "VND"
        value = f"{amount:.2f} {currency}" if currency == "USD" else f"{round(amount)} VND"
        yield Entity("money", value, match.start(), match.end())


# --------------------------------------------------------------------------- dates

_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/.-])")
_WORDED_DATE = re.compile(r"ngay (\d{1,2}) thang (\d{1,2})(?: nam (\d{4}))?")
_RELATIVE = re.compile(
    r"(?<!\w)(hom nay|hom qua|hom kia|ngay mai|tuan truoc|tuan nay|tuan sau|thang truoc|thang nay|thang sau|"
    r"nam ngoai|nam truoc|nam nay|(\d{1,3}) (ngay|tuan|thang) (?:truoc|qua))(?!\w)"
)


def _month_range(year: int, month: int) -> str:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return f"{first.isoformat()}/{(following - timedelta(days=1)).isoformat()}"


def _relative(phrase: str, count: str | None, unit: str | None, today: date) -> str:
    monday = today - timedelta(days=today.weekday())
    fixed = {
        "hom nay": today,
        "hom qua": today - timedelta(days=1),
        "hom kia": today - timedelta(days=2),
        "ngay mai": today + timedelta(days=1),
    }
    if phrase in fixed:
        return fixed[phrase].isoformat()
    weeks = {"tuan truoc": -1, "tuan nay": 0, "tuan sau": 1}
    if phrase in weeks:
        start = monday + timedelta(weeks=weeks[phrase])
        return f"{start.isoformat()}/{(start + timedelta(days=6)).isoformat()}"
    months = {"thang truoc": -1, "thang nay": 0, "thang sau": 1}
    if phrase in months:
        index = today.year * 12 + today.month - 1 + months[phrase]
        return _month_range(index // 12, index % 12 + 1)
    if phrase in {"nam ngoai", "nam truoc", "nam nay"}:
        year = today.year - (phrase != "nam nay")
        return f"{year}-01-01/{year}-12-31"
    amount = int(count or 0)
    if unit == "ngay":
        return (today - timedelta(days=amount)).isoformat()
    if unit == "tuan":
        return (today - timedelta(weeks=amount)).isoformat()
    index = today.year * 12 + today.month - 1 - amount
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(today.day, 28 if month == 2 else 30)).isoformat()


def _valid_date(day: int, month: int, year: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_dates(_text: str, folded: str, today: date) -> Iterator[Entity]:
    for pattern in (_NUMERIC_DATE, _WORDED_DATE):
        for match in pattern.finditer(folded):
            year_text = match.group(3)
            year = today.year if not year_text else int(year_text) + (2000 if len(year_text) == 2 else 0)
            value = _valid_date(int(match.group(1)), int(match.group(2)), year)
            if value and 1990 <= year <= 2100:
                yield Entity("date", value, match.start(), match.end())
    for match in _RELATIVE.finditer(folded):
        yield Entity(
            "date", _relative(match.group(1), match.group(2), match.group(3), today), match.start(), match.end()
        )


# --------------------------------------------------------------------------- places


def find_places(text: str, folded: str, _today: date) -> Iterator[Entity]:
    for place in places.find_places(text, folded):
        yield Entity(place.kind, place.value, place.start, place.end, place.candidates)


FINDERS: tuple[Finder, ...] = (
    find_emails,
    find_ticket_codes,
    find_tax_codes,
    find_customs_declarations,
    find_phones,
    find_hs_codes,
    find_dates,
    find_money,
    find_places,
)


def _resolve_overlaps(found: list[Entity]) -> list[Entity]:
    ranked = sorted(found, key=lambda e: (-(e.end - e.start), TYPE_PRIORITY.index(e.type), e.start))
    kept: list[Entity] = []
    for entity in ranked:
        if all(entity.end <= other.start or entity.start >= other.end for other in kept):
            kept.append(entity)
    return sorted(kept, key=lambda e: (e.start, e.end))


def extract_entities(text: str, *, today: date | None = None) -> list[Entity]:
    """All entities in `text`, in order, without overlaps.

    Args:
        text: The message; offsets refer to its NFC form cut to `MAX_CHARS` characters.
        today: The date relative expressions ("hôm qua") are resolved against.
    """
    text = unicodedata.normalize("NFC", text)[:MAX_CHARS]
    folded = fold_preserving_offsets(text)
    today = today or date.today()
    found = [entity for finder in FINDERS for entity in finder(text, folded, today)]
    return _resolve_overlaps(found)
