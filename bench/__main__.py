"""`python -m bench`: every benchmark in one run, one Markdown table, one plot.

    python -m bench                                  # all parts, defaults below (about 15 min on 2 busy cores)
    python -m bench --parts turn --sizes 1k,10k      # some parts, other sizes
    python -m bench --quick                          # a smoke run: 1k and 10k chunks, HTTP at 1 and 20

Parts: ``ingest`` (pipeline throughput against the raw embedder, no-op re-ingest), ``turn`` (one turn without
an LLM and retrieval alone at each size, against raw embed + Chroma query, peak RSS of a fresh process per
size), ``http`` (first SSE byte and full turn at each concurrency level; ``N:T`` = N conversations pausing
T seconds between their turns). Each figure is set against a baseline measured in the same run, and the
1-minute load average of the machine is sampled throughout and printed with the table: on a shared machine
the ratios are the figures to compare, the absolute times tell how busy it was.

Writes ``results.json``, ``benchmarks.md`` (the table) and ``benchmarks.png`` under ``--out``
(default ``artifacts/bench/``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bench import bench_http, bench_ingest, bench_turn, machine, plot, report

REPO_ROOT = Path(__file__).resolve().parent.parent
PARTS = ("ingest", "turn", "http")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: ingest,turn,http")
    parser.add_argument("--sizes", default="1k,10k,100k", help="turn bench index sizes (default 1k,10k,100k)")
    parser.add_argument("--turns", type=int, default=60, help="measured turns per size (default 60)")
    parser.add_argument("--http-levels", default="1,20,100,100:10",
                        help="concurrency levels, N or N:THINK_S (default 1,20,100,100:10)")
    parser.add_argument("--http-turns", type=int, default=5, help="turns per conversation (default 5)")
    parser.add_argument("--max-seconds", type=float, default=75.0, help="cap per HTTP level (default 75)")
    parser.add_argument("--http-workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    parser.add_argument("--repeat", type=int, default=2, help="ingest: best of N (default 2)")
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 1k,10k; 20 turns; HTTP 1,20")
    parser.add_argument("--index", type=Path, help="a built index of the shipped knowledge base to start from "
                        "(`IPO_DATA_DIR=DIR python -m ingest`); default: the ingest part's, else built here")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "artifacts" / "bench", help="output folder")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.turns, args.http_levels, args.repeat = "1k,10k", 20, "1,20", 1
    unknown = set(args.parts.split(",")) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    return args


def parse_levels(text: str) -> list[tuple[int, float]]:
    levels = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        count, _, think = part.partition(":")
        levels.append((int(count), float(think or 0)))
    return levels


def level_figures(level: bench_http.Level) -> dict[str, Any]:
    s = level.samples
    pct = bench_http.percentile
    return {"concurrency": level.concurrency, "think_s": level.think_s, "errors": level.errors, "turns": len(s),
            "rate": len(s) / level.wall_s if level.wall_s else 0.0,
            "first_byte": [pct([x.first_byte for x in s], q) for q in (50, 95)],
            "total": [pct([x.total for x in s], q) for q in (50, 95)]}


def say(message: str, started: float = time.monotonic()) -> None:
    print(f"[{time.monotonic() - started:6.0f} s, load {machine.load_average()[0]:.1f}] {message}", file=sys.stderr)


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    parts = args.parts.split(",")
    monitor = machine.LoadMonitor().start()
    results: dict[str, Any] = {"machine": machine.describe(), "ingest": None, "turn": [], "http": [],
                               "http_workers": args.http_workers}
    shipped = work / "shipped-index"
    if args.index is not None:
        shutil.copytree(args.index, shipped)
    try:
        if "ingest" in parts:
            monitor.phase("ingest")
            say("ingest: throughput against the raw embedder, then no-op re-ingest …")
            results["ingest"] = bench_ingest.run(repeat=args.repeat, keep=None if shipped.exists() else shipped)
        if "turn" in parts:
            monitor.phase("turn")
            results["turn"] = bench_turn.run(bench_turn.parse_sizes(args.sizes), args.turns, work, say,
                                             start_from=shipped if shipped.exists() else None)
        if "http" in parts:
            monitor.phase("http")
            index = work / "http-index"
            if shipped.exists():
                shutil.copytree(shipped, index)
            say(f"http: levels {args.http_levels}, {args.http_turns} turns per conversation, "
                f"{args.http_workers} worker(s) …")
            levels = bench_http.run(index, parse_levels(args.http_levels), args.http_turns, args.max_seconds,
                                    workers=args.http_workers)
            results["http"] = [level_figures(lv) for lv in levels]
    finally:
        monitor.stop()
    results["load"] = {part: monitor.summary(part) for part in parts}
    return results


def write(results: dict[str, Any], out: Path) -> str:
    rows: list[report.Row] = []
    if results["ingest"]:
        rows += report.ingest_rows(results["ingest"])
    rows += report.turn_rows(results["turn"]) + report.http_rows(results["http"])
    table = report.render(results["machine"], results["load"], rows)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    (out / "benchmarks.md").write_text(table + "\n", encoding="utf-8")
    m = results["machine"]
    title = f"IPO Assistant benchmarks, {m['cores']} cores, {m['started']}"
    plot.render_plot(results["turn"], results["http"], out / "benchmarks.png", title)
    return table


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ipo-bench-") as tmp:
        results = run(args, Path(tmp))
    print(write(results, args.out))
    say(f"wrote {args.out / 'benchmarks.md'}, {args.out / 'benchmarks.png'} and results.json")
    return 1 if any(lv["errors"] for lv in results["http"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
