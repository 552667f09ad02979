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
    def __init__(self, entries: list[CuratedAnswer], rows: list[tuple[str, str, str]], vectors: Vectors) -> None:
        self._entries = {e.id: e for e in entries}
        self._ids = np.asarray([cid for cid, _, _ in rows])
        self._vectors = vectors

    def __len__(self) -> int:
        return len(self._entries)

    def best(self, vector: Vectors) -> CuratedMatch | None:
        if not len(self._ids):
            return None
        sims = self._vectors @ np.asarray(vector, dtype=np.float32).ravel()
        order = np.argsort(-sims)
        top_id = str(self._ids[order[0]])
        runner_up = next((float(sims[i]) for i in order if self._ids[i] != top_id), 0.0)
        entry = self._entries.get(top_id)
        if entry is None:
            return None
        return CuratedMatch(entry, float(sims[order[0]]), float(sims[order[0]]) - runner_up)

    def entry(self, curated_id: str) -> CuratedAnswer | None:
        return self._entries.get(curated_id)
