"""Vietnamese word segmentation with underthesea, imported on first use (it takes seconds to import).

"Công ty tôi muốn hoàn thuế" -> ["Công ty", "tôi", "muốn", "hoàn", "thuế"]. Used where whole words matter
more than syllables (lexical retrieval); the input is cleaned and bounded first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from nlu.normalize import clean


@cache
def _tokenizer() -> Callable[[str], list[str]]:
    from underthesea import word_tokenize

    return word_tokenize


def segment(text: str) -> list[str]:
    """The words of `text`, multi-syllable words kept together."""
    cleaned = clean(text)
    if not cleaned:
        return []
    return [word for word in _tokenizer()(cleaned) if word.strip()]


def segmented_text(text: str) -> str:
    """The text with the syllables of each word joined by "_" ("Công_ty tôi muốn ...")."""
    return " ".join(word.replace(" ", "_") for word in segment(text))


@dataclass(frozen=True)
class WordSpan:
    """A word as written, and where it stands in the text (`text[start:end]`)."""

    text: str
    start: int
    end: int


def word_spans(text: str) -> list[WordSpan]:
    """The words of `text` with their offsets in `text` exactly as given (tokenizers need offsets into the
    original message, so the text is not cleaned first; a word's syllables may be split by any spaces)."""
    spans: list[WordSpan] = []
    cursor = 0
    for word in _tokenizer()(text):
        syllables = word.split()
        if not syllables:
            continue
        found = re.compile(r"\s+".join(re.escape(s) for s in syllables)).search(text, cursor)
        if found is None:  # the segmenter changed the word; keep what can be located
            continue
        spans.append(WordSpan(found.group(), found.start(), found.end()))
        cursor = found.end()
    return spans
