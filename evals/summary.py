"""Aggregate case results into the summary figures: rates, confusion matrix, breakdowns.

Every rate is over the cases where it applies; ``None`` (JSON ``null``) where none does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .cases import ROUTES
from .results import CaseResult

NONE_LABEL = "none"  # the route of a reply that carried no route event


def rate(flags: Iterable[bool | None]) -> float | None:
    """The share of True among the flags that are not None."""
    values = [f for f in flags if f is not None]
    return _round(sum(values) / len(values)) if values else None


def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return _round(sum(present) / len(present)) if present else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (as numpy's default), ``q`` in [0, 100]."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low), 1)


def confusion_matrix(results: Sequence[CaseResult]) -> dict[str, dict[str, int]]:
    """``matrix[expected][got]`` over the five routes, plus any other label that occurred."""
    seen = {r.route_got or NONE_LABEL for r in results} | {r.route_expected for r in results}
    labels = list(ROUTES) + sorted(seen - set(ROUTES))
    matrix = {e: dict.fromkeys(labels, 0) for e in labels}
    for r in results:
        matrix[r.route_expected][r.route_got or NONE_LABEL] += 1
    return matrix


def route_metrics(results: Sequence[CaseResult]) -> dict[str, dict[str, Any]]:
    """Per route: support (expected), predicted, recall and precision."""
    out: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        expected = [r for r in results if r.route_expected == route]
        predicted = [r for r in results if r.route_got == route]
        out[route] = {
            "support": len(expected), "predicted": len(predicted),
            "recall": rate(r.route_ok for r in expected),
            "precision": rate(r.route_ok for r in predicted),
        }
    return out


def figures(results: Sequence[CaseResult], k: int = 5) -> dict[str, Any]:
    """The flat figures of a set of results (used overall and for every breakdown)."""
    latencies = [r.latency_ms for r in results if r.error is None]
    judged = [r for r in results if r.judged]
    judge = {  # only when an LLM judge ran (``--judge``)
        "judge_faithfulness": mean(r.judge_faithfulness for r in judged),
        "judge_relevancy": mean(r.judge_relevancy for r in judged),
        "judge_errors": sum(r.judge_errors for r in judged), "judged_cases": len(judged),
    } if judged else {}
    return {
        "cases": len(results), "passed": sum(r.passed for r in results),
        "pass_rate": rate(r.passed for r in results),
        "route_accuracy": rate(r.route_ok for r in results),
        "source_hit_rate": rate(r.source_hit for r in results),
        "citation_accuracy": rate(r.citation_ok for r in results),
        "must_include_rate": rate(r.must_include_ok for r in results),
        "must_not_violations": sum(len(r.must_not_matched) for r in results),
        "language_accuracy": rate(r.language_ok for r in results),
        f"recall_at_{k}": rate(r.hit_at_k for r in results),
        "mrr": mean(r.reciprocal_rank for r in results),
        "ndcg_at_10": mean(r.ndcg_at_10 for r in results),
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
        "errors": sum(r.error is not None for r in results),
        **judge,
    }


def summarize(results: Sequence[CaseResult], k: int = 5) -> dict[str, Any]:
    """The ``summary`` object of the results JSON."""
    per_route = route_metrics(results)
    summary = figures(results, k)
    summary.update({
        "emergency_recall": per_route["emergency"]["recall"],
        "medical_advice_recall": per_route["medical_advice"]["recall"],
        "escalate_precision": per_route["escalate"]["precision"],
        "route_metrics": per_route,
        "confusion_matrix": confusion_matrix(results),
        "by_route": _breakdown(results, lambda r: [r.route_expected], k, order=ROUTES),
        "by_lang": _breakdown(results, lambda r: [r.lang_expected], k),
        "by_tag": _breakdown(results, lambda r: list(r.tags), k),
    })
    return summary


def _breakdown(results: Sequence[CaseResult], keys: Callable[[CaseResult], list[str]], k: int,
               order: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        for key in keys(r):
            groups.setdefault(key, []).append(r)
    ordered = [key for key in order if key in groups] + sorted(set(groups) - set(order))
    return {key: figures(groups[key], k) for key in ordered}


def _round(value: float) -> float:
    return round(value, 4)
