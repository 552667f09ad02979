"""One evaluation run from the CLI's arguments: suites, settings, knowledge index, target, results."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .cases import Case, check_sources, load_suites
from .cli_config import parse_overrides
from .documents import DocumentIndex, load_documents
from .judge import Judge
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
               detect: Detect | None = None, judge: bool = False, judge_model: str | None = None,
               ) -> dict[str, Any]:
    """Validate everything first, then run; returns the results document. ``judge``: add LLM-judge scores
    with the configured LLM (``IPO_LLM_*``; ``judge_model`` overrides the model name)."""
    from assistant.settings import Settings, load_settings

    cases = load_suites(suites)
    overrides = parse_overrides(config, list(Settings.model_fields))
    settings = load_settings(**overrides)
    docs_dir = Path(settings.knowledge_dir) / "docs"
    knowledge = load_documents(docs_dir) if docs_dir.is_dir() else []
    documents = DocumentIndex(knowledge)
    llm_judge = build_judge(settings, {d.id: d.body for d in knowledge}, judge_model) if judge else None
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
                            progress=tqdm_progress if progress else _as_is, judge=llm_judge)
    finally:
        close = getattr(target, "close", None)
        if callable(close):
            close()
    run = {"suites": [str(s) for s in suites], "target": target.name, "k": k,
           "config": {key: value for key, value in overrides.items()}, "baseline": baseline,
           **({"judge": llm_judge.name} if llm_judge else {})}
    return results_document(results, k, run)


def build_judge(settings: Any, bodies: dict[str, str], model: str | None = None) -> Judge:
    """The LLM judge from the assistant's LLM settings; a clear error when no LLM is configured."""
    from assistant.adapters.llm import build_chat_model

    chat = build_chat_model(settings.model_copy(update={"llm_model": model}) if model else settings)
    if chat is None:
        raise ValueError("--judge needs an LLM: set IPO_LLM_PROVIDER (openai, anthropic or ollama), "
                         "IPO_LLM_MODEL and, where needed, IPO_LLM_BASE_URL / IPO_LLM_API_KEY")
    return Judge(chat, bodies)


def _as_is(cases: Sequence[Case]) -> Iterable[Case]:
    return cases
