"""Normalisation of Vietnamese chat text: Unicode, tone marks, spacing, abbreviations, diacritics.

`normalize(text)` gives the forms the rest of the pipeline works on:
- `text`: NFC, control characters and markup removed, one tone-mark placement ("hoà" -> "hòa",
  "thuý" -> "thúy"), lower case, abbreviations and teencode expanded from `data/lexicon/abbreviations.tsv`
  ("cty" -> "công ty", "ko" -> "không"), punctuation separated, spaces collapsed;
- `folded`: the same with every diacritic removed ("đ" -> "d"), the form on which text typed with
  and without diacritics meet.

Input is cut to `MAX_CHARS` characters first, so the time spent is bounded whatever arrives.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON_PATH = Path(__file__).resolve().parents[1] / "data" / "lexicon" / "abbreviations.tsv"
MAX_CHARS = 2000

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_TAG = re.compile(r"<[^<>]{0,200}>")
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s+")
_PUNCT_SPLIT = re.compile(r"([!?.,;:()\[\]{}\"“”‘’«»…])")
# "q1", "q.3", "p 5" -> quận / phường N: the letter alone is ambiguous, before a number it is not.
_UNIT_NUMBER = re.compile(r"\b([qp])\s?\.?\s?(\d{1,2})\b", re.IGNORECASE)
_UNIT_WORDS = {"q": "quận", "p": "phường"}
# Tokens that mean something else right after a number ("50k" is 50 nghìn, not "50 không").
_NOT_AFTER_NUMBER = {"k", "tr", "s", "p", "h"}
_OPEN_SYLLABLE_GLIDES = ("oa", "oe", "uy")


@dataclass(frozen=True)
class Normalized:
    """A message in the forms the pipeline uses."""

    original: str
    text: str
    folded: str
    has_diacritics: bool


def strip_diacritics(text: str) -> str:
    """Remove every Vietnamese diacritic ("Đồng hành" -> "Dong hanh")."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("Đ", "D"))


def fold_char(char: str) -> str:
    """One character without its diacritics, keeping the length (for offset-preserving matching)."""
    if char in "đĐ":
        return "d" if char == "đ" else "D"
    base = unicodedata.normalize("NFD", char)[:1]
    return base if base and not unicodedata.combining(base) else char


def fold_preserving_offsets(text: str) -> str:
    """`text` (NFC) lower-cased and stripped of diacritics, character for character."""
    return "".join(fold_char(c.lower() if len(c.lower()) == 1 else c) for c in text)


def has_vietnamese_diacritics(text: str) -> bool:
    """Whether any letter carries a diacritic (so the writer typed with accents)."""
    return strip_diacritics(text) != text


def _move_tone(syllable: str) -> str:
    """Put the tone of an open "oa", "oe", "uy" syllable on the first vowel ("hoà" -> "hòa")."""
    tones = [c for c in unicodedata.normalize("NFD", syllable) if c in _TONES]
    last_tones = [c for c in unicodedata.normalize("NFD", syllable[-1:]) if c in _TONES]
    if len(tones) != 1 or not last_tones:
        return syllable
    bare = unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", syllable) if c not in _TONES))
    lower = bare.lower()
    if not lower.endswith(_OPEN_SYLLABLE_GLIDES) or lower.startswith("qu") or lower[-3:-2] in set("aeiouy"):
        return syllable
    position = len(bare) - 2
    return bare[:position] + unicodedata.normalize("NFC", bare[position] + tones[0]) + bare[position + 1 :]


def normalize_tone_marks(text: str) -> str:
    """One tone-mark placement for open "oa", "oe", "uy" syllables: "hoà" -> "hòa", "thuý" -> "thúy"."""
    return _WORD.sub(lambda m: _move_tone(m.group(0)) if len(m.group(0)) <= 7 else m.group(0), text)


def clean(text: str) -> str:
    """NFC, bounded length, no control characters or markup, single spaces."""
    text = unicodedata.normalize("NFC", text[: MAX_CHARS * 2])[:MAX_CHARS]
    text = _CONTROL.sub(" ", text)
    text = _TAG.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, str]:
    """The abbreviation lexicon: lower-case abbreviation -> expansion."""
    lexicon: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            raise ValueError(f"{path}:{number}: expected 'abbreviation<TAB>expansion<TAB>note'")
        abbreviation = unicodedata.normalize("NFC", fields[0].strip().lower())
        if abbreviation in lexicon:
            raise ValueError(f"{path}:{number}: duplicate abbreviation {abbreviation!r}")
        lexicon[abbreviation] = unicodedata.normalize("NFC", fields[1].strip())
    return lexicon


@lru_cache(maxsize=4)
def _phrase_pattern(path: Path) -> re.Pattern[str] | None:
    phrases = sorted((a for a in load_lexicon(path) if " " in a), key=len, reverse=True)
    if not phrases:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)")


def expand_abbreviations(text: str, lexicon_path: Path = LEXICON_PATH) -> str:
    """Expand abbreviations and teencode in lower-cased text, token by token."""
    lexicon = load_lexicon(lexicon_path)
    text = _UNIT_NUMBER.sub(lambda m: f"{_UNIT_WORDS[m.group(1).lower()]} {m.group(2)}", text)
    pattern = _phrase_pattern(lexicon_path)
    if pattern is not None:
        text = pattern.sub(lambda m: lexicon[m.group(1)], text)
    tokens = text.split(" ")
    expanded = []
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index else ""
        after_number = bool(previous) and previous[-1:].isdigit()
        if token in lexicon and not (after_number and token in _NOT_AFTER_NUMBER):
            expanded.append(lexicon[token])
        elif token[:1].isdigit() and token.rstrip("k").isdigit() and token.endswith("k"):
            expanded.append(token[:-1] + " nghìn")  # "50k" -> "50 nghìn"
        else:
            expanded.append(token)
    return " ".join(expanded)


def normalize(text: str, *, lexicon_path: Path = LEXICON_PATH) -> Normalized:
    """All normalisation steps; see the module docstring."""
    cleaned = normalize_tone_marks(clean(text))
    spaced = _SPACES.sub(" ", _PUNCT_SPLIT.sub(r" \1 ", cleaned.lower())).strip()
    expanded = expand_abbreviations(spaced, lexicon_path)
    return Normalized(
        original=text,
        text=expanded,
        folded=strip_diacritics(expanded),
        has_diacritics=has_vietnamese_diacritics(cleaned),
    )
