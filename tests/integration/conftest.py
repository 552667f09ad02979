"""Integration fixtures: the shipped knowledge base indexed once per session with the real e5 embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answering import Assistant
from assistant.ports import Embedder
from assistant.settings import REPO_ROOT, Settings
from tests.integration.conftest_ingest import write_corpus


def build_index(data_dir: Path, embedder: Embedder, knowledge: Path = REPO_ROOT / "knowledge") -> Settings:
    """Index ``knowledge`` into ``data_dir`` through the real pipeline; returns settings pointing at it."""
    from ingest.run import run_ingestion

    settings = Settings(data_dir=data_dir, knowledge_dir=knowledge)
    report = run_ingestion(settings, embedder)
    assert not report.failed, report.failed
    return settings


@pytest.fixture(scope="session")
def shipped_settings(tmp_path_factory: pytest.TempPathFactory, e5_embedder: Embedder) -> Settings:
    return build_index(tmp_path_factory.mktemp("shipped-index"), e5_embedder)


@pytest.fixture(scope="session")
def shipped_assistant(shipped_settings: Settings, e5_embedder: Embedder) -> Assistant:
    from assistant.wiring import build_assistant

    return build_assistant(shipped_settings, embedder=e5_embedder)


CURATED = """id: who-pays
documents: [costs]
questions:
  en: ["Who pays for the treatment?"]
  nl: ["Wie betaalt de behandeling?"]
answers:
  en: {review: approved, text: "A paying party must guarantee the costs before treatment starts."}
  nl: {review: pending, text: "Een betalende partij moet de kosten vooraf garanderen."}
"""


@pytest.fixture
def knowledge(tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The four-topic corpus and a curated answer that rests on `costs`, named by IPO_KNOWLEDGE_DIR."""
    root = tmp_path / "knowledge"
    write_corpus(root / "docs")
    (root / "curated").mkdir()
    (root / "curated" / "who-pays.yaml").write_text(CURATED, encoding="utf-8")
    monkeypatch.setenv("IPO_KNOWLEDGE_DIR", str(root))
    return root
