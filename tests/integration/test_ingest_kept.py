"""A source that fails in a run is a failure, not a deletion: its previously indexed version is kept.

With `--rebuild` (everything re-embedded) as with an incremental run: the failure is reported, the exit status
is non-zero, the document's stored chunks and vectors are carried into the new generation and the summary names
it as kept from the previous index. A deleted source is still dropped, and a document that was never indexed
stays absent. Real embedded Chroma (a fresh directory per test) and the real e5 embedder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.adapters.chroma import ChromaStore
from assistant.ports import Embedder
from tests.fakes import FakeEmbedder
from tests.integration.conftest_ingest import (
    TOPICS,
    embedded_store,
    html_page,
    http_server,
    ingest_dir,
    markdown_doc,
    sitemap,
    top_docs,
    write_corpus,
)
from tests.integration.test_ingest_cli import run_cli

pytestmark = pytest.mark.integration

COSTS_QUESTION = "Who guarantees payment for the treatment?"
BINARY = b"\x00\x01\x02binary\x00"


def chunks_of(store: ChromaStore, doc_id: str) -> dict[str, tuple[str, np.ndarray]]:
    """chunk id → (stored text, vector) of one document in the active generation."""
    data = store.read_all("chunks", str(store.active()["active"]))
    return {i: (text, vector) for i, text, meta, vector
            in zip(data["ids"], data["documents"], data["metadatas"], data["embeddings"], strict=True)
            if meta["doc_id"] == doc_id}


def served_docs(store: ChromaStore) -> set[str]:
    data = store.read_all("chunks", str(store.active()["active"]), embeddings=False)
    return {m["doc_id"] for m in data["metadatas"]}


def test_a_rebuild_keeps_a_document_whose_file_cannot_be_read_and_names_it(
    capsys: pytest.CaptureFixture[str], knowledge: Path, isolated_env: Path, e5_embedder: Embedder,
) -> None:
    assert run_cli(capsys)[0] == 0
    store = embedded_store(isolated_env)
    before = chunks_of(store, "costs")
    bad = knowledge / "docs" / "costs.md"
    bad.write_bytes(BINARY)

    status, table, out, _ = run_cli(capsys, "--rebuild")

    assert status == 1
    assert "generation: g2" in out and store.active()["active"] == "g2"
    assert (table["added"], table["failed"], table["kept"], table["removed"]) == ("3", "1", "1", "0")
    assert f"FAILED   {bad}: binary data, not a text file (NUL bytes found)" in out.splitlines()
    assert "KEPT     costs: kept from the previous index (its source failed in this run)" in out.splitlines()
    assert int(table["embedded"]) == int(table["chunks"]) - len(before)  # everything else was re-embedded
    after = chunks_of(store, "costs")
    assert after.keys() == before.keys()
    assert all(after[c][0] == before[c][0] and np.array_equal(after[c][1], before[c][1]) for c in before)
    assert top_docs(store, e5_embedder, COSTS_QUESTION)[0] == "costs"
    assert table["curated answers"] == "1"  # the curated answer resting on `costs` stays valid


def test_a_rebuild_drops_a_deleted_source_because_deletion_is_not_failure(
    capsys: pytest.CaptureFixture[str], knowledge: Path, isolated_env: Path, e5_embedder: Embedder,
) -> None:
    assert run_cli(capsys)[0] == 0
    (knowledge / "docs" / "mibg.md").unlink()

    status, table, out, _ = run_cli(capsys, "--rebuild")

    assert (status, table["failed"], table["kept"]) == (0, "0", "0")
    assert "KEPT" not in out
    store = embedded_store(isolated_env)
    assert served_docs(store) == set(TOPICS) - {"mibg"}
    assert "mibg" not in top_docs(store, e5_embedder, "How long is the stay for MIBG therapy?")


def test_an_incremental_run_keeps_a_document_whose_file_cannot_be_read_and_names_it(
    capsys: pytest.CaptureFixture[str], knowledge: Path, isolated_env: Path, e5_embedder: Embedder,
) -> None:
    assert run_cli(capsys)[0] == 0
    (knowledge / "docs" / "costs.md").write_bytes(BINARY)
    (knowledge / "docs" / "mibg.md").unlink()  # a real change, so that a new generation is published

    status, table, out, _ = run_cli(capsys)

    assert (status, table["failed"], table["kept"], table["removed"]) == (1, "1", "1", "1")
    assert "KEPT     costs: kept from the previous index (its source failed in this run)" in out
    store = embedded_store(isolated_env)
    assert store.active()["active"] == "g2"
    assert served_docs(store) == set(TOPICS) - {"mibg"}
    assert top_docs(store, e5_embedder, COSTS_QUESTION)[0] == "costs"


def test_a_failed_source_that_was_never_indexed_stays_absent(
    tmp_path: Path, e5_embedder: Embedder,
) -> None:
    docs = write_corpus(tmp_path / "docs")
    store = embedded_store(tmp_path / "data")
    ingest_dir(store, e5_embedder, docs)
    (docs / "school.md").write_text(markdown_doc("school", "School", "Lessons at the hospital school.")[4:])

    for rebuild in (True, False):
        report = ingest_dir(store, e5_embedder, docs, rebuild=rebuild)
        assert ([f.source for f in report.failed], report.kept) == ([str(docs / "school.md")], [])
        assert served_docs(store) == set(TOPICS)


def test_a_rebuild_with_another_embedder_embeds_the_kept_document_again(
    tmp_path: Path, e5_embedder: Embedder,
) -> None:
    docs = write_corpus(tmp_path / "docs")
    store = embedded_store(tmp_path / "data")
    ingest_dir(store, e5_embedder, docs)
    (docs / "costs.md").write_bytes(BINARY)
    fake = FakeEmbedder(name="fake/other")

    report = ingest_dir(store, fake, docs, rebuild=True)

    assert (report.kept, len(report.failed), report.embedded_chunks) == (["costs"], 1, report.chunks)
    assert (store.active()["embedder"], store.active()["dim"]) == ("fake/other", 64)
    assert {vector.shape for _, vector in chunks_of(store, "costs").values()} == {(64,)}  # never two embedders
    assert top_docs(store, fake, "guarantee of payment bank")[0] == "costs"


def test_a_rebuild_keeps_the_pages_of_a_site_that_is_down(tmp_path: Path, e5_embedder: Embedder) -> None:
    store = embedded_store(tmp_path / "data")
    page = html_page("Interpreters for families", [" ".join(TOPICS["interpreter"][1])]).encode()
    routes = {"/care/interpreters": (200, "text/html; charset=utf-8", page)}
    with http_server(routes) as base:
        routes["/sitemap.xml"] = (200, "application/xml", sitemap([f"{base}/care/interpreters"]))
        first = ingest_dir(store, e5_embedder, None, [f"{base}/sitemap.xml"])
        assert first.added == ["interpreters-for-families"]

    report = ingest_dir(store, e5_embedder, None, [f"{base}/sitemap.xml"], rebuild=True)  # the site is down

    assert [(f.source, f.reason) for f in report.failed] == [
        (f"{base}/sitemap.xml", "unreachable (ConnectError)")]
    assert report.kept == ["interpreters-for-families"]
    assert store.active()["active"] == "g2"
    found = top_docs(store, e5_embedder, "Is there an interpreter who speaks Arabic?")
    assert found == ["interpreters-for-families"]
