"""Diacritic restoration for text typed without accents: "hoan thue gtgt" -> "hoàn thuế gtgt".

A syllable bigram model learnt from accented text of the domain (the training examples, the plan):
each diacritic-free syllable has the accented forms seen for it, and Viterbi decoding picks the sequence
that the bigram counts (interpolated with the unigram counts) make most likely. Syllables never seen
are left as they are. The model is a pair of count tables, small and fast (well under a millisecond a
message).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from nlu.normalize import strip_diacritics

_SYLLABLE = re.compile(r"[^\W\d_]+|\d+|[^\w\s]", re.UNICODE)
_BIGRAM_WEIGHT = 0.7
_MAX_CANDIDATES = 6


def syllables(text: str) -> list[str]:
    return _SYLLABLE.findall(text.lower())


@dataclass
class DiacriticRestorer:
    """Counts learnt from accented text; `restore` applies them."""

    candidates: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    bigrams: dict[tuple[str, str], int] = field(default_factory=dict)
    unigrams: dict[str, int] = field(default_factory=dict)

    @classmethod
    def train(cls, texts: Iterable[str]) -> DiacriticRestorer:
        unigrams: Counter[str] = Counter()
        bigrams: Counter[tuple[str, str]] = Counter()
        for text in texts:
            tokens = ["<s>", *syllables(text)]
            unigrams.update(tokens[1:])
            bigrams.update(zip(tokens, tokens[1:], strict=False))
        forms: dict[str, Counter[str]] = defaultdict(Counter)
        for token, count in unigrams.items():
            forms[strip_diacritics(token)][token] += count
        candidates = {bare: counter.most_common(_MAX_CANDIDATES) for bare, counter in forms.items()}
        return cls(candidates=candidates, bigrams=dict(bigrams), unigrams=dict(unigrams))

    def _score(self, previous: str, token: str, bare_total: int) -> float:
        unigram = self.unigrams.get(token, 0) / bare_total
        previous_count = self.unigrams.get(previous, 0) if previous != "<s>" else 0
        bigram = self.bigrams.get((previous, token), 0) / previous_count if previous_count else 0.0
        return math.log(_BIGRAM_WEIGHT * bigram + (1 - _BIGRAM_WEIGHT) * unigram + 1e-9)

    def restore(self, text: str) -> str:
        """The most likely accented form of `text` (lower case, syllables separated by spaces)."""
        tokens = syllables(text)
        if not tokens:
            return ""
        lattice: list[list[tuple[str, int]]] = [
            self.candidates.get(t, [(t, 1)]) if t == strip_diacritics(t) else [(t, 1)] for t in tokens
        ]
        # best[i][form] = (score, back-pointer form)
        best: list[dict[str, tuple[float, str]]] = []
        previous_states = {"<s>": (0.0, "")}
        for options in lattice:
            total = sum(count for _, count in options)
            states = {}
            for form, _count in options:
                states[form] = max(
                    (score + self._score(prev, form, total), prev) for prev, (score, _) in previous_states.items()
                )
            best.append(states)
            previous_states = states
        form = max(previous_states, key=lambda f: previous_states[f][0])
        output = [form]
        for states in reversed(best[1:]):
            form = states[form][1]
            output.append(form)
        return " ".join(reversed(output))
