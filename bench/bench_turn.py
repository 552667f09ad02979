"""One assistant turn without an LLM, and retrieval alone, next to raw Chroma measured in the same process.

    python -m bench.bench_turn [--sizes 1000,10000,100000] [--turns 60]

Sizes: 'shipped' is the knowledge base as shipped; a number N grows the index with synthetic chunks (see
``bench/corpus.py``) to N rows. Each size is grown by one child process and measured by a fresh one, so the
resident memory (peak RSS) reported for a size is that of a process that loaded that index and nothing else.

Per size, alternating so that load on the machine hits both sides alike:
- turn: ``Assistant.respond`` (language, triage, embedding, hybrid retrieval, curated match, extractive
  answer) against raw ``embed_queries`` + ``collection.query(n_results=20)``;
- retrieval: ``HybridRetriever.retrieve`` (dense via Chroma with the expiry filter, BM25, fusion) with a
  ready query vector, against ``collection.query`` of the same vector.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from bench.machine import load_average, peak_rss_mib, rss_mib

REPO_ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    ("en", "How long does MIBG therapy take?"), ("en", "What are the conditions for treatment of a foreign child?"),
    ("de", "Wie viel kostet die Behandlung?"), ("fr", "Combien coûte le traitement ?"),
    ("ar", "كيف يمكنني التقديم للعلاج؟"), ("ru", "Сколько длится терапия CAR-T?"),
    ("uk", "Де можна жити під час лікування?"), ("tr", "Tedavi için hangi belgeler gerekli?"),
    ("id", "Apakah ada penerjemah?"), ("pl", "Czy jeden rodzic może zostać na noc?"),
    ("es", "¿Qué es el tratamiento AMORE?"), ("nl", "Waar kunnen we verblijven tijdens de behandeling?"),
    ("en", "Which airport is closest?"), ("en", "Does the NKI treat children?"),
    ("en", "Is there a school in the hospital?"), ("en", "what is a payment guarantee"),
]


def percentiles(values: list[float]) -> tuple[float, float]:
    array = np.asarray(values, dtype=np.float64)
    return float(np.percentile(array, 50)), float(np.percentile(array, 95))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _raw(collection: Any, embedder: Any, question: str) -> None:
    collection.query(query_embeddings=embedder.embed_queries([question]), n_results=20)


def _turn(assistant: Any, question: str) -> None:
    list(assistant.respond(assistant.new_conversation(), question))


# --- child processes ----------------------------------------------------------------------------------
def worker_grow(data_dir: Path, size: int) -> dict[str, Any]:
    from assistant.settings import Settings
    from assistant.wiring import build_embedder_for
    from bench.corpus import build_shipped, grow

    settings = Settings(data_dir=data_dir, chroma_url=None)
    started = time.perf_counter()
    if not (data_dir / "chroma").exists():
        build_shipped(data_dir, build_embedder_for(settings))
    rows = grow(settings, size) if size else -1
    return {"rows": rows, "seconds": time.perf_counter() - started}


def worker_measure(data_dir: Path, turns: int) -> dict[str, Any]:
    from assistant.adapters.chroma import ChromaStore, build_chroma_client
    from assistant.settings import Settings
    from assistant.wiring import build_assistant, build_embedder_for

    settings = Settings(data_dir=data_dir, chroma_url=None)
    embedder = build_embedder_for(settings)
    started = time.perf_counter()
    assistant = build_assistant(settings, embedder=embedder)
    startup_s = time.perf_counter() - started
    retriever = assistant._retriever  # the very object the turns use (a second one would double the RSS)
    store = ChromaStore(build_chroma_client(settings.data_dir, None), settings.collection_prefix)
    collection = store.collection("chunks", str(store.active()["active"]))  # type: ignore[index]
    vectors = embedder.embed_queries([q for _, q in QUESTIONS])
    for _, q in QUESTIONS[:6]:  # warm-up: lingua's models, Chroma's caches
        list(assistant.respond(assistant.new_conversation(), q))
        collection.query(query_embeddings=embedder.embed_queries([q]), n_results=20)
    times: dict[str, list[float]] = {"turn": [], "raw": [], "retrieval": [], "query": []}
    for n in range(turns):
        lang, q = QUESTIONS[n % len(QUESTIONS)]
        vector = vectors[n % len(QUESTIONS)]
        steps = [
            ("raw", partial(_raw, collection, embedder, q)),
            ("turn", partial(_turn, assistant, q)),
            ("query", partial(collection.query, query_embeddings=[vector], n_results=20)),
            ("retrieval", partial(retriever.retrieve, vector, q, lang, settings.top_k)),
        ]
        if n % 2:  # alternate the order, so that neither side always runs with warmer caches
            steps = [steps[1], steps[0], steps[3], steps[2]]
        for name, step in steps:
            t = time.perf_counter()
            step()
            times[name].append(_ms(t))
    out: dict[str, Any] = {"rows": int(collection.count()), "startup_s": startup_s, "turns": turns,
                           "rss_mib": rss_mib(), "peak_rss_mib": peak_rss_mib(), "load": load_average()[0]}
    for name, values in times.items():
        out[f"{name}_p50"], out[f"{name}_p95"] = percentiles(values)
    return out


# --- the parent ---------------------------------------------------------------------------------------
def _child(args: list[str]) -> dict[str, Any]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    done = subprocess.run([sys.executable, "-m", "bench.bench_turn", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.bench_turn {' '.join(args)} failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def parse_sizes(text: str) -> list[int]:
    """'shipped,1k,10000' → [0, 1000, 10000] (0: the shipped corpus, ungrown)."""
    sizes = []
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        sizes.append(0 if part == "shipped" else int(float(part[:-1]) * 1000) if part.endswith("k") else int(part))
    return sorted(set(sizes))


def run(sizes: list[int], turns: int, work: Path, say: Any = print, start_from: Path | None = None
        ) -> list[dict[str, Any]]:
    """Grow one index through ``sizes`` (ascending) and measure each size in a fresh process. ``start_from``:
    a built shipped index to copy instead of building one."""
    data_dir = work / "turn-index"
    if start_from is not None and not data_dir.exists():
        shutil.copytree(start_from, data_dir)
    rows = []
    for size in sizes:
        say(f"turn bench: growing the index to {size or 'the shipped'} chunks …")
        grown = _child(["--worker", "grow", "--data-dir", str(data_dir), "--size", str(size)])
        say(f"turn bench: measuring {turns} turns at {size or 'shipped'} (grown in {grown['seconds']:.0f} s) …")
        figures = _child(["--worker", "measure", "--data-dir", str(data_dir), "--turns", str(turns)])
        rows.append({"size": size, "grow_s": grown["seconds"], **figures})
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    lines = ["| chunks | turn p50 / p95 ms | raw embed+query p50 / p95 ms | ratio p50 / p95 | retrieval p50 / p95 ms "
             "| raw query p50 / p95 ms | start-up s | peak RSS MiB | load |", "|---:|---|---|---|---|---|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['rows']} | {r['turn_p50']:.1f} / {r['turn_p95']:.1f} | {r['raw_p50']:.1f} / {r['raw_p95']:.1f} "
            f"| {r['turn_p50'] / r['raw_p50']:.2f}× / {r['turn_p95'] / r['raw_p95']:.2f}× "
            f"| {r['retrieval_p50']:.1f} / {r['retrieval_p95']:.1f} | {r['query_p50']:.1f} / {r['query_p95']:.1f} "
            f"| {r['startup_s']:.1f} | {r['peak_rss_mib']:.0f} | {r['load']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_turn", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="e.g. shipped,1k,10k,100k")
    parser.add_argument("--turns", type=int, default=60, help="measured turns per size (default 60)")
    parser.add_argument("--worker", choices=["grow", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker == "grow":
        print(json.dumps(worker_grow(args.data_dir, args.size)))
        return 0
    if args.worker == "measure":
        print(json.dumps(worker_measure(args.data_dir, args.turns)))
        return 0
    with tempfile.TemporaryDirectory(prefix="ipo-bench-turn-") as tmp:
        rows = run(parse_sizes(args.sizes), args.turns, Path(tmp), say=lambda m: print(m, file=sys.stderr))
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
