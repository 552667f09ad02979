"""The human-readable report of a run: Markdown and a self-contained HTML page with embedded plots."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import plots
from .baseline import Comparison, compare_breakdown
from .render import Table, fmt, render_html, render_markdown

_GROUP_COLUMNS = ("cases", "passed", "pass_rate", "route_accuracy", "language_accuracy", "source_hit_rate",
                  "must_include_rate", "must_not_violations", "latency_ms_p50")
_SUMMARY_SKIP = frozenset({"route_metrics", "confusion_matrix", "by_route", "by_lang", "by_tag"})
REPLY_CHARS_MD = 400


def summary_table(summary: Mapping[str, Any], comparison: Comparison | None) -> Table:
    if comparison is None:
        rows = [[k, fmt(v)] for k, v in summary.items() if k not in _SUMMARY_SKIP]
        return Table("Summary", ["metric", "value"], rows)
    rows, flags = [], []
    for m in comparison.metrics:
        rows.append([m.name, fmt(m.baseline), fmt(m.current), fmt(m.delta, signed=True),
                     "REGRESSION" if m.regressed else ""])
        flags.append(m.regressed)
    note = f"Regression: a rate down by more than {comparison.tolerance:g}, or must_not_violations up."
    return Table("Summary vs baseline", ["metric", "baseline", "current", "delta", ""], rows, flags, note)


def routes_table(summary: Mapping[str, Any]) -> Table:
    rows = [[route, fmt(m["support"]), fmt(m["predicted"]), fmt(m["recall"]), fmt(m["precision"])]
            for route, m in summary.get("route_metrics", {}).items()]
    return Table("Per route", ["route", "expected", "given", "recall", "precision"], rows)


def confusion_table(summary: Mapping[str, Any]) -> Table:
    matrix = summary.get("confusion_matrix", {})
    labels = list(matrix)
    rows = [[e] + [fmt(matrix[e].get(g, 0)) for g in labels] for e in labels]
    return Table("Confusion matrix (rows: expected, columns: given)", ["expected \\ given", *labels], rows)


def group_table(doc: Mapping[str, Any], group: str, title: str,
                baseline: Mapping[str, Any] | None, tolerance: float) -> Table:
    figures = doc["summary"].get(group, {})
    headers = [group.removeprefix("by_"), *_GROUP_COLUMNS]
    deltas = dict(compare_breakdown(doc, baseline, group, tolerance)) if baseline else {}
    if baseline:
        headers += ["baseline pass_rate", "delta"]
    rows, flags = [], []
    for key in list(figures) + [k for k in deltas if k not in figures]:
        row = [key] + [fmt(figures.get(key, {}).get(c)) for c in _GROUP_COLUMNS]
        if baseline:
            d = deltas[key]
            row += [fmt(d.baseline), fmt(d.delta, signed=True)]
        rows.append(row)
        flags.append(bool(baseline) and deltas[key].regressed)
    return Table(title, headers, rows, flags)


def problems(case: Mapping[str, Any]) -> str:
    out = []
    if case.get("error"):
        out.append(f"error: {case['error']}")
    if case.get("route_got") != case.get("route_expected"):
        out.append(f"route {case.get('route_got')} (expected {case.get('route_expected')})")
    if case.get("lang_got") != case.get("lang_expected"):
        out.append(f"language {case.get('lang_got')} (expected {case.get('lang_expected')})")
    if case.get("source_hit") is False:
        out.append("no expected source retrieved and cited")
    out += [f"missing /{p}/" for p in case.get("must_include_failed", [])]
    out += [f"forbidden /{p}/ matched" for p in case.get("must_not_matched", [])]
    return "; ".join(out)


def failing_table(cases: Sequence[Mapping[str, Any]], newly_failing: Sequence[str], full_reply: bool) -> Table:
    rows, flags = [], []
    for case in cases:
        if case.get("passed"):
            continue
        reply = case.get("reply", "")
        if not full_reply and len(reply) > REPLY_CHARS_MD:
            reply = reply[:REPLY_CHARS_MD] + " …"
        rows.append([case["id"], problems(case), " ⏎ ".join(case.get("turns", [])), reply,
                     ", ".join(case.get("sources", [])), ", ".join(case.get("retrieved", [])),
                     ", ".join(case.get("cited", []))])
        flags.append(case["id"] in newly_failing)
    note = "Cases that passed in the baseline and fail now are marked." if newly_failing else ""
    return Table(f"Failing cases ({len(rows)})",
                 ["id", "problems", "turns", "reply", "expected sources", "retrieved", "cited"], rows, flags, note)


JUDGE_LOW = 0.5


def judge_table(cases: Sequence[Mapping[str, Any]]) -> Table | None:
    """Answered cases an LLM judge scored low (``--judge``), passed or not: they deserve a human look."""
    judged = [c for c in cases if "judge_faithfulness" in c.get("scores", {})]
    if not judged:
        return None
    rows = []
    for case in judged:
        scores = case["scores"]
        low = [k for k in ("judge_faithfulness", "judge_relevancy")
               if scores.get(k) is not None and scores[k] < JUDGE_LOW]
        if low:
            rows.append([case["id"], fmt(scores.get("judge_faithfulness")), fmt(scores.get("judge_relevancy")),
                         scores.get("judge_detail", ""), " ⏎ ".join(case.get("turns", [])), case.get("reply", "")])
    note = f"{len(judged)} answered case(s) judged; listed: a score below {JUDGE_LOW:g}. The judge never decides 'passed'."
    return Table(f"Judged low ({len(rows)})", ["id", "faithfulness", "relevancy", "unsupported / reason", "turns",
                                               "reply"], rows, [True] * len(rows), note)


def case_changes_table(comparison: Comparison) -> Table:
    rows = [[i, "passed → FAILS"] for i in comparison.newly_failing]
    rows += [[i, "failed → passes"] for i in comparison.newly_passing]
    note = (f"{comparison.only_current} case(s) only in this run, "
            f"{comparison.only_baseline} only in the baseline.")
    return Table("Cases that changed against the baseline", ["id", "change"], rows,
                 [True] * len(comparison.newly_failing) + [False] * len(comparison.newly_passing), note)


def build_tables(doc: Mapping[str, Any], baseline: Mapping[str, Any] | None,
                 comparison: Comparison | None, full_reply: bool) -> list[Table]:
    summary = doc["summary"]
    tolerance = comparison.tolerance if comparison else 0.0
    tables = [summary_table(summary, comparison)]
    if comparison is not None:
        tables.append(case_changes_table(comparison))
    tables += [routes_table(summary), confusion_table(summary)]
    for group, title in (("by_route", "By route"), ("by_lang", "By language"), ("by_tag", "By tag")):
        tables.append(group_table(doc, group, title, baseline, tolerance))
    tables.append(failing_table(doc["cases"], comparison.newly_failing if comparison else [], full_reply))
    judged = judge_table(doc["cases"])
    if judged is not None:
        tables.append(judged)
    return tables


def render_plots(doc: Mapping[str, Any]) -> dict[str, bytes]:
    summary = doc["summary"]
    latencies = [c["latency_ms"] for c in doc["cases"] if not c.get("error")]
    return {
        "Pass rate, route and language accuracy by language": plots.language_bars(summary.get("by_lang", {})),
        "Route confusion matrix": plots.confusion_heatmap(summary.get("confusion_matrix", {})),
        "Latency": plots.latency_histogram(latencies, summary.get("latency_ms_p50"),
                                           summary.get("latency_ms_p95")),
    }


def write_report(doc: Mapping[str, Any], out_dir: Path, baseline: Mapping[str, Any] | None = None,
                 comparison: Comparison | None = None, gate_failures: Sequence[str] = ()) -> list[Path]:
    """Write ``report.md`` and ``report.html`` (images embedded as base64) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    run = doc.get("run", {})
    title = "IPO Assistant evaluation" + (f" — {run['target']}" if run.get("target") else "")
    header = _header_lines(doc, gate_failures)
    markdown = render_markdown(title, header, build_tables(doc, baseline, comparison, full_reply=False))
    images = {name: plots.data_uri(png) for name, png in render_plots(doc).items()}
    page = render_html(title, header, build_tables(doc, baseline, comparison, full_reply=True), images)
    paths = [out_dir / "report.md", out_dir / "report.html"]
    paths[0].write_text(markdown, encoding="utf-8")
    paths[1].write_text(page, encoding="utf-8")
    return paths


def _header_lines(doc: Mapping[str, Any], gate_failures: Sequence[str]) -> list[str]:
    run, summary = doc.get("run", {}), doc["summary"]
    lines = [f"{summary['passed']} of {summary['cases']} cases passed."]
    if run.get("suites"):
        lines.append("Suites: " + ", ".join(run["suites"]))
    if run.get("config"):
        lines.append("Config: " + ", ".join(f"{k}={v}" for k, v in run["config"].items()))
    if run.get("baseline"):
        lines.append(f"Baseline: {run['baseline']}")
    lines += [f"GATE FAILED: {line}" for line in gate_failures]
    return lines
