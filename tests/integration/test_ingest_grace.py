"""Replaced index generations stay for a grace period, so a running server still reading one keeps answering
until it reloads (real embedded Chroma, real e5 embedder, a clock of our own for the ingestion runs)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.adapters.chroma import ChromaDenseIndex, ChromaStore
from assistant.ports import Embedder
from ingest.loaders import discover, load_sources
from ingest.pipeline import IngestConfig, Ingestor
from tests.integration.conftest_ingest import embedded_store, topic_doc, write_corpus

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 23)
GRACE_S = 900.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def revise(docs: Path, store: ChromaStore, embedder: Embedder, clock: Clock, revision: int) -> str:
    """Change one document and run the pipeline as `python -m ingest` does, with the grace period."""
    (docs / "costs.md").write_text(topic_doc("costs", f"Revision {revision} of this page."), encoding="utf-8")
    loaded = load_sources(discover(docs), [])
    config = IngestConfig(today=TODAY, keep_retired_s=GRACE_S)
    report = Ingestor(store, embedder, config, clock=clock).run(loaded.documents, loaded.failures, [])
    assert report.generation is not None and not report.noop
    return report.generation


def test_a_generation_replaced_twice_within_the_grace_period_still_answers_and_goes_after_it(
        tmp_path: Path, e5_embedder: Embedder) -> None:
    docs, store, clock = write_corpus(tmp_path / "docs"), embedded_store(tmp_path / "data"), Clock()
    assert revise(docs, store, e5_embedder, clock, 0) == "g1"
    server = ChromaDenseIndex(store, e5_embedder.name, e5_embedder.dim, today=TODAY)  # a server reading g1
    query = e5_embedder.embed_queries(["Where can parents sleep during the treatment?"])[0]
    before = [p.chunk_id for p in server.search(query, 3)]
    for revision in (1, 2):  # two runs ten seconds apart: the old policy dropped g1 here
        clock.now += 10
        revise(docs, store, e5_embedder, clock, revision)
    assert store.generations() == {"g1", "g2", "g3"}
    assert [p.chunk_id for p in server.search(query, 3)] == before and server.is_ready()
    assert ChromaStore.retired(store.active()) == {"g1": clock.now - 10, "g2": clock.now}

    clock.now += GRACE_S - 5  # g1 was replaced GRACE_S + 5 s ago, g2 GRACE_S - 5 s ago
    assert revise(docs, store, e5_embedder, clock, 3) == "g4"
    assert store.generations() == {"g2", "g3", "g4"} and not server.is_ready()

    clock.now += 10 * GRACE_S  # long after: only the generation just replaced stays, for the next run
    assert revise(docs, store, e5_embedder, clock, 4) == "g5"
    assert store.generations() == {"g4", "g5"} and set(ChromaStore.retired(store.active())) == {"g4"}
