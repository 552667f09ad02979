"""BM25 over the same chunks as the dense index: an inverted index, so cost grows with matches only."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from .text import tokens


class BM25Index:
    def __init__(self, texts: list[str], k1: float = 1.4, b: float = 0.75) -> None:
        self._k1, self._b = k1, b
        self._n = len(texts)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = np.zeros(self._n, dtype=np.float32)
        for doc, text in enumerate(texts):
            counts = Counter(tokens(text))
            lengths[doc] = sum(counts.values())
            for term, tf in counts.items():
                postings[term].append((doc, tf))
        avg = float(lengths.mean()) if self._n else 1.0
        self._norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        self._postings = {
            term: (np.array([d for d, _ in p], dtype=np.int32), np.array([f for _, f in p], dtype=np.float32))
            for term, p in postings.items()
        }
        self._idf = {
            term: math.log(1 + (self._n - len(p) + 0.5) / (len(p) + 0.5)) for term, p in postings.items()
        }

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(tokens(query)):
            if term not in self._postings:
                continue
            docs, tfs = self._postings[term]
            contrib = self._idf[term] * tfs * (self._k1 + 1) / (tfs + self._norm[docs])
            for doc, value in zip(docs.tolist(), contrib.tolist(), strict=True):
                scores[doc] += value
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:k]
