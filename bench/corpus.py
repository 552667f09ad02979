"""Benchmark corpora: the shipped knowledge base indexed once, then grown with synthetic chunks to a size.

Synthetic chunks are real chunks copied with a marker in the text and noise on the vector (so BM25 postings
and the HNSW graph grow the way they would with more real documents of the same kind); their metadata is
the source chunk's, so the language mix stays the shipped one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from assistant.ports import Embedder
from assistant.settings import Settings

BATCH = 2000


def build_shipped(data_dir: Path, embedder: Embedder, knowledge: Path | None = None) -> Settings:
    """Index the shipped knowledge base (documents and curated answers) into ``data_dir``."""
    from ingest.run import run_ingestion

    overrides: dict[str, Any] = {"data_dir": data_dir, "chroma_url": None}
    if knowledge is not None:
        overrides["knowledge_dir"] = knowledge
    settings = Settings(**overrides)
    run_ingestion(settings, embedder)
    return settings


def grow(settings: Settings, target: int, seed: int = 7) -> int:
    """Add synthetic chunks to the active generation until it holds ``target`` rows; returns the row count."""
    from assistant.adapters.chroma import ChromaStore, add_rows, build_chroma_client

    store = ChromaStore(build_chroma_client(settings.data_dir, None), settings.collection_prefix)
    generation = str(store.active()["active"])  # type: ignore[index]
    collection = store.collection("chunks", generation)
    have = int(collection.count())
    if have >= target:
        return have
    data = store.read_all("chunks", generation)
    real = [n for n, i in enumerate(data["ids"]) if not str(i).startswith("synthetic:")]
    rng = np.random.default_rng(seed + have)
    dim = data["embeddings"].shape[1]
    for start in range(have, target, BATCH):
        count = min(BATCH, target - start)
        picks = rng.choice(real, count)
        noise = rng.normal(0, 0.35 / np.sqrt(dim), (count, dim)).astype(np.float32)
        vectors = data["embeddings"][picks] + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = [f"synthetic:{start + n}" for n in range(count)]
        metas, docs = [], []
        for n, pick in enumerate(picks):
            meta = dict(data["metadatas"][pick])
            meta.update(doc_id=f"synthetic-{(start + n) % 997}", display=f"{meta['display']} (copy {start + n})")
            metas.append(meta)
            docs.append(f"{data['documents'][pick]} (copy {start + n})")
        add_rows(collection, ids, vectors, docs, metas)
    return int(collection.count())
