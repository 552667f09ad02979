"""Ingestion benchmark: pipeline throughput against the raw embedder, no-op re-ingest time, peak memory.

    .venv/bin/python -m bench.bench_ingest            (or: .venv/bin/python bench/bench_ingest.py)
    options: --knowledge DIR  --repeat N (best of N for the throughput pair; default 2)

Throughput: the whole pipeline (chunking, embedding, writing a new Chroma generation) on the shipped documents,
against the same embedder's ``embed_passages`` of exactly the same chunk texts, in the same process, alternated
and best of N; the ratio of the two throughputs should be at least 0.85 (also given on CPU time, which a busy
machine disturbs less than wall time). No-op re-ingest: a second run over an unchanged knowledge base (documents
and curated answers) through ``run_ingestion``, in-process and as `python -m ingest` (interpreter start-up
included); target at most 2 s. Peak RSS from getrusage, the CLI's measured inside the child. Prints a Markdown
table. Everything is written to temporary directories.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPO_ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_ingest", description=__doc__.split("\n")[0])
    parser.add_argument("--knowledge", type=Path, default=None, help="knowledge directory (default: settings)")
    parser.add_argument("--repeat", type=int, default=2, help="best of N for raw and pipeline timings")
    return parser.parse_args(argv)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure_throughput(knowledge: Path, repeat: int) -> dict[str, float]:
    from assistant.adapters.chroma import ChromaStore, build_chroma_client
    from assistant.adapters.embeddings import build_embedder
    from assistant.settings import load_settings
    from ingest.chunking import chunk_document
    from ingest.loaders import discover, load_sources
    from ingest.pipeline import IngestConfig, Ingestor

    settings = load_settings()
    embedder = build_embedder(settings.embedder, settings.embed_threads)
    documents = load_sources(discover(knowledge / "docs")).documents
    texts = [c.metadata["embed_text"] for d in documents
             for c in chunk_document(d, settings.chunk_words, settings.chunk_overlap_words)]
    embedder.embed_passages(texts[:8])  # warm-up, outside both timings
    raw: list[tuple[float, float]] = []
    pipeline: list[tuple[float, float]] = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        embedder.embed_passages(texts)
        raw.append((time.perf_counter() - wall, time.process_time() - cpu))
        with tempfile.TemporaryDirectory() as tmp:
            store = ChromaStore(build_chroma_client(Path(tmp), None), settings.collection_prefix)
            config = IngestConfig(settings.chunk_words, settings.chunk_overlap_words)
            wall, cpu = time.perf_counter(), time.process_time()
            report = Ingestor(store, embedder, config).run(documents, [], [])
            pipeline.append((time.perf_counter() - wall, time.process_time() - cpu))
            assert report.embedded_chunks == len(texts), (report.embedded_chunks, len(texts))
    return {"documents": len(documents), "chunks": len(texts),
            "raw_s": min(w for w, _ in raw), "pipeline_s": min(w for w, _ in pipeline),
            "raw_cpu_s": min(c for _, c in raw), "pipeline_cpu_s": min(c for _, c in pipeline)}


def measure_noop(knowledge: Path, runs: int = 3, keep: Path | None = None) -> dict[str, float]:
    """No-op re-ingest after a full build; ``keep``: where to leave a copy of the built index for other benches."""
    from assistant.adapters.embeddings import build_embedder
    from assistant.settings import load_settings
    from ingest.run import run_ingestion

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp), knowledge_dir=knowledge, chroma_url=None)
        embedder = build_embedder(settings.embedder, settings.embed_threads)
        first = run_ingestion(settings, embedder)  # the full build: documents and curated answers
        in_process = []
        for _ in range(runs):
            started = time.perf_counter()
            report = run_ingestion(settings, embedder)
            in_process.append(time.perf_counter() - started)
            assert report.noop, "the re-run was expected to change nothing"
        cli = [time_cli(Path(tmp), knowledge) for _ in range(runs)]
        if keep is not None:
            shutil.copytree(tmp, keep)
    return {"curated": first.curated, "noop_in_process_s": statistics.median(in_process),
            "noop_cli_s": statistics.median(t for t, _, _ in cli), "cli_rss_mib": max(r for _, r, _ in cli),
            "noop_cli_cpu_s": statistics.median(c for _, _, c in cli)}


# `python -m ingest --quiet`, reporting its own peak RSS from /proc (VmHWM): getrusage in a child started by a
# big parent reports the parent's peak, which Linux carries over into the child at exec.
_CLI = ("import re, resource, sys\nfrom ingest.__main__ import main\nstatus = main(['--quiet'])\n"
        "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
        "use = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print('peak_rss_kib', hwm, 'cpu_s', use.ru_utime + use.ru_stime, file=sys.stderr)\nsys.exit(status)")


def time_cli(data_dir: Path, knowledge: Path) -> tuple[float, float, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPO_")}
    env.update({"IPO_DATA_DIR": str(data_dir), "IPO_KNOWLEDGE_DIR": str(knowledge), "HF_HUB_OFFLINE": "1",
                "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(REPO_ROOT)})
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CLI], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or "(no change)" not in done.stdout:
        raise SystemExit(f"`python -m ingest` no-op run failed ({done.returncode}): {done.stdout}{done.stderr}")
    fields = done.stderr.rsplit("peak_rss_kib", 1)[1].split()
    return elapsed, int(fields[0]) / 1024, float(fields[2])


def render_table(t: dict[str, float], n: dict[str, float], rss_self: float) -> str:
    raw_rate, pipe_rate = t["chunks"] / t["raw_s"], t["chunks"] / t["pipeline_s"]
    ratio, cpu_ratio = pipe_rate / raw_rate, t["raw_cpu_s"] / t["pipeline_cpu_s"]
    rows = [
        ("knowledge base", f"{t['documents']:.0f} documents, {t['chunks']:.0f} chunks, {n['curated']:.0f} curated", ""),
        ("raw `embed_passages` of the chunk texts", f"{t['raw_s']:.2f} s ({raw_rate:.1f} chunks/s)", ""),
        ("pipeline: chunk + embed + write a generation", f"{t['pipeline_s']:.2f} s ({pipe_rate:.1f} chunks/s)", ""),
        ("throughput ratio pipeline / raw (wall time)", f"{ratio:.3f}", _verdict(ratio >= 0.85, "≥ 0.85")),
        ("throughput ratio pipeline / raw (CPU time)", f"{cpu_ratio:.3f}", _verdict(cpu_ratio >= 0.85, "≥ 0.85")),
        ("no-op re-ingest, in-process (load + plan)", f"{n['noop_in_process_s']:.2f} s",
         _verdict(n["noop_in_process_s"] <= 2, "≤ 2 s")),
        ("no-op re-ingest, `python -m ingest` wall time", f"{n['noop_cli_s']:.2f} s",
         _verdict(n["noop_cli_s"] <= 2, "≤ 2 s")),
        ("no-op re-ingest, `python -m ingest` CPU time (user + sys)", f"{n['noop_cli_cpu_s']:.2f} s", ""),
        ("load average (1 min) at the end, CPU cores", f"{os.getloadavg()[0]:.1f}, {os.cpu_count()}", ""),
        ("peak RSS, benchmark process", f"{rss_self:.0f} MiB", ""),
        ("peak RSS, `python -m ingest` (no-op)", f"{n['cli_rss_mib']:.0f} MiB", ""),
    ]
    lines = ["| measure | value | target |", "|---|---:|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def _verdict(ok: bool, target: str) -> str:
    return f"{target} {'met' if ok else 'NOT met'}"


def run(knowledge: Path | None = None, repeat: int = 2, keep: Path | None = None) -> dict[str, float]:
    """Throughput and no-op figures in one dict (``keep``: leave a copy of the built shipped index there)."""
    from assistant.settings import load_settings

    source = knowledge or load_settings().knowledge_dir
    with tempfile.TemporaryDirectory() as tmp:  # a snapshot: nobody's edits land in the middle of a measure
        snapshot = Path(shutil.copytree(source, Path(tmp) / "knowledge"))
        throughput = measure_throughput(snapshot, max(1, repeat))
        noop = measure_noop(snapshot, keep=keep)
    return {**throughput, **noop, "rss_self_mib": peak_rss_mib()}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = parse_args(argv)
    figures = run(args.knowledge, args.repeat)
    print(render_table(figures, figures, figures["rss_self_mib"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
