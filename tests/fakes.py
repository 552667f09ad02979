"""Deterministic fakes with the same shape as the real seams (see assistant/ports.py)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from assistant.ports import Vectors

_WORD = re.compile(r"\w+", re.UNICODE)


class FakeEmbedder:
    """Hash-based bag-of-words vectors: texts sharing words are close, identical texts are identical.

    Deterministic across processes (blake2b, not Python's salted ``hash``); L2-normalised float32 like the real
    embedders. Queries and passages are encoded the same way.
    """

    def __init__(self, name: str = "fake/bag-of-words", dim: int = 64) -> None:
        self.name = name
        self.dim = dim

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dim
            vector[index] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:  # no words: a fixed unit vector, never NaN
            vector[0], norm = 1.0, 1.0
        return vector / norm

    def _encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vector(t) for t in texts]).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)
