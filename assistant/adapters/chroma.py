"""Chroma: the vector store, embedded (PersistentClient) or a Chroma server (HttpClient).

Chroma never embeds here: vectors are always passed in. Each ingestion run writes a new *generation*
(``<prefix>_chunks_<gen>`` and ``<prefix>_curated_<gen>``) and then flips one pointer in the metadata of
``<prefix>_meta``; readers follow the pointer, so a run killed midway leaves the old generation serving.
"""

from __future__ import annotations

import ctypes
import json
import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from ..errors import IndexNotReadyError
from ..ports import Vectors
from ..types import CuratedAnswer, CuratedIndexData, Passage

_BATCH = 2000
_REPEATED = frozenset({"doc_id", "title", "source", "language", "heading"})
_PAGE = 10_000  # rows per `get`: SQLite allows 32,766 variables in one statement


def build_chroma_client(data_dir: Path, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    path = Path(data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class ChromaStore:
    """Generations of the chunk and curated collections plus the active-generation pointer."""

    def __init__(self, client: Any, prefix: str = "ipo") -> None:
        self._client = client
        self._prefix = prefix

    # --- the pointer -----------------------------------------------------------------
    def _meta(self) -> Any:
        return self._client.get_or_create_collection(
            f"{self._prefix}_meta", embedding_function=None, metadata={"active": ""}
        )

    def active(self) -> dict[str, Any] | None:
        """The pointer's metadata, or None before the first run. Reading never creates anything."""
        from chromadb.errors import NotFoundError

        try:
            collection = self._client.get_collection(f"{self._prefix}_meta", embedding_function=None)
        except NotFoundError:
            return None
        meta = dict(collection.metadata or {})
        return meta if meta.get("active") else None

    def active_generation(self) -> str | None:
        """The generation the pointer names: one cheap read, what a running server polls."""
        return str((self.active() or {}).get("active") or "") or None

    def activate(self, generation: str, embedder: str, dim: int, stats: dict[str, Any],
                 retired: dict[str, float] | None = None) -> None:
        """Flip the pointer. ``retired``: earlier generations → when they stopped being active (epoch seconds)."""
        self._meta().modify(metadata={
            "active": generation, "embedder": embedder, "dim": dim, "stats": json.dumps(stats),
            "retired": json.dumps(retired or {}, sort_keys=True),
        })

    # --- generations -----------------------------------------------------------------
    @staticmethod
    def retired(active: dict[str, Any] | None) -> dict[str, float]:
        """From the pointer's metadata: replaced generations → when they were replaced (epoch seconds)."""
        try:
            raw = json.loads(str((active or {}).get("retired") or "{}"))
        except ValueError:
            return {}
        return {str(g): float(t) for g, t in raw.items()} if isinstance(raw, dict) else {}

    def _name(self, kind: str, generation: str) -> str:
        return f"{self._prefix}_{kind}_{generation}"

    def generations(self) -> set[str]:
        pattern = re.compile(rf"^{re.escape(self._prefix)}_(?:chunks|curated)_(g\d+)$")
        names = [getattr(c, "name", c) for c in self._client.list_collections()]
        return {m.group(1) for n in names if (m := pattern.match(n))}

    def new_generation(self) -> str:
        numbers = [int(g[1:]) for g in self.generations()]
        active = self.active()
        if active:
            numbers.append(int(str(active["active"])[1:]))
        return f"g{max(numbers, default=0) + 1}"

    def collection(self, kind: str, generation: str, create: bool = False) -> Any:
        name = self._name(kind, generation)
        if create:
            return self._client.create_collection(
                name, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        return self._client.get_collection(name, embedding_function=None)

    def drop_generations(self, keep: str | set[str]) -> list[str]:
        """Delete every generation but ``keep``; returns the generations dropped."""
        dropped = []
        for generation in sorted(self.generations() - ({keep} if isinstance(keep, str) else keep)):
            for kind in ("chunks", "curated"):
                try:
                    self._client.delete_collection(self._name(kind, generation))
                except Exception:  # already gone: nothing to drop
                    continue
            dropped.append(generation)
        return dropped

    def read_all(self, kind: str, generation: str, embeddings: bool = True) -> dict[str, Any]:
        """Every row of a collection, read page by page (one `get` of 100k rows overflows SQLite's variables)."""
        include = ["metadatas", "documents"] + (["embeddings"] if embeddings else [])
        out: dict[str, Any] = {"ids": [], "documents": [], "metadatas": []}
        vectors = []
        for page in read_pages(self.collection(kind, generation), include):
            out["ids"] += page["ids"]
            out["documents"] += page["documents"] or []
            out["metadatas"] += [dict(m) for m in (page["metadatas"] or [])]
            if embeddings:
                vectors.append(np.asarray(page["embeddings"], dtype=np.float32))
        out["embeddings"] = (np.vstack(vectors) if vectors else np.zeros((0, 0), np.float32)) if embeddings else None
        return out


def read_pages(collection: Any, include: list[str], page: int = _PAGE) -> Iterator[dict[str, Any]]:
    """``collection.get`` in pages of ``page`` rows, in Chroma's own order."""
    total = int(collection.count())
    for offset in range(0, total, page):
        yield collection.get(include=include, limit=page, offset=offset)


def release_freed_memory() -> None:
    """Give the memory that reading every row freed back to the operating system. glibc keeps freed heap for
    reuse: at 100k chunks that is ~400 MB of resident memory that the process never needs again."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): nothing to hand back this way
        return
    libc.malloc_trim(0)


def add_rows(
    collection: Any, ids: Sequence[str], vectors: Vectors, documents: Sequence[str],
    metadatas: Sequence[dict[str, Any]],
) -> None:
    for start in range(0, len(ids), _BATCH):
        end = start + _BATCH
        collection.add(
            ids=list(ids[start:end]), embeddings=np.asarray(vectors[start:end]),
            documents=list(documents[start:end]), metadatas=list(metadatas[start:end]),
        )


def passage_from_row(chunk_id: str, text: str, meta: dict[str, Any], score: float = 0.0) -> Passage:
    return Passage(
        chunk_id=chunk_id, doc_id=str(meta.get("doc_id", "")), title=str(meta.get("title", "")),
        source=str(meta.get("source", "")), language=str(meta.get("language", "")),
        text=str(meta.get("display", text)), heading=str(meta.get("heading", "")), score=score, dense=score,
    )


class ChromaDenseIndex:
    """The read side for the assistant: dense search over the active generation."""

    def __init__(self, store: ChromaStore, embedder_name: str, dim: int, today: date | None = None) -> None:
        self._store = store
        active = store.active()
        if not active:
            raise IndexNotReadyError("no index has been built yet: run `python -m ingest` first")
        if active.get("embedder") != embedder_name or int(active.get("dim", 0)) != dim:
            from ..errors import EmbedderMismatchError

            raise EmbedderMismatchError(
                f"the index was built with {active.get('embedder')} ({active.get('dim')}-d), not "
                f"{embedder_name} ({dim}-d): run `python -m ingest --rebuild`"
            )
        self.generation = str(active["active"])
        self._today = today or date.today()
        self._chunks = store.collection("chunks", self.generation)
        self._expired = self._expired_ids()

    def _expired_ids(self) -> set[str]:
        """Chunks past their expiry date. Few or none: search over-fetches by that many and drops them, instead
        of a metadata filter on every query (Chroma pre-filters all rows: 100 ms at 10k chunks, 10× at 100k)."""
        today = int(self._today.strftime("%Y%m%d"))
        got = self._chunks.get(where={"$and": [{"expires": {"$gt": 0}}, {"expires": {"$lt": today}}]}, include=[])
        return set(got["ids"])

    def search(self, vector: Vectors, k: int) -> list[Passage]:
        got = self._chunks.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32).ravel()], n_results=k + len(self._expired),
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True)
        kept = [(i, d, m, dist) for i, d, m, dist in rows if i not in self._expired][:k]
        return [passage_from_row(i, d, dict(m), 1.0 - float(dist)) for i, d, m, dist in kept]

    def all_passages(self) -> list[Passage]:
        """Every live passage, read page by page. The display text is in the metadata (documents stay in Chroma)
        and the strings that chunks of one document repeat (title, source, heading …) are stored once."""
        passages: list[Passage] = []
        shared: dict[str, str] = {}
        for got in read_pages(self._chunks, ["metadatas"]):
            for chunk_id, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                if chunk_id not in self._expired:
                    row = {k: shared.setdefault(v, v) if k in _REPEATED and isinstance(v, str) else v
                           for k, v in meta.items()}
                    passages.append(passage_from_row(chunk_id, "", row))
        release_freed_memory()
        return passages

    def curated_entries(self) -> CuratedIndexData:
        data = self._store.read_all("curated", self.generation)
        entries: list[CuratedAnswer] = []
        rows: list[tuple[str, str, str]] = []
        keep: list[int] = []
        answer_rows: list[int] = []
        for n, (doc, meta) in enumerate(zip(data["documents"], data["metadatas"], strict=True)):
            if meta.get("kind") == "entry":
                entries.append(curated_from_json(doc))
                answer_rows.append(n)
            else:
                rows.append((str(meta["curated_id"]), str(meta["lang"]), doc))
                keep.append(n)
        empty = np.zeros((0, 1), dtype=np.float32)
        return CuratedIndexData(
            entries, rows, data["embeddings"][keep] if keep else empty,
            data["embeddings"][answer_rows] if answer_rows else empty,
        )

    def is_ready(self) -> bool:
        try:
            self._chunks.count()
            return True
        except Exception:
            return False


def curated_to_json(entry: CuratedAnswer) -> str:
    return json.dumps(
        {"id": entry.id, "documents": list(entry.documents), "answers": entry.answers,
         "review": entry.review, "topics": list(entry.topics),
         "questions": {k: list(v) for k, v in entry.questions.items()}},
        ensure_ascii=False,
    )


def curated_from_json(text: str) -> CuratedAnswer:
    raw = json.loads(text)
    return CuratedAnswer(
        id=raw["id"], documents=tuple(raw["documents"]), answers=dict(raw["answers"]),
        review=dict(raw["review"]), topics=tuple(raw.get("topics", ())),
        questions={k: tuple(v) for k, v in raw.get("questions", {}).items()},
    )
