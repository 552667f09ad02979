"""One evaluation run from the CLI's arguments: suites, settings, knowledge index, target, results."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .cases import Case, check_sources, load_suites
from .cli_config import parse_overrides
from .documents import DocumentIndex
from .runner import results_document, run_cases
from .scorers import Detect
from .targets import Target, build_target

log = logging.getLogger(__name__)


def build_detector() -> Detect:
    """The assistant's own language detector, applied to the reply text."""
    from assistant.language import LanguageDetector

    detector = LanguageDetector()
    return lambda text: detector.detect(text).language


def tqdm_progress(cases: Sequence[Case]) -> Iterable[Case]:
    from tqdm import tqdm

    bar: Iterable[Case] = tqdm(cases, desc="cases", unit="case", file=sys.stderr, dynamic_ncols=True)
    return bar


def run_suites(suites: Sequence[Path], config: Sequence[str] = (), target_url: str | None = None, k: int = 5,
               baseline: str | None = None, progress: bool = True, target: Target | None = None,
               detect: Detect | None = None) -> dict[str, Any]:
    """Validate everything first, then run; returns the results document."""
    from assistant.settings import Settings, load_settings

    cases = load_suites(suites)
    overrides = parse_overrides(config, list(Settings.model_fields))
    settings = load_settings(**overrides)
    documents = DocumentIndex.from_dir(Path(settings.knowledge_dir) / "docs")
    if len(documents):
        check_sources(cases, documents.resolve)
    else:
        log.warning("no knowledge documents under %s: source entries are taken as document ids",
                    settings.knowledge_dir)
    if target_url and set(overrides) - {"knowledge_dir"}:
        log.warning("--config does not change a remote target; it only applies in-process")
    target = target or build_target(settings, target_url)
    try:
        results = run_cases(cases, target, documents, detect or build_detector(), k,
                            progress=tqdm_progress if progress else _as_is)
    finally:
        close = getattr(target, "close", None)
        if callable(close):
            close()
    run = {"suites": [str(s) for s in suites], "target": target.name, "k": k,
           "config": {key: value for key, value in overrides.items()}, "baseline": baseline}
    return results_document(results, k, run)


def _as_is(cases: Sequence[Case]) -> Iterable[Case]:
    return cases
