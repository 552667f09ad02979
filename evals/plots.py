"""Matplotlib figures of a run as PNG bytes (no pyplot, no global state, fixed metadata)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

_BARS = (("pass_rate", "passed"), ("route_accuracy", "route"), ("language_accuracy", "language"))


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def _empty(title: str) -> bytes:
    fig = Figure(figsize=(4.0, 1.6))
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, f"{title}: no data", ha="center", va="center")
    return _png(fig)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def language_bars(by_lang: Mapping[str, Mapping[str, Any]]) -> bytes:
    """Grouped bars per language: pass rate, route accuracy, language accuracy."""
    langs = list(by_lang)
    if not langs:
        return _empty("By language")
    fig = Figure(figsize=(max(6.0, 0.8 * len(langs) + 2), 3.6))
    ax = fig.add_subplot()
    width = 0.8 / len(_BARS)
    for i, (key, label) in enumerate(_BARS):
        values = [by_lang[lang].get(key) or 0.0 for lang in langs]
        ax.bar([x + (i - 1) * width for x in range(len(langs))], values, width, label=label)
    ax.set_xticks(range(len(langs)), [f"{lang}\n({by_lang[lang].get('cases', 0)})" for lang in langs])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("rate")
    ax.set_title("By language (cases)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def confusion_heatmap(matrix: Mapping[str, Mapping[str, int]]) -> bytes:
    """Rows: expected route; columns: route given; cells annotated with counts."""
    labels = list(matrix)
    if not labels:
        return _empty("Route confusion matrix")
    counts = [[matrix[e].get(g, 0) for g in labels] for e in labels]
    fig = Figure(figsize=(1.1 * len(labels) + 2.5, 0.9 * len(labels) + 1.5))
    ax = fig.add_subplot()
    image = ax.imshow(counts, cmap="Blues")
    top = max((max(row) for row in counts), default=0)
    for r, row in enumerate(counts):
        for c, n in enumerate(row):
            colour = "white" if top and n > top / 2 else "black"
            ax.text(c, r, str(n), ha="center", va="center", color=colour, fontsize="small")
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("route given")
    ax.set_ylabel("route expected")
    ax.set_title("Route confusion matrix")
    fig.colorbar(image, ax=ax, shrink=0.8)
    return _png(fig)


def latency_histogram(latencies: Sequence[float], p50: float | None, p95: float | None) -> bytes:
    fig = Figure(figsize=(6.5, 3.2))
    ax = fig.add_subplot()
    ax.hist(list(latencies) or [0.0], bins=min(30, max(5, len(latencies) // 3)), color="#6b8fb3")
    for value, label, style in ((p50, "p50", "--"), (p95, "p95", ":")):
        if value is not None:
            ax.axvline(value, color="black", linestyle=style, label=f"{label} {value:.0f} ms")
    ax.set_xlabel("latency of the scored reply (ms)")
    ax.set_ylabel("cases")
    ax.set_title("Latency")
    if p50 is not None:
        ax.legend(fontsize="small")
    return _png(fig)
