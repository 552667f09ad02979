"""The committed gate of CI (``python -m evals gate``): which suites, which thresholds, which baseline.

``evals/gate.yaml``::

    suites: [evals/suites/*.yaml]     # paths or globs, relative to the repository root
    config: {}                        # settings overrides, as --config
    k: 5
    tolerance: 0.02
    baseline: evals/baselines/assistant.json   # optional; a regression against it fails the gate
    thresholds: {route_accuracy: 0.90, must_not_violations: 0}   # as --fail-under; only ever raised
    json: artifacts/evals/results.json         # optional outputs
    report: artifacts/evals
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .baseline import DEFAULT_TOLERANCE

_KEYS = {"suites", "config", "k", "tolerance", "baseline", "thresholds", "json", "report"}


@dataclass(frozen=True)
class GateFile:
    suites: list[Path]
    config: list[str] = field(default_factory=list)
    k: int = 5
    tolerance: float = DEFAULT_TOLERANCE
    baseline: Path | None = None
    thresholds: list[str] = field(default_factory=list)
    json: Path | None = None
    report: Path | None = None


REPO_ROOT = Path(__file__).resolve().parent.parent


def load_gate_file(path: Path, root: Path = REPO_ROOT) -> GateFile:
    """Read and check the gate file; relative paths are taken from ``root`` (the repository)."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the gate file ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    unknown = set(data) - _KEYS
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    suites = sorted({p for pattern in data.get("suites") or [] for p in root.glob(str(pattern))})
    if not suites:
        raise ValueError(f"{path}: 'suites' matches no file")

    def optional(key: str) -> Path | None:
        return root / str(data[key]) if data.get(key) else None

    return GateFile(
        suites=suites,
        config=[f"{k}={v}" for k, v in (data.get("config") or {}).items()],
        k=int(data.get("k", 5)), tolerance=float(data.get("tolerance", DEFAULT_TOLERANCE)),
        baseline=optional("baseline"),
        thresholds=[f"{k}={v}" for k, v in (data.get("thresholds") or {}).items()],
        json=optional("json"), report=optional("report"),
    )
