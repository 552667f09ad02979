"""BM25 over the same chunks as the dense index: an inverted index, so cost grows with matches only.

The postings are stored in compressed-sparse-row form (one int32 array of document numbers and one float32
array of term frequencies, sliced per term), and a query scores its matches with numpy into one dense array:
a term found in every one of 100k chunks costs a few vectorised operations, not 100k Python additions.
Tokenising goes word group by word group (text split on whitespace) with a cache, which gives exactly the
tokens of ``text.tokens`` on the whole text (folding and word boundaries never cross whitespace) while each
distinct group is folded once.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from .text import tokens

Mask = npt.NDArray[np.bool_]


class _Tokenizer:
    """``tokens(text)``, computed per whitespace-separated group and remembered (bounded)."""

    def __init__(self, max_groups: int = 200_000) -> None:
        self._cache: dict[str, list[str]] = {}
        self._max = max_groups

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        cache = self._cache
        for group in text.split():
            found = cache.get(group)
            if found is None:
                found = tokens(group)
                if len(cache) < self._max:
                    cache[group] = found
            out.extend(found)
        return out


class BM25Index:
    def __init__(self, texts: Iterable[str], k1: float = 1.4, b: float = 0.75) -> None:
        self._k1, self._b = k1, b
        tokenize = _Tokenizer()
        term_ids: dict[str, int] = {}
        rows, docs, tfs, lengths = array("i"), array("i"), array("f"), array("f")
        for doc, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths.append(float(sum(counts.values())))
            for term, tf in counts.items():
                rows.append(term_ids.setdefault(term, len(term_ids)))
                docs.append(doc)
                tfs.append(float(tf))
        self._n = len(lengths)
        self._terms = term_ids
        length = _numpy(lengths, np.float32)
        avg = float(length.mean()) if self._n else 1.0
        self._norm = (k1 * (1 - b + b * length / max(avg, 1e-9))).astype(np.float32)
        term_of = _numpy(rows, np.int32)
        order = np.argsort(term_of, kind="stable")  # grouped by term, documents ascending within a term
        self._docs, self._tfs = _numpy(docs, np.int32)[order], _numpy(tfs, np.float32)[order]
        self._start = np.concatenate(([0], np.cumsum(np.bincount(term_of, minlength=len(term_ids))))).astype(np.int64)

    def __len__(self) -> int:
        return self._n

    def search(self, query: str, k: int, mask: Mask | None = None) -> list[tuple[int, float]]:
        """The ``k`` best (document number, score) pairs, best first; ties by document number. With ``mask``,
        only documents whose entry is True compete."""
        if k <= 0 or not self._n:
            return []
        scores = np.zeros(self._n, dtype=np.float64)
        for term in set(tokens(query)):
            term_id = self._terms.get(term)
            if term_id is None:
                continue
            lo, hi = int(self._start[term_id]), int(self._start[term_id + 1])
            docs, tfs = self._docs[lo:hi], self._tfs[lo:hi]
            idf = math.log(1 + (self._n - (hi - lo) + 0.5) / ((hi - lo) + 0.5))
            scores[docs] += idf * tfs * (self._k1 + 1) / (tfs + self._norm[docs])  # documents unique per term
        matched = scores > 0  # every term's idf is positive: a match always scores
        if mask is not None:
            matched &= mask
        candidates = np.flatnonzero(matched)
        if len(candidates) > k:
            kth = np.partition(scores[candidates], len(candidates) - k)[len(candidates) - k]
            candidates = candidates[scores[candidates] >= kth]
        ranked = candidates[np.lexsort((candidates, -scores[candidates]))][:k]
        return [(int(d), float(scores[d])) for d in ranked]


def _numpy(values: array[int] | array[float], dtype: type[np.float32] | type[np.int32]) -> npt.NDArray[Any]:
    return np.frombuffer(values, dtype=dtype) if len(values) else np.zeros(0, dtype=dtype)
