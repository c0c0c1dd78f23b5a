"""Vietnamese word segmentation with underthesea, imported on first use (it takes seconds to import).

"Công ty tôi muốn hoàn thuế" -> ["Công ty", "tôi", "muốn", "hoàn", "thuế"]. Used where whole words matter
more than syllables (lexical retrieval); the input is cleaned and bounded first.
"""

from __future__ import annotations

from collections.abc import Callable
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
