"""Hybrid retrieval with a document prior, and curated agreement over every retrieved document."""

from __future__ import annotations

import numpy as np

from assistant.answering import AnswerConfig, Assistant
from assistant.curated import CuratedMatcher
from assistant.memory import InMemoryConversationStore
from assistant.retrieval import HybridRetriever
from assistant.templates import load_templates
from assistant.triage import ExemplarClassifier, Triage
from assistant.types import Conversation, CuratedAnswer
from tests.core_fakes import LEXICONS, InMemoryDenseIndex, passage
from tests.fakes import FakeEmbedder

# Six one-chunk documents: "target" shares no words with the query, so dense and BM25 both rank it last.
DOCS = [passage(f"doc{n}", f"hospital stay room parents visit number {n}") for n in range(5)] + [
    passage("target", "bank guarantee statement paying party")]
QUERY = "hospital stay room parents"


def _retriever(prior_weight: float = 0.15) -> tuple[HybridRetriever, FakeEmbedder]:
    embedder = FakeEmbedder(dim=256)
    return HybridRetriever(InMemoryDenseIndex(DOCS, embedder), DOCS, prior_weight=prior_weight), embedder


def test_without_a_prior_an_unrelated_document_stays_out_of_the_top_k() -> None:
    retriever, embedder = _retriever()
    found = retriever.retrieve(embedder.embed_queries([QUERY])[0], QUERY, "en", 5)
    assert "target" not in found.doc_ids


def test_a_prior_document_found_deeper_by_dense_search_is_fused_in() -> None:
    retriever, embedder = _retriever(prior_weight=1.0)
    found = retriever.retrieve(embedder.embed_queries([QUERY])[0], QUERY, "en", 5, prior=["target"])
    assert "target" in found.doc_ids


def test_a_prior_never_changes_the_best_dense_score_used_for_the_relevance_threshold() -> None:
    retriever, embedder = _retriever(prior_weight=1.0)
    vector = embedder.embed_queries([QUERY])[0]
    assert retriever.retrieve(vector, QUERY, "en", 5, prior=["target"]).best_dense == \
        retriever.retrieve(vector, QUERY, "en", 5).best_dense


def test_a_prior_naming_an_unknown_document_is_ignored() -> None:
    retriever, embedder = _retriever()
    vector = embedder.embed_queries([QUERY])[0]
    assert retriever.retrieve(vector, QUERY, "en", 5, prior=["no-such-doc"]).doc_ids == \
        retriever.retrieve(vector, QUERY, "en", 5).doc_ids


def _assistant_over_docs(entry_doc: str, agreement_docs: int) -> Assistant:
    embedder = FakeEmbedder(dim=256)
    entry = CuratedAnswer(
        id="reviewed", documents=(entry_doc,), topics=(), questions={"en": (QUERY,)},
        answers={"en": "A reviewed answer."}, review={"en": "approved"},
    )
    matcher = CuratedMatcher([entry], [("reviewed", "en", QUERY)], embedder.embed_queries([QUERY]))
    return Assistant(
        embedder=embedder, triage=Triage(LEXICONS, ExemplarClassifier([], np.zeros((0, 256), np.float32))),
        retriever=HybridRetriever(InMemoryDenseIndex(DOCS, embedder), DOCS), curated=matcher,
        templates=load_templates(), store=InMemoryConversationStore(), catalog={p.doc_id: p for p in DOCS},
        config=AnswerConfig(top_k=5, curated_threshold=0.5, curated_sure=1.01, relevance_threshold=0.0,
                            curated_agreement_docs=agreement_docs),
    )


def test_curated_answer_agrees_with_a_document_retrieved_below_the_top_three() -> None:
    retriever, embedder = _retriever()
    fourth = retriever.retrieve(embedder.embed_queries([QUERY])[0], QUERY, "en", 5).doc_ids[3]
    served = list(_assistant_over_docs(fourth, AnswerConfig().curated_agreement_docs).respond(
        Conversation(id="c1"), QUERY))
    assert served[0].data["reason"] == "curated:reviewed"
    top_three_only = list(_assistant_over_docs(fourth, 3).respond(Conversation(id="c2"), QUERY))
    assert top_three_only[0].data["reason"] != "curated:reviewed"
