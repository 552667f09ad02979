"""Incremental, atomic ingestion into a new index generation.

Unchanged documents keep their vectors (copied from the active generation by content hash), changed and
new ones are embedded, removed ones are left out, and a document whose source failed in this run keeps its
previous version (``carried.py``; with ``--rebuild`` too). Only when the new generation is complete is the
pointer flipped; a run killed midway leaves the previous generation serving and the next run starts afresh.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from assistant.adapters.chroma import ChromaStore, add_rows, curated_to_json
from assistant.errors import EmbedderMismatchError
from assistant.ports import Embedder
from assistant.types import Chunk, CuratedAnswer, Document

from .carried import Carried, failed_rows, no_rows
from .chunking import chunk_document
from .curated import curated_hash
from .loaders import Failure

Progress = Callable[[int, int], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # source failed: the previous version is carried over
    chunks: int = 0
    embedded_chunks: int = 0
    curated: int = 0
    generation: str | None = None
    seconds: float = 0.0
    dry_run: bool = False
    noop: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "added": len(self.added), "updated": len(self.updated), "unchanged": len(self.unchanged),
            "removed": len(self.removed), "expired": len(self.expired), "failed": len(self.failed),
            "kept": len(self.kept), "chunks": self.chunks, "embedded": self.embedded_chunks,
            "curated": self.curated, "generation": self.generation, "seconds": round(self.seconds, 2),
        }


@dataclass(frozen=True)
class IngestConfig:
    chunk_words: int = 180
    overlap_words: int = 30
    rebuild: bool = False
    dry_run: bool = False
    today: date = field(default_factory=date.today)
    keep_retired_s: float = 0.0  # replaced generations kept this long (the one just replaced always stays)


def doc_hash(doc: Document, chunks: list[Chunk]) -> str:
    payload = json.dumps(
        [doc.id, doc.title, doc.source, doc.institution, doc.language, doc.reviewed, doc.topics,
         doc.expires.isoformat() if doc.expires else None, [c.id for c in chunks]],
        ensure_ascii=False,
    )
    return hashlib.sha1(payload.encode()).hexdigest()[:16]


def chunk_metadata(doc: Document, chunk: Chunk, digest: str) -> dict[str, Any]:
    return {
        "doc_id": doc.id, "title": doc.title, "source": doc.source, "language": doc.language,
        "institution": doc.institution, "heading": " > ".join(chunk.heading_path), "position": chunk.position,
        "expires": int(doc.expires.strftime("%Y%m%d")) if doc.expires else 0, "doc_hash": digest,
        "origin": doc.origin, "display": chunk.text, "topics": ",".join(doc.topics),
    }


def _dedupe(documents: list[Document], report: IngestReport, indexed: dict[str, str]) -> list[Document]:
    """One document per id: the one already indexed under it (same origin) wins, else the first found."""
    by_id: dict[str, list[Document]] = {}
    for doc in documents:
        by_id.setdefault(doc.id, []).append(doc)
    kept = []
    for doc in documents:
        group = by_id[doc.id]
        winner = next((d for d in group if d.origin == indexed.get(doc.id)), group[0])
        if doc is winner:
            kept.append(doc)
        else:
            report.failed.append(Failure(doc.origin, f"duplicate id {doc.id!r} (already used by {winner.origin})"))
    return kept


class Ingestor:
    def __init__(self, store: ChromaStore, embedder: Embedder, config: IngestConfig,
                 clock: Callable[[], float] = time.time, before_publish: Callable[[], None] | None = None) -> None:
        self._store = store
        self._embedder = embedder
        self._config = config
        self._clock = clock
        self._before_publish = before_publish  # e.g. the writer lock's check: raises if the lock was lost

    def run(
        self, documents: list[Document], failures: list[Failure], curated: list[CuratedAnswer],
        progress: Progress | None = None,
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport(failed=list(failures), dry_run=self._config.dry_run)
        active = self._store.active()
        self._check_embedder(active)
        # The active generation's rows: reused by an incremental run; a rebuild reads them only to keep the
        # documents whose source failed (``carried.py``).
        previous = self._previous_rows(active, needed=not self._config.rebuild or bool(failures))
        old = no_rows() if self._config.rebuild else previous
        documents = _dedupe(documents, report, {m["doc_id"]: m.get("origin", "") for m in old["metadatas"]})
        live = [d for d in documents if not (d.expires and d.expires < self._config.today)]
        report.expired = sorted(d.id for d in documents if d not in live)
        plan = self._plan(live, old, report)
        kept_rows = failed_rows(previous, failures, {d.id for d in live})
        carried = Carried(previous, kept_rows, self._same_embedder(active))
        report.kept = carried.doc_ids
        report.removed = [d for d in report.removed if d not in report.kept]
        old_curated = self._old_curated(active)
        curated_same = {e.id: curated_hash(e) for e in curated} == {
            k: v[0] for k, v in old_curated.items()
        }
        report.chunks = sum(len(chunks) for _, chunks, _ in plan) + len(carried.rows)
        report.curated = len(curated)
        changed = report.added or report.updated or report.removed or not curated_same
        if active and not changed and not self._config.rebuild:
            report.noop, report.generation = True, str(active["active"])
        elif not self._config.dry_run:
            report.generation = self._publish(plan, old, carried, curated, old_curated, report, progress)
        report.seconds = time.perf_counter() - started
        return report

    def _check_embedder(self, active: dict[str, Any] | None) -> None:
        if not active or self._config.rebuild:
            return
        if not self._same_embedder(active):
            raise EmbedderMismatchError(
                f"the index holds {active.get('embedder')} ({active.get('dim')}-d) vectors; the configured "
                f"embedder is {self._embedder.name} ({self._embedder.dim}-d). Run with --rebuild to re-embed."
            )

    def _same_embedder(self, active: dict[str, Any] | None) -> bool:
        if not active:
            return False
        return active.get("embedder") == self._embedder.name and int(active.get("dim", 0)) == self._embedder.dim

    def _previous_rows(self, active: dict[str, Any] | None, needed: bool) -> dict[str, Any]:
        if not active or not needed:
            return no_rows()
        return self._store.read_all("chunks", str(active["active"]))

    def _old_curated(self, active: dict[str, Any] | None) -> dict[str, tuple[str, list[int], dict[str, Any]]]:
        """curated id → (hash, row indices, the generation's raw rows)."""
        if not active or self._config.rebuild:
            return {}
        data = self._store.read_all("curated", str(active["active"]))
        found: dict[str, tuple[str, list[int], dict[str, Any]]] = {}
        for n, meta in enumerate(data["metadatas"]):
            cid = str(meta["curated_id"])
            digest, rows, _ = found.get(cid, (str(meta.get("hash", "")), [], data))
            found[cid] = (digest, [*rows, n], data)
        return found

    def _plan(
        self, docs: list[Document], old: dict[str, Any], report: IngestReport,
    ) -> list[tuple[Document, list[Chunk], str]]:
        old_hash = {m["doc_id"]: m["doc_hash"] for m in old["metadatas"]}
        plan = []
        for doc in docs:
            chunks = chunk_document(doc, self._config.chunk_words, self._config.overlap_words)
            digest = doc_hash(doc, chunks)
            if doc.id not in old_hash:
                report.added.append(doc.id)
            elif old_hash[doc.id] != digest:
                report.updated.append(doc.id)
            else:
                report.unchanged.append(doc.id)
            plan.append((doc, chunks, digest))
        report.removed = sorted(set(old_hash) - {d.id for d in docs})
        return plan

    def _publish(
        self, plan: list[tuple[Document, list[Chunk], str]], old: dict[str, Any], carried: Carried,
        curated: list[CuratedAnswer], old_curated: dict[str, tuple[str, list[int], dict[str, Any]]],
        report: IngestReport, progress: Progress | None,
    ) -> str:
        generation = self._store.new_generation()
        active = self._store.active()
        previous = str((active or {}).get("active", ""))
        in_grace = self._in_grace(active)
        self._store.drop_generations(keep={previous, *in_grace})  # leftovers of a run that was killed midway
        chunks_col = self._store.collection("chunks", generation, create=True)
        self._write_chunks(chunks_col, plan, old, carried, report, progress)
        self._write_curated(self._store.collection("curated", generation, create=True), curated, old_curated)
        retired = {**in_grace, **({previous: self._clock()} if previous else {})}
        if self._before_publish:
            self._before_publish()
        self._store.activate(generation, self._embedder.name, self._embedder.dim, report.summary(), retired)
        # Replaced generations stay while a running server may still read them: the one just replaced until
        # the next run at least, and each for ``keep_retired_s`` after it was replaced (servers reload sooner).
        self._store.drop_generations(keep={generation, *retired})
        return generation

    def _in_grace(self, active: dict[str, Any] | None) -> dict[str, float]:
        """Generations replaced less than ``keep_retired_s`` ago, with when they were replaced."""
        now = self._clock()
        return {g: t for g, t in ChromaStore.retired(active).items() if now - t < self._config.keep_retired_s}

    def _write_chunks(
        self, collection: Any, plan: list[tuple[Document, list[Chunk], str]], old: dict[str, Any],
        carried: Carried, report: IngestReport, progress: Progress | None,
    ) -> None:
        old_index = {cid: n for n, cid in enumerate(old["ids"])}
        keep_rows: list[int] = []
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        if carried.same_embedder:
            _copy_rows(collection, carried.data, carried.rows)
        else:  # a rebuild with another embedder: the kept chunks' stored texts are embedded again
            ids, texts, metas = carried.columns()
        for doc, chunks, digest in plan:
            reuse = doc.id in report.unchanged
            for chunk in chunks:
                if reuse and chunk.id in old_index:
                    keep_rows.append(old_index[chunk.id])
                    continue
                ids.append(chunk.id)
                texts.append(chunk.metadata["embed_text"])
                metas.append(chunk_metadata(doc, chunk, digest))
        _copy_rows(collection, old, keep_rows)
        batch = 64
        if progress and ids:
            progress(0, len(ids))
        for start in range(0, len(ids), batch):
            end = start + batch
            vectors = self._embedder.embed_passages(texts[start:end])
            add_rows(collection, ids[start:end], vectors, texts[start:end], metas[start:end])
            if progress:
                progress(min(end, len(ids)), len(ids))
        report.embedded_chunks = len(ids)

    def _write_curated(
        self, collection: Any, curated: list[CuratedAnswer],
        old: dict[str, tuple[str, list[int], dict[str, Any]]],
    ) -> None:
        for entry in curated:
            digest = curated_hash(entry)
            if entry.id in old and old[entry.id][0] == digest:
                _, rows, data = old[entry.id]
                add_rows(collection, [data["ids"][n] for n in rows], data["embeddings"][rows],
                         [data["documents"][n] for n in rows], [data["metadatas"][n] for n in rows])
                continue
            rows_q = [(lang, q) for lang, qs in entry.questions.items() for q in qs]
            vectors = self._embedder.embed_queries([q for _, q in rows_q])
            ids = [f"{entry.id}:{lang}:{n}" for n, (lang, _) in enumerate(rows_q)]
            metas = [{"curated_id": entry.id, "lang": lang, "kind": "question", "hash": digest}
                     for lang, _ in rows_q]
            ids.append(f"{entry.id}:entry")
            metas.append({"curated_id": entry.id, "lang": "", "kind": "entry", "hash": digest})
            docs = [q for _, q in rows_q] + [curated_to_json(entry)]
            answer_vector = self._embedder.embed_passages([entry.answers["en"]])  # what the answer says
            add_rows(collection, ids, np.vstack([vectors, answer_vector]), docs, metas)


def _copy_rows(collection: Any, data: dict[str, Any], rows: list[int]) -> None:
    """Rows of an earlier generation written as they are: ids, vectors, stored texts and metadata."""
    if rows:
        add_rows(collection, [data["ids"][n] for n in rows], data["embeddings"][rows],
                 [data["documents"][n] for n in rows], [data["metadatas"][n] for n in rows])
