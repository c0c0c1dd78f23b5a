"""Vietnamese components for a Rasa 3 assistant, named in its `config.yml`:

    pipeline:
      - name: nlu.rasa_components.VietnameseTokenizer
      - name: CountVectorsFeaturizer          # words as written (tone marks normalised)
        use_lemma: false
      - name: CountVectorsFeaturizer          # character n-grams of the diacritic-free words
        analyzer: char_wb

The tokenizer splits words with underthesea ("Công ty" stays one word) and normalises each with Đồng
hành's normaliser: the token's text keeps its diacritics with the tone marks in one place, its lemma is
the lower-case, diacritic-free form with chat abbreviations spelt out ("gtgt" -> "gia tri gia tang"), so
"hoàn thuế" and "hoan thue" meet on the lemma.

This module runs in Rasa's own environment (Rasa 3.6 needs Python ≤ 3.10): it imports Rasa, underthesea
(through `nlu.segment`), `nlu.normalize` and `nlu.entities` only — never SQLModel or the rest of Đồng hành.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu.entities import extract_entities
from nlu.normalize import load_lexicon, normalize_tone_marks, strip_diacritics
from nlu.segment import WordSpan, word_spans

_SYLLABLE = re.compile(r"\S+")


def vietnamese_tokens(text: str) -> list[Token]:
    """Rasa tokens for a message: words with their offsets, normalised text and diacritic-free lemma."""
    lexicon = load_lexicon()
    tokens = []
    for word in _split_words(text, word_spans(text)):
        if not any(character.isalnum() for character in word.text):
            continue  # punctuation carries nothing for the classifiers
        written = normalize_tone_marks(unicodedata.normalize("NFC", " ".join(word.text.split())))
        lowered = written.lower()
        lemma = strip_diacritics(lexicon.get(lowered, lexicon.get(strip_diacritics(lowered), lowered))).lower()
        tokens.append(Token(written, word.start, word.end, lemma=lemma))
    return tokens


def _split_words(text: str, words: list[WordSpan]) -> list[WordSpan]:
    """Words split into syllables where they hold a number or cross the edge of an entity our extractor
    finds ("mã PA-2026-000123", "o quan" + "7"), so annotated entities start and end on token boundaries."""
    edges = {edge for entity in extract_entities(text) for edge in (entity.start, entity.end)}
    split = []
    for word in words:
        crosses = any(word.start < edge < word.end for edge in edges)
        if " " in word.text.strip() and (crosses or any(character.isdigit() for character in word.text)):
            split += [
                WordSpan(m.group(), word.start + m.start(), word.start + m.end()) for m in _SYLLABLE.finditer(word.text)
            ]
        else:
            split.append(word)
    return split


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Vietnamese words (underthesea) normalised by Đồng hành's normaliser."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["underthesea"]

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: Any, resource: Any, execution_context: Any
    ) -> VietnameseTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        tokens = vietnamese_tokens(text)
        if not tokens and text:  # nothing but punctuation or emoji: one token, as Rasa's own tokenizers do
            tokens = [Token(text, 0, len(text), lemma=text)]
        return self._apply_token_pattern(tokens)
