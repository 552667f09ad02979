"""build_assistant(settings): the one place that picks real adapters and assembles the core."""

from __future__ import annotations

from typing import Any

from .answering import AnswerConfig, Assistant
from .breaker import CircuitBreaker
from .curated import CuratedMatcher
from .generation import GroundedGenerator
from .language import shared_detector
from .memory import InMemoryConversationStore
from .output_filter import TextFilter
from .ports import ChatModel, ConversationStore, Embedder
from .retrieval import HybridRetriever
from .settings import Settings
from .templates import load_templates
from .triage import Triage, build_classifier, load_lexicons
from .types import Passage


def build_embedder_for(settings: Settings) -> Embedder:
    from .adapters.embeddings import build_embedder

    return build_embedder(settings.embedder, settings.embed_threads)


def limit_blas_threads(threads: int) -> None:
    """Cap numpy's BLAS pool for this process (0 leaves it alone). Turns run in parallel threads, each doing
    small matrix-vector products: a multi-threaded BLAS then mostly waits on itself (10-40× slower on 2 cores)."""
    if threads > 0:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="blas")


def build_assistant(
    settings: Settings, *, embedder: Embedder | None = None, chroma_client: Any = None,
    chat_model: ChatModel | None = None, store: ConversationStore | None = None,
) -> Assistant:
    from .adapters.chroma import ChromaDenseIndex, ChromaStore, build_chroma_client
    from .adapters.llm import build_chat_model

    limit_blas_threads(settings.blas_threads)
    embedder = embedder or build_embedder_for(settings)
    client = chroma_client or build_chroma_client(settings.data_dir, settings.chroma_url)
    dense = ChromaDenseIndex(ChromaStore(client, settings.collection_prefix), embedder.name, embedder.dim)
    passages = dense.all_passages()
    catalog: dict[str, Passage] = {}
    for passage in sorted(passages, key=lambda p: p.chunk_id):
        catalog.setdefault(passage.doc_id, passage)
    text_filter = TextFilter.for_sources(p.source for p in catalog.values())
    curated = dense.curated_entries()
    lexicons = load_lexicons()
    classifier = build_classifier(lexicons, embedder.embed_queries, settings.data_dir / "cache", embedder.name)
    detector = shared_detector()
    detector.preload()
    model = chat_model or build_chat_model(settings)
    generator = None
    if model is not None:
        breaker = CircuitBreaker(settings.llm_breaker_failures, settings.llm_breaker_reset_s)
        generator = GroundedGenerator(model, breaker, clean=text_filter.reply)
    config = AnswerConfig(
        top_k=settings.top_k, use_curated=settings.curated, curated_threshold=settings.curated_threshold,
        relevance_threshold=settings.relevance_threshold, max_answer_words=settings.max_answer_words,
    )
    return Assistant(
        embedder=embedder, triage=Triage(lexicons, classifier),
        retriever=HybridRetriever(dense, passages, hybrid=settings.hybrid, clean=text_filter.passage),
        curated=CuratedMatcher(curated.entries, curated.rows, curated.question_vectors, curated.answer_vectors)
        if curated.entries else None,
        templates=load_templates(),
        store=store or InMemoryConversationStore(), catalog=catalog, generator=generator, config=config,
        ready=dense.is_ready, detector=detector, text_filter=text_filter,
    )
