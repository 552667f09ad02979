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
        position = {cid: n for n, cid in enumerate(self._order)}
        known = [n for n, (cid, _, _) in enumerate(rows) if cid in position]  # rows of unknown entries: ignored
        self._rows = np.asarray(known, dtype=np.int64)
        self._row_entry = np.asarray([position[rows[n][0]] for n in known], dtype=np.int64)
        self._vectors = vectors
        self._answers = answer_vectors if answer_vectors is not None and len(answer_vectors) == len(entries) \
            else None
        self._weight = answer_weight

    def __len__(self) -> int:
        return len(self._entries)

    def best(self, vector: Vectors) -> CuratedMatch | None:
        if not len(self._rows):
            return None
        query = np.asarray(vector, dtype=np.float32).ravel()
        sims = (self._vectors @ query)[self._rows]
        best_question = np.full(len(self._order), -np.inf, dtype=np.float64)
        np.maximum.at(best_question, self._row_entry, sims)  # each entry's closest question
        combined = best_question.copy()
        if self._answers is not None:
            combined += self._weight * (self._answers @ query)
        ranked = np.argsort(-combined, kind="stable")
        first = int(ranked[0])
        second = float(combined[ranked[1]]) if len(ranked) > 1 and np.isfinite(combined[ranked[1]]) else 0.0
        return CuratedMatch(self._entries[self._order[first]], float(best_question[first]),
                            float(combined[first]) - second)

    def entry(self, curated_id: str) -> CuratedAnswer | None:
        return self._entries.get(curated_id)
