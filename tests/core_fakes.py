"""Fakes of the core's ports for unit tests: a numpy dense index and a scripted chat model."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from assistant.answering import AnswerConfig, Assistant
from assistant.breaker import CircuitBreaker
from assistant.curated import CuratedMatcher
from assistant.generation import GroundedGenerator
from assistant.memory import InMemoryConversationStore
from assistant.ports import Vectors
from assistant.retrieval import HybridRetriever
from assistant.templates import load_templates
from assistant.triage import ExemplarClassifier, Lexicons, Triage
from assistant.types import CuratedAnswer, CuratedIndexData, Passage
from tests.fakes import FakeEmbedder


class InMemoryDenseIndex:
    """Exact cosine search over passages embedded by the given embedder."""

    def __init__(self, passages: list[Passage], embedder: FakeEmbedder) -> None:
        self._passages = passages
        self._vectors = embedder.embed_passages([f"{p.title} {p.text}" for p in passages])

    def search(self, vector: Vectors, k: int) -> list[Passage]:
        sims = self._vectors @ np.asarray(vector).ravel()
        order = np.argsort(-sims)[:k]
        from dataclasses import replace

        return [replace(self._passages[i], dense=float(sims[i]), score=float(sims[i])) for i in order]

    def all_passages(self) -> list[Passage]:
        return list(self._passages)

    def curated_entries(self) -> CuratedIndexData:
        empty = np.zeros((0, 1), dtype=np.float32)
        return CuratedIndexData([], [], empty, empty)

    def is_ready(self) -> bool:
        return True


class ScriptedChatModel:
    """Replies with the next scripted text; an Exception instance in the script is raised instead."""

    name = "scripted"

    def __init__(self, script: list[str | Exception]) -> None:
        self._script = list(script)
        self.prompts: list[tuple[str, str]] = []

    def stream(self, system: str, user: str) -> Iterator[str]:
        self.prompts.append((system, user))
        item = self._script.pop(0) if self._script else "No scripted reply [1]."
        if isinstance(item, Exception):
            raise item
        yield from re.findall(r"\S+\s*", item)


def passage(doc_id: str, text: str, language: str = "en", title: str | None = None) -> Passage:
    return Passage(
        chunk_id=f"{doc_id}:0", doc_id=doc_id, title=title or doc_id.replace("-", " ").title(),
        source=f"https://example.org/{doc_id}", language=language, text=text,
    )


CORPUS = [
    passage("costs", "Before treatment starts the family provides a bank guarantee statement from the paying "
            "party or pays the full costs. Budget at least 50 euro per person per day for living costs."),
    passage("mibg", "MIBG therapy for relapsed neuroblastoma takes about 4 to 6 weeks in total: two "
            "admissions and three outpatient appointments."),
    passage("housing", "Families arrange accommodation outside the hospital. One parent may stay with the "
            "child during admission. The Ronald McDonald House is one option."),
    passage("apply", "Send the completed application form to internationalcare@prinsesmaximacentrum.nl."),
]

LEXICONS = Lexicons(
    rules={
        "emergency": [("en", re.compile(r"not breathing|seizure", re.I))],
        "medical_advice": [("en", re.compile(r"should we stop", re.I))],
        "out_of_scope": [("en", re.compile(r"ignore (all )?previous instructions|weather", re.I))],
        "escalate": [("en", re.compile(r"talk to a (person|human)", re.I))],
        "erasure": [("en", re.compile(r"delete my data", re.I))],
    },
    exemplars=[],
)


def build_core(
    *, curated: list[CuratedAnswer] | None = None, chat: ScriptedChatModel | None = None,
    relevance_threshold: float = 0.0, curated_threshold: float = 0.95, breaker: CircuitBreaker | None = None,
) -> tuple[Assistant, InMemoryConversationStore]:
    embedder = FakeEmbedder(dim=256)
    dense = InMemoryDenseIndex(CORPUS, embedder)
    matcher = None
    if curated:
        rows = [(c.id, lang, q) for c in curated for lang, qs in c.questions.items() for q in qs]
        matcher = CuratedMatcher(curated, rows, embedder.embed_queries([q for _, _, q in rows]))
    store = InMemoryConversationStore()
    generator = GroundedGenerator(chat, breaker or CircuitBreaker(2, 60.0)) if chat else None
    assistant = Assistant(
        embedder=embedder, triage=Triage(LEXICONS, ExemplarClassifier([], np.zeros((0, 256), np.float32))),
        retriever=HybridRetriever(dense, CORPUS), curated=matcher, templates=load_templates(), store=store,
        catalog={p.doc_id: p for p in CORPUS}, generator=generator,
        config=AnswerConfig(top_k=3, relevance_threshold=relevance_threshold, curated_threshold=curated_threshold),
    )
    return assistant, store
