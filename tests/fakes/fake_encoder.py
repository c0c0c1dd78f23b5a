"""A deterministic, model-free :class:`nlu.embeddings.Encoder` for fast tests.

Texts are NFC-normalised and lower-cased, padded with spaces, cut into character trigrams, and each
trigram is hashed (blake2b, so results are stable across processes, unlike ``hash``) into one of
``dimension`` buckets with a hashed sign. The counts are L2-normalised. Texts sharing many trigrams get
a high cosine, so simple retrieval tests behave sensibly; accents matter, as they do for real models.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence

import numpy as np


class FakeEncoder:
    """Hashed character-trigram vectors; queries and passages share one space.

    Args:
        dimension: Vector size (384, like multilingual-e5-small, by default).
        name: Reported model name.
    """

    def __init__(self, dimension: int = 384, name: str = "fake-trigram") -> None:
        self.dimension = dimension
        self.name = name
        self.calls: list[tuple[str, int]] = []  # ("query" | "passage", number of texts)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode queries (recorded in :attr:`calls`)."""
        self.calls.append(("query", len(texts)))
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Encode passages (recorded in :attr:`calls`)."""
        self.calls.append(("passage", len(texts)))
        return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            self._fill(out[row], text)
        return out

    def _fill(self, vector: np.ndarray, text: str) -> None:
        padded = f"  {unicodedata.normalize('NFC', text).lower()} "
        for i in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[i : i + 3].encode("utf-8"), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            vector[value % self.dimension] += 1.0 if (value >> 63) & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm > 0:
            vector /= norm
        else:  # no trigram survived (cannot happen with padding, kept for safety)
            vector[0] = 1.0
