"""Hybrid retrieval: dense (via the vector store) + BM25, fused by reciprocal rank; language preference."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .lexical import BM25Index, Mask
from .ports import DenseIndex, Vectors
from .types import Passage

RRF_K = 60


@dataclass(frozen=True)
class Retrieval:
    passages: list[Passage]
    best_dense: float

    @property
    def doc_ids(self) -> list[str]:
        seen: list[str] = []
        for p in self.passages:
            if p.doc_id not in seen:
                seen.append(p.doc_id)
        return seen


class HybridRetriever:
    def __init__(
        self, dense: DenseIndex, passages: list[Passage], hybrid: bool = True, depth: int = 20,
        lexical_weight: float = 0.15, clean: Callable[[str], str] | None = None,
        prior_weight: float = 0.15, prior_depth: int = 60,
    ) -> None:
        self._dense = dense
        self._clean = clean or (lambda text: text)  # what readers and models may see of a passage
        self._passages = passages
        self._by_id = {p.chunk_id: p for p in passages}
        self._hybrid = hybrid
        self._depth = depth
        self._lexical_weight = lexical_weight
        self._prior_weight, self._prior_depth = prior_weight, max(prior_depth, depth)
        self._bm25 = BM25Index(f"{p.title} {p.heading} {p.text}" for p in passages) if hybrid else None
        languages = np.array([p.language for p in passages], dtype=object)
        # Words only match within a language: BM25 ranks the passages written in the user's language, so
        # its say shrinks with that language's share.
        self._in_language: dict[str, Mask] = {lang: languages == lang for lang in sorted(set(languages.tolist()))}
        self._coverage = {lang: float(m.sum()) / max(len(passages), 1) for lang, m in self._in_language.items()}

    def retrieve(self, vector: Vectors, query: str, language: str, k: int, prior: Sequence[str] = ()) -> Retrieval:
        """``prior``: documents known to answer questions like this one (e.g. a reviewed question's documents),
        best first; fused as one more ranked list, by each document's best passage in a deeper dense search."""
        found_deep = self._dense.search(vector, self._prior_depth if prior else self._depth)
        dense = found_deep[:self._depth]
        best = max((p.dense for p in dense), default=0.0)
        fused: dict[str, float] = {}
        dense_score = {p.chunk_id: p.dense for p in found_deep}
        found = {p.chunk_id: p for p in found_deep}  # per query: never copy the catalogue of every passage
        for rank, p in enumerate(dense):
            fused[p.chunk_id] = fused.get(p.chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, chunk_id in enumerate(_best_passage_per_doc(found_deep, prior)):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + self._prior_weight / (RRF_K + rank + 1)
        mask = self._in_language.get(language)
        if self._bm25 is not None and mask is not None:
            hits = [i for i, _ in self._bm25.search(query, self._depth, mask)]
            weight = self._lexical_weight * self._coverage.get(language, 0.0)
            for rank, index in enumerate(hits):
                chunk_id = self._passages[index].chunk_id
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank + 1)
        by_id = {c: self._by_id[c] if c in self._by_id else found[c] for c in fused}
        # "Equally relevant" → the user's language first: a bonus smaller than one rank step.
        for chunk_id in fused:
            if by_id[chunk_id].language == language:
                fused[chunk_id] += 0.0002
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
        chosen = _diverse([by_id[c] for c, _ in ranked], k)
        out = [replace(p, text=self._clean(p.text), score=fused[p.chunk_id], dense=dense_score.get(p.chunk_id, 0.0))
               for p in chosen]
        return Retrieval(out, best)


def _best_passage_per_doc(passages: list[Passage], doc_ids: Sequence[str]) -> list[str]:
    """The chunk id of each wanted document's best passage (``passages`` is ranked), in ``doc_ids`` order."""
    best: dict[str, str] = {}
    for p in passages:
        best.setdefault(p.doc_id, p.chunk_id)
    return [best[d] for d in doc_ids if d in best]


def _diverse(passages: list[Passage], k: int, per_doc: int = 2) -> list[Passage]:
    """Top k with at most ``per_doc`` chunks of one document, so citations cover more than one page."""
    chosen: list[Passage] = []
    count: dict[str, int] = {}
    for p in passages:
        if count.get(p.doc_id, 0) < per_doc:
            chosen.append(p)
            count[p.doc_id] = count.get(p.doc_id, 0) + 1
        if len(chosen) == k:
            break
    return chosen
