"""Match a question to a curated (reviewed) answer by nearest question vector, in any language."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ports import Vectors
from .types import CuratedAnswer


@dataclass(frozen=True)
class CuratedMatch:
    entry: CuratedAnswer
    score: float
    margin: float  # over the best question of another entry


class CuratedMatcher:
    """Scores each entry by its closest question plus ``answer_weight`` × similarity to its answer text:
    the question paraphrases find the topic, the answer text tells apart entries on the same topic."""

    def __init__(
        self, entries: list[CuratedAnswer], rows: list[tuple[str, str, str]], vectors: Vectors,
        answer_vectors: Vectors | None = None, answer_weight: float = 1.0,
    ) -> None:
        self._entries = {e.id: e for e in entries}
        self._order = [e.id for e in entries]
        self._ids = np.asarray([cid for cid, _, _ in rows])
        self._vectors = vectors
        self._answers = answer_vectors if answer_vectors is not None and len(answer_vectors) == len(entries) \
            else None
        self._weight = answer_weight

    def __len__(self) -> int:
        return len(self._entries)

    def best(self, vector: Vectors) -> CuratedMatch | None:
        if not len(self._ids):
            return None
        query = np.asarray(vector, dtype=np.float32).ravel()
        sims = self._vectors @ query
        best_question: dict[str, float] = {}
        for cid, sim in zip(self._ids.tolist(), sims.tolist(), strict=True):
            if sim > best_question.get(cid, -1.0):
                best_question[cid] = sim
        combined = dict(best_question)
        if self._answers is not None:
            for cid, sim in zip(self._order, (self._answers @ query).tolist(), strict=True):
                if cid in combined:
                    combined[cid] += self._weight * sim
        ranked = sorted(combined, key=lambda c: -combined[c])
        entry = self._entries.get(ranked[0])
        if entry is None:
            return None
        margin = combined[ranked[0]] - (combined[ranked[1]] if len(ranked) > 1 else 0.0)
        return CuratedMatch(entry, best_question[ranked[0]], margin)

    def entry(self, curated_id: str) -> CuratedAnswer | None:
        return self._entries.get(curated_id)
