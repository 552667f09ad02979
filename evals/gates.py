"""Thresholds (``--fail-under METRIC=VALUE``) checked against a summary."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Where a smaller figure is better the threshold is a ceiling: the run fails when the figure is above it.
LOWER_IS_BETTER = frozenset({"must_not_violations", "errors", "latency_ms_p50", "latency_ms_p95"})
KNOWN = frozenset({
    "cases", "passed", "pass_rate", "route_accuracy", "source_hit_rate", "citation_accuracy",
    "must_include_rate", "must_not_violations", "language_accuracy", "mrr", "ndcg_at_10",
    "latency_ms_p50", "latency_ms_p95", "errors", "emergency_recall", "medical_advice_recall",
    "escalate_precision",
})
_NESTED = ("route_metrics", "by_route", "by_lang", "by_tag")


@dataclass(frozen=True)
class Threshold:
    metric: str  # a summary key, or a dotted path such as by_lang.ar.pass_rate
    value: float

    @property
    def is_ceiling(self) -> bool:
        return self.metric.split(".")[-1] in LOWER_IS_BETTER


def parse_threshold(text: str) -> Threshold:
    metric, sep, value = text.partition("=")
    metric = metric.strip()
    if not sep or not metric:
        raise ValueError(f"expected METRIC=VALUE, got {text!r}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"threshold of {metric!r} is not a number: {value!r}") from None
    head, leaf = metric.split(".")[0], metric.split(".")[-1]
    known = _is_figure(head)
    if "." in metric:
        known = head in _NESTED and (_is_figure(leaf) or leaf in {"recall", "precision"})
    if not known:
        raise ValueError(f"unknown metric {metric!r} (e.g. route_accuracy, by_lang.ar.pass_rate)")
    return Threshold(metric, number)


def _is_figure(name: str) -> bool:
    return name in KNOWN or re.fullmatch(r"recall_at_\d+", name) is not None


def lookup(summary: Mapping[str, Any], metric: str) -> Any:
    value: Any = summary
    for part in metric.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def check_thresholds(summary: Mapping[str, Any], thresholds: Sequence[Threshold]) -> list[str]:
    """One line per failed threshold; a figure that does not apply (null) fails too."""
    failures = []
    for t in thresholds:
        value = lookup(summary, t.metric)
        if not isinstance(value, int | float):
            failures.append(f"{t.metric} is null (no case applies), threshold {t.value:g}")
        elif t.is_ceiling and value > t.value:
            failures.append(f"{t.metric} = {value:g} is above the ceiling {t.value:g}")
        elif not t.is_ceiling and value < t.value:
            failures.append(f"{t.metric} = {value:g} is under the threshold {t.value:g}")
    return failures
