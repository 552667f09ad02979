"""The benchmark figure: latency and memory against corpus size, and HTTP latency against concurrency."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def render_plot(turn: list[dict[str, Any]], http: list[dict[str, Any]], path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = int(bool(turn)) * 2 + int(bool(http))
    fig, axes = plt.subplots(1, max(panels, 1), figsize=(5.2 * max(panels, 1), 4.2), squeeze=False)
    ax = iter(axes[0])
    if turn:
        sizes = [r["rows"] for r in turn]
        a = next(ax)
        for key, label, style in (("turn", "turn", "o-"), ("raw", "raw embed + query", "o--"),
                                  ("retrieval", "retrieval", "s-"), ("query", "raw Chroma query", "s--")):
            a.plot(sizes, [r[f"{key}_p95"] for r in turn], style, label=f"{label} p95")
        a.axhline(120, color="grey", lw=0.8, ls=":")
        a.axhline(60, color="grey", lw=0.8, ls=":")
        a.set(xscale="log", xlabel="chunks in the index", ylabel="ms", title="Latency (p95) vs corpus size")
        a.legend(fontsize=8)
        b = next(ax)
        b.plot(sizes, [r["peak_rss_mib"] for r in turn], "o-", label="peak RSS")
        b.axhline(1536, color="grey", lw=0.8, ls=":", label="1.5 GB target")
        b.set(xscale="log", xlabel="chunks in the index", ylabel="MiB", title="Memory of a serving process")
        b.legend(fontsize=8)
    if http:
        c = next(ax)
        labels = [f"{lv['concurrency']}" + (f"\n(think {lv['think_s']:g} s)" if lv["think_s"] else "") for lv in http]
        xs = range(len(http))
        c.bar([x - 0.2 for x in xs], [lv["first_byte"][1] * 1000 for lv in http], 0.4, label="first byte p95")
        c.bar([x + 0.2 for x in xs], [lv["total"][1] * 1000 for lv in http], 0.4, label="full turn p95")
        c.set_xticks(list(xs), labels)
        c.set(yscale="log", xlabel="concurrent conversations", ylabel="ms", title="Chat over HTTP (SSE)")
        c.legend(fontsize=8)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
