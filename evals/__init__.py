"""Evaluation of the IPO assistant: YAML suites, deterministic scorers, reports, baselines and gates.

Run ``python -m evals run SUITE... --json results.json --report DIR``; see README.md.
"""

from __future__ import annotations

from .cases import Case, CaseError, load_suite, load_suites
from .results import CaseResult
from .runner import results_document, run_cases
from .summary import summarize

__all__ = ["Case", "CaseError", "CaseResult", "load_suite", "load_suites", "results_document", "run_cases",
           "summarize"]
