"""Compare a run with a prior results JSON: summary figures side by side, cases that flipped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

INFORMATIONAL = frozenset({"cases", "passed", "errors", "latency_ms_p50", "latency_ms_p95"})
DEFAULT_TOLERANCE = 0.02


@dataclass(frozen=True)
class MetricDelta:
    name: str
    baseline: float | None
    current: float | None
    regressed: bool

    @property
    def delta(self) -> float | None:
        if self.baseline is None or self.current is None:
            return None
        return round(self.current - self.baseline, 4)


@dataclass(frozen=True)
class Comparison:
    metrics: list[MetricDelta]
    newly_failing: list[str] = field(default_factory=list)
    newly_passing: list[str] = field(default_factory=list)
    only_current: int = 0
    only_baseline: int = 0
    tolerance: float = DEFAULT_TOLERANCE

    @property
    def regressions(self) -> list[str]:
        return [_describe(m) for m in self.metrics if m.regressed]


def _describe(m: MetricDelta) -> str:
    if m.name == "must_not_violations":
        return f"must_not_violations rose from {m.baseline:g} to {m.current:g}"
    return f"{m.name} dropped from {m.baseline:g} to {m.current:g}"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def compare_metric(name: str, baseline: Any, current: Any, tolerance: float) -> MetricDelta:
    b, c = _number(baseline), _number(current)
    regressed = False
    if b is not None and c is not None and name not in INFORMATIONAL:
        regressed = c > b if name == "must_not_violations" else c < b - tolerance - 1e-9
    return MetricDelta(name, b, c, regressed)


def compare(current: Mapping[str, Any], baseline: Mapping[str, Any],
            tolerance: float = DEFAULT_TOLERANCE) -> Comparison:
    """``current`` and ``baseline`` are whole results documents ({"summary", "cases"})."""
    now, before = current.get("summary", {}), baseline.get("summary", {})
    names = [n for n in now if _number(now[n]) is not None or _number(before.get(n)) is not None]
    names += [n for n in before if n not in now and _number(before[n]) is not None]
    metrics = [compare_metric(n, before.get(n), now.get(n), tolerance) for n in names]
    then = {c["id"]: bool(c.get("passed")) for c in baseline.get("cases", [])}
    cases = {c["id"]: bool(c.get("passed")) for c in current.get("cases", [])}
    return Comparison(
        metrics=metrics,
        newly_failing=[i for i, ok in cases.items() if i in then and then[i] and not ok],
        newly_passing=[i for i, ok in cases.items() if i in then and ok and not then[i]],
        only_current=len(set(cases) - set(then)), only_baseline=len(set(then) - set(cases)),
        tolerance=tolerance,
    )


def compare_breakdown(current: Mapping[str, Any], baseline: Mapping[str, Any], group: str,
                      tolerance: float = DEFAULT_TOLERANCE) -> list[tuple[str, MetricDelta]]:
    """Pass rate per route / language / tag, side by side (shown in the report, not a gate)."""
    now = current.get("summary", {}).get(group, {})
    before = baseline.get("summary", {}).get(group, {})
    keys = list(now) + [k for k in before if k not in now]
    return [(k, compare_metric("pass_rate", before.get(k, {}).get("pass_rate"),
                               now.get(k, {}).get("pass_rate"), tolerance)) for k in keys]
