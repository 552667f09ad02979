"""Documents whose source failed in this run: their rows in the previous generation are carried into the new one.

A file that cannot be read or a URL that is down is a *failure*, not a deletion: the version indexed before is
kept (reported as "kept from the previous index") until the source can be read again or is removed. This holds
for an incremental run and for ``--rebuild`` alike. A document that was never indexed stays absent, and a source
that is gone (a deleted file, a page no longer listed by a sitemap that answered) is dropped as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.adapters.chroma import ChromaStore

from .loaders import Failure, is_listing, site_of


def no_rows() -> dict[str, Any]:
    """The shape of ``ChromaStore.read_all`` for a generation with no rows (or none to read)."""
    return {"ids": [], "documents": [], "metadatas": [], "embeddings": np.zeros((0, 0), np.float32)}


def failed_rows(previous: dict[str, Any], failures: list[Failure], live: set[str]) -> list[int]:
    """Rows of ``previous`` whose document was not loaded this time because its source failed.

    A sitemap or URL list that could not be read keeps every page of its site: which pages it would have
    listed is unknown, so none of them is dropped. A document loaded this time (``live``) is never carried.
    """
    failed = {f.source for f in failures}
    failed_sites = {site_of(f.source) for f in failures if is_listing(f.source)} - {None}
    return [
        n for n, m in enumerate(previous["metadatas"])
        if m["doc_id"] not in live
        and (m.get("origin") in failed or site_of(str(m.get("origin", ""))) in failed_sites)
    ]


def kept_documents(store: ChromaStore, failures: list[Failure], loaded: set[str]) -> set[str]:
    """Ids of the documents this run will keep from the active generation (their source failed), read before
    the run so that curated answers resting on them stay valid. Reads metadata only, and only after a failure."""
    generation = store.active_generation()
    if not failures or generation is None:
        return set()
    previous = store.read_all("chunks", generation, embeddings=False)
    return {str(previous["metadatas"][n]["doc_id"]) for n in failed_rows(previous, failures, loaded)}


@dataclass(frozen=True)
class Carried:
    """Rows of the previous generation (``data``) to write into the new one unchanged.

    ``same_embedder``: the previous generation was embedded by the configured embedder, so its vectors are
    copied; otherwise (``--rebuild`` after changing the embedder) the stored chunk texts are embedded again,
    so that the new generation never mixes two embedders.
    """

    data: dict[str, Any]
    rows: list[int]
    same_embedder: bool

    @property
    def doc_ids(self) -> list[str]:
        return sorted({str(self.data["metadatas"][n]["doc_id"]) for n in self.rows})

    def columns(self) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        """Ids, stored (embedded) texts and metadata of the carried rows."""
        return ([self.data["ids"][n] for n in self.rows], [self.data["documents"][n] for n in self.rows],
                [self.data["metadatas"][n] for n in self.rows])
