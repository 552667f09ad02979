"""Protocols: the roles the core needs. Adapters implement them; tests use fakes of the same shape."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from .types import Conversation, CuratedIndexData, Passage

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns text into L2-normalised vectors; queries and passages may be encoded differently (e5)."""

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...


class DenseIndex(Protocol):
    """The active generation of the passage index, read side."""

    def search(self, vector: Vectors, k: int) -> list[Passage]: ...

    def all_passages(self) -> list[Passage]: ...

    def curated_entries(self) -> CuratedIndexData:
        """Curated answers with their question and answer vectors."""
        ...

    def is_ready(self) -> bool: ...


class ChatModel(Protocol):
    """A chat LLM behind our own seam: system + user text in, streamed text chunks out."""

    name: str

    def stream(self, system: str, user: str) -> Iterator[str]: ...


class ConversationStore(Protocol):
    def get(self, conversation_id: str) -> Conversation | None: ...

    def save(self, conversation: Conversation) -> None: ...

    def delete(self, conversation_id: str) -> bool: ...
