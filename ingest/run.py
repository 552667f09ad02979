"""run_ingestion(settings, embedder): load knowledge/, take the writer lock, and publish a new generation.
Used by the CLI, the tests and the benchmarks, so all of them exercise the same path."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.adapters.chroma import ChromaStore, build_chroma_client
from assistant.errors import AssistantError
from assistant.locking import writer_lock
from assistant.ports import Embedder
from assistant.settings import Settings

from .carried import kept_documents
from .curated import load_curated
from .loaders import discover, load_sources
from .pipeline import IngestConfig, Ingestor, IngestReport, Progress


class EmptyInputError(AssistantError):
    """Every source failed to load; the index is left as it was rather than emptied."""


def run_ingestion(
    settings: Settings, embedder: Embedder, *, knowledge: Path | None = None, urls: Sequence[str] = (),
    rebuild: bool = False, dry_run: bool = False, progress: Progress | None = None,
) -> IngestReport:
    root = knowledge or settings.knowledge_dir
    loaded = load_sources(discover(root / "docs" if (root / "docs").is_dir() else root), urls)
    with writer_lock(settings) as lease:
        store = ChromaStore(build_chroma_client(settings.data_dir, settings.chroma_url), settings.collection_prefix)
        if not loaded.documents and store.active():
            reasons = "; ".join(f"{f.source}: {f.reason}" for f in loaded.failures) or "no source found"
            raise EmptyInputError(f"no document could be loaded ({reasons}); the index was left unchanged")
        # A curated answer may rest on a document kept from the previous index (its source failed this time).
        known = {d.id for d in loaded.documents}
        kept = kept_documents(store, loaded.failures, known)
        curated, curated_failures = load_curated(root / "curated", known | kept)
        config = IngestConfig(settings.chunk_words, settings.chunk_overlap_words, rebuild, dry_run,
                              keep_retired_s=settings.index_keep_s)
        return Ingestor(store, embedder, config, before_publish=lease.verify).run(
            loaded.documents, loaded.failures + curated_failures, curated, progress=progress
        )
