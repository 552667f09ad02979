"""The one Markdown table of ``python -m bench``: each figure next to its same-run baseline and its target.

Pure formatting over the plain dicts the benchmark parts return (see ``bench/__main__.py``).
"""

from __future__ import annotations

from typing import Any

Row = tuple[str, str, str, str, str, str]  # part, measure, value, baseline (same run), ratio, target


def _verdict(ok: bool, target: str) -> str:
    return f"{target}: {'met' if ok else '**missed**'}"


def ingest_rows(f: dict[str, Any]) -> list[Row]:
    raw_rate, pipe_rate = f["chunks"] / f["raw_s"], f["chunks"] / f["pipeline_s"]
    ratio, cpu_ratio = pipe_rate / raw_rate, f["raw_cpu_s"] / f["pipeline_cpu_s"]
    return [
        ("ingest", f"throughput, {f['chunks']:.0f} chunks (wall)", f"{pipe_rate:.1f} chunks/s",
         f"raw embedder {raw_rate:.1f} chunks/s", f"{ratio:.2f}×", _verdict(ratio >= 0.85, "≥ 0.85×")),
        ("ingest", "throughput (CPU time)", f"{f['pipeline_cpu_s']:.1f} s CPU", f"raw {f['raw_cpu_s']:.1f} s CPU",
         f"{cpu_ratio:.2f}×", _verdict(cpu_ratio >= 0.85, "≥ 0.85×")),
        ("ingest", "no-op re-ingest, in-process", f"{f['noop_in_process_s']:.2f} s", "", "",
         _verdict(f["noop_in_process_s"] <= 2, "≤ 2 s")),
        ("ingest", "no-op re-ingest, `python -m ingest` (wall, start-up included)", f"{f['noop_cli_s']:.2f} s",
         f"CPU {f['noop_cli_cpu_s']:.2f} s" if "noop_cli_cpu_s" in f else "", "", _verdict(f["noop_cli_s"] <= 2, "≤ 2 s")),
    ]


def turn_rows(rows: list[dict[str, Any]]) -> list[Row]:
    out: list[Row] = []
    for r in rows:
        size = f"{r['rows']:,} chunks"
        at_10k = 9_000 <= r["rows"] <= 11_000
        target = _verdict(r["turn_p50"] <= 50 and r["turn_p95"] <= 120, "p50 ≤ 50, p95 ≤ 120 ms") if at_10k else ""
        out.append(("turn", f"one turn, no LLM, {size} (p50 / p95)", f"{r['turn_p50']:.0f} / {r['turn_p95']:.0f} ms",
                    f"embed + Chroma query {r['raw_p50']:.0f} / {r['raw_p95']:.0f} ms",
                    f"{r['turn_p50'] / r['raw_p50']:.2f}× / {r['turn_p95'] / r['raw_p95']:.2f}×", target))
        big = r["rows"] >= 90_000
        out.append(("turn", f"retrieval only, {size} (p50 / p95)",
                    f"{r['retrieval_p50']:.1f} / {r['retrieval_p95']:.1f} ms",
                    f"Chroma query {r['query_p50']:.1f} / {r['query_p95']:.1f} ms",
                    f"{r['retrieval_p95'] / r['query_p95']:.2f}× (p95)",
                    _verdict(r["retrieval_p95"] <= 60, "p95 ≤ 60 ms") if big else ""))
        out.append(("turn", f"peak RSS, {size} (start-up {r['startup_s']:.0f} s)", f"{r['peak_rss_mib']:,.0f} MiB", "",
                    "", _verdict(r["peak_rss_mib"] <= 1536, "≤ 1.5 GB") if big else ""))
    return out


def http_rows(levels: list[dict[str, Any]]) -> list[Row]:
    out: list[Row] = []
    for lv in levels:
        c, think = lv["concurrency"], lv["think_s"]
        label = f"{c} concurrent" + (f", {think:g} s between turns" if think else ", back to back")
        first, full = lv["first_byte"], lv["total"]
        first_target = _verdict(first[1] <= 0.150, "p95 ≤ 150 ms") if c == 20 else ""
        full_target = _verdict(lv["errors"] == 0 and full[1] <= 1.0, "0 errors, p95 ≤ 1 s") if c == 100 else ""
        out.append(("http", f"first SSE byte, {label} (p50 / p95)", f"{first[0] * 1000:.0f} / {first[1] * 1000:.0f} ms",
                    "", "", first_target))
        out.append(("http", f"full turn, {label} (p50 / p95)", f"{full[0] * 1000:.0f} / {full[1] * 1000:.0f} ms",
                    f"{lv['turns']} turns, {lv['errors']} errors, {lv['rate']:.1f} turns/s", "", full_target))
    return out


def render(machine: dict[str, Any], load: dict[str, dict[str, float]], rows: list[Row]) -> str:
    loads = ", ".join(f"{part} {v['mean']:.1f} (min {v['min']:.1f}, max {v['max']:.1f})" for part, v in load.items())
    lines = [
        f"Machine: {machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB, Python "
        f"{machine['python']}; {machine['started']}. 1-minute load average while measuring: {loads}.",
        "",
        "| part | measure | value | baseline, same run | ratio | target |",
        "|---|---|---:|---|---:|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
