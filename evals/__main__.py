"""``python -m evals run SUITE... [options]``, ``python -m evals report RESULTS.json --report DIR`` and
``python -m evals gate`` (the committed CI gate, evals/gate.yaml).

Exit status: 0 all gates hold; 1 a threshold, a regression against the baseline, or a case that raised;
2 a usage error, an invalid suite, gate file or setting.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .baseline import DEFAULT_TOLERANCE, compare
from .cases import CaseError
from .gates import check_thresholds, parse_threshold
from .scorers import Detect

DEFAULT_GATE = Path(__file__).resolve().parent / "gate.yaml"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals", description="Score the IPO assistant on YAML suites.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run suites and score the replies")
    run.add_argument("suites", nargs="+", type=Path, metavar="SUITE", help="suite YAML files (any path)")
    run.add_argument("--json", type=Path, help="write the results JSON here")
    run.add_argument("--target", help="base URL of a running server (default: in-process)")
    run.add_argument("--config", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                     help="settings overrides: embedder, top_k, chunk_words, hybrid, curated, pipeline …")
    run.add_argument("--k", type=int, default=5, help="cut-off for source hits and recall (default 5)")
    run.add_argument("--judge", action="store_true",
                     help="add LLM-judge scores (faithfulness, answer relevancy) with the configured IPO_LLM_*")
    run.add_argument("--judge-model", metavar="NAME", help="the judge's model (default: IPO_LLM_MODEL)")
    report = sub.add_parser("report", help="write the report of a saved results JSON")
    report.add_argument("results", type=Path, help="a results JSON written by 'run --json'")
    for p in (run, report):
        p.add_argument("--report", type=Path, required=p is report, metavar="DIR",
                       help="write report.md and report.html here")
        p.add_argument("--baseline", type=Path, help="a prior results JSON to compare with")
        p.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                       help=f"how far a rate may drop before it is a regression (default {DEFAULT_TOLERANCE})")
        p.add_argument("--fail-under", nargs="+", action="extend", default=[], metavar="METRIC=VALUE",
                       help="fail below this value (for counts and latencies: above it)")
    gate = sub.add_parser("gate", help="run the committed CI gate (suites, thresholds, baseline)")
    gate.add_argument("--file", type=Path, default=DEFAULT_GATE, help="the gate file (default evals/gate.yaml)")
    for p in (run, gate):
        p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser


def main(argv: Sequence[str] | None = None, *, detect: Detect | None = None) -> int:
    """``detect`` replaces the reply-language detector (tests pass a fast fake)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "gate":
            _apply_gate_file(args)
        thresholds = [parse_threshold(t) for t in args.fail_under]
        baseline = _read_json(args.baseline) if args.baseline else None
        document = _read_json(args.results) if args.command == "report" else _run(args, detect)
    except (CaseError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    comparison = compare(document, baseline, args.tolerance) if baseline else None
    failures = check_thresholds(document["summary"], thresholds)
    failures += [f"regression: {line}" for line in comparison.regressions] if comparison else []
    if document["summary"].get("errors"):
        failures.append(f"{document['summary']['errors']} case(s) raised an error in the target")
    if args.command != "report" and args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.report:
        from .report import write_report

        write_report(document, args.report, baseline, comparison, failures)
    _print_summary(document["summary"], failures)
    return 1 if failures else 0


def _apply_gate_file(args: argparse.Namespace) -> None:
    from .gate_file import load_gate_file

    gate = load_gate_file(args.file)
    args.suites, args.config, args.k, args.tolerance = gate.suites, gate.config, gate.k, gate.tolerance
    args.baseline, args.fail_under, args.json, args.report = gate.baseline, gate.thresholds, gate.json, gate.report
    args.target = None


def _run(args: argparse.Namespace, detect: Detect | None) -> dict[str, Any]:
    from .session import run_suites

    return run_suites(args.suites, config=args.config, target_url=args.target, k=args.k,
                      baseline=str(args.baseline) if args.baseline else None, progress=not args.no_progress,
                      detect=detect, judge=getattr(args, "judge", False),
                      judge_model=getattr(args, "judge_model", None))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict) or "summary" not in data or "cases" not in data:
        raise ValueError(f"{path}: not a results JSON (needs 'summary' and 'cases')")
    return data


_SHOWN = ("route_accuracy", "source_hit_rate", "citation_accuracy", "must_include_rate", "must_not_violations",
          "language_accuracy", "mrr", "ndcg_at_10", "emergency_recall", "medical_advice_recall",
          "escalate_precision", "latency_ms_p50", "latency_ms_p95", "judge_faithfulness", "judge_relevancy",
          "judge_errors")


def _print_summary(summary: dict[str, Any], failures: Sequence[str]) -> None:
    print(f"{summary['passed']}/{summary['cases']} cases passed")
    recall = [k for k in summary if k.startswith("recall_at_")]
    for key in (*_SHOWN[:6], *recall, *_SHOWN[6:]):
        if key.startswith("judge_") and key not in summary:
            continue
        print(f"  {key:<22} {summary.get(key)}")
    for line in failures:
        print(f"FAILED: {line}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
