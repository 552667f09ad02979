"""Assistant.respond(): triage → curated answer → LLM with grounding → extractive; or escalate."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from .curated import CuratedMatcher
from .extractive import extract_answer, readable_first
from .followups import standalone_query
from .generation import GroundedGenerator
from .language import LanguageDetector, choose_reply_language
from .output_filter import TextFilter
from .ports import ConversationStore, Embedder, Vectors
from .replies import citation_for, citations_event, escalation_event, render_extractive, text_events
from .retrieval import HybridRetriever, Retrieval
from .templates import Templates
from .text import normalize_input, word_count
from .triage import Triage, TriageResult
from .types import Citation, Conversation, CuratedAnswer, Event, Message, Passage, Route

log = logging.getLogger(__name__)

_GREETING = re.compile(
    r"^\W*(hi|hello|hey|good (morning|afternoon|evening)|hallo|goedemorgen|goedemiddag|bonjour|salut|hola|"
    r"buenos d[ií]as|merhaba|selam|halo|selamat (pagi|siang|sore|malam)|cze[sś][cć]|dzie[nń] dobry|"
    r"привет|здравствуйте|добрый день|доброго дня|добрий день|вітаю|привіт|guten (tag|morgen)|servus|"
    r"مرحبا|السلام عليكم|أهلا|اهلا)\W*$",
    re.I,
)


@dataclass(frozen=True)
class AnswerConfig:
    top_k: int = 5
    use_curated: bool = True
    curated_threshold: float = 0.89  # with the retrieval agreeing (one of its documents retrieved)
    curated_agreement_docs: int = 5  # how many of the retrieved documents count as agreeing
    curated_sure: float = 0.95  # accepted without that agreement
    curated_prior: float = 0.86  # a reviewed question this close lends its documents to retrieval as a prior
    # When the best passage is in another language than the family's, a reviewed answer in their language at a
    # slightly lower similarity beats quoting a foreign-language passage.
    curated_foreign: float = 0.86
    max_embed_chars: int = 600  # e5 reads 512 tokens at most; longer input only costs time
    relevance_threshold: float = 0.80
    max_answer_words: int = 120


@dataclass
class _Turn:
    conversation: Conversation
    text: str
    language: str
    query: str
    vector: Vectors | None
    started: float
    off_topic: bool = False  # the exemplar classifier finds it closer to off-topic than to questions


class Assistant:
    def __init__(
        self, embedder: Embedder, triage: Triage, retriever: HybridRetriever, curated: CuratedMatcher | None,
        templates: Templates, store: ConversationStore, catalog: dict[str, Passage],
        generator: GroundedGenerator | None = None, config: AnswerConfig | None = None,
        detector: LanguageDetector | None = None, ready: Callable[[], bool] | None = None,
        text_filter: TextFilter | None = None,
    ) -> None:
        self._embedder, self._triage, self._retriever = embedder, triage, retriever
        self._curated, self._templates, self._store = curated, templates, store
        self._catalog, self._generator = catalog, generator
        self._config = config or AnswerConfig()
        self._detector = detector or LanguageDetector()
        self._ready = ready or (lambda: True)
        self._filter = text_filter or TextFilter()

    def is_ready(self) -> bool:
        """True while the index answers queries (used by /readyz)."""
        return self._ready()

    def new_conversation(self) -> Conversation:
        conversation = Conversation(id=uuid.uuid4().hex)
        self._store.save(conversation)
        return conversation

    def respond(self, conversation: Conversation, message: str, locale_hint: str | None = None) -> Iterator[Event]:
        started = time.perf_counter()
        text = normalize_input(message)  # stored as typed; rules see it whole (markup included)
        plain = self._filter.reply(text) or text  # HTML, Markdown images and foreign links never steer retrieval
        detection = self._detector.detect(text) if text else None
        language, unsupported = (
            choose_reply_language(detection, conversation.language, locale_hint, word_count(text))
            if detection else (conversation.language or "en", False)
        )
        query = self._standalone(plain, conversation) if text else ""
        cap = self._config.max_embed_chars  # a 2,000-character message would cost seconds to embed
        vectors = (self._embedder.embed_queries([plain[:cap], query[:cap]] if query != plain else [plain[:cap]])
                   if text else None)
        if vectors is not None and len(vectors) == 2 and self._stands_alone(vectors[0], vectors[1]):
            query, vectors = plain, vectors[:1]  # a short but complete new question: no topic carried over
        triage = self._triage.classify(text, vectors[0] if vectors is not None else None)
        if triage.cleaned:  # answer the real question only, never the injected or off-topic part
            query = self._standalone(self._filter.reply(triage.cleaned) or triage.cleaned, conversation)
            vectors = self._embedder.embed_queries([query])
        turn = _Turn(conversation, text, language, query, vectors[-1] if vectors is not None else None, started,
                     triage.scores.get("out_of_scope", 0.0) > triage.scores.get("answer", 1.0))
        events = list(self._route(turn, triage, unsupported))
        route = next(e.data["route"] for e in events if e.kind == "route")
        self._remember(turn, route, "".join(e.data["text"] for e in events if e.kind == "text"), triage)
        yield from events
        yield Event("done", {"language": language, "route": route, "erase": triage.erasure,
                             "latency_ms": round((time.perf_counter() - started) * 1000, 1)})

    # --- routing -----------------------------------------------------------------------
    def _route(self, turn: _Turn, triage: TriageResult, unsupported: bool) -> Iterator[Event]:
        lang = turn.language
        if not turn.text or (_GREETING.match(turn.text) and word_count(turn.text) <= 4):
            yield _route_event(Route.ANSWER, "greeting", lang)
            yield from text_events(self._templates.get("greeting", lang))
        elif triage.route == Route.EMERGENCY:
            yield _route_event(Route.EMERGENCY, triage.reason, lang)
            yield from text_events(self._templates.get("emergency", lang))
            yield escalation_event("emergency", "high", lang, None)
        elif unsupported:
            yield _route_event(Route.ESCALATE, "unsupported_language", "en")
            note = self._templates.get("unsupported_language", "en")
            yield from text_events(f"{note}\n{self._templates.get('escalation_offer', 'en')}")
            yield escalation_event("unsupported_language", "normal", "en", None)
        elif triage.erasure:
            yield _route_event(Route.ANSWER, "erasure_request", lang)
            yield from text_events(self._templates.get("erasure_done", lang))
        elif triage.route == Route.MEDICAL_ADVICE:
            yield _route_event(Route.MEDICAL_ADVICE, triage.reason, lang)
            yield from text_events(self._templates.get("medical_advice", lang))
            yield escalation_event("medical_advice", "normal", lang, None)
        elif triage.route == Route.OUT_OF_SCOPE:
            yield _route_event(Route.OUT_OF_SCOPE, triage.reason, lang)
            yield from text_events(self._templates.get("out_of_scope", lang))
        elif triage.route == Route.ESCALATE:
            yield from self._escalate(turn, triage.reason)
        else:
            yield from self._answer(turn)

    def _escalate(self, turn: _Turn, reason: str) -> Iterator[Event]:
        """Offer a person, and add the reviewed general answer when one clearly fits."""
        lang = turn.language
        retrieval = self._retrieve(turn)
        match = self._curated_match(turn, retrieval)
        gap = reason.startswith("rule:gap")
        yield _route_event(Route.ESCALATE, reason, lang)
        yield Event("retrieved", {"doc_ids": retrieval.doc_ids})
        offer = self._templates.get("not_found" if gap else "escalation_offer", lang)
        if match is not None:
            yield from text_events(f"{offer}\n\n{_answer_text(match, lang)}")
            yield citations_event(self._curated_citations(match, retrieval))
        else:
            yield from text_events(offer)
        yield escalation_event("no_answer" if gap else "human_requested", "normal", lang,
                               match.id if match else None)

    def _answer(self, turn: _Turn) -> Iterator[Event]:
        lang = turn.language
        retrieval = self._retrieve(turn)
        match = self._curated_match(turn, retrieval)
        if match is not None:
            yield _route_event(Route.ANSWER, f"curated:{match.id}", lang)
            yield Event("retrieved", {"doc_ids": retrieval.doc_ids})
            yield from text_events(_answer_text(match, lang))
            yield citations_event(self._curated_citations(match, retrieval))
            return
        if retrieval.best_dense < self._config.relevance_threshold or not retrieval.passages:
            if turn.off_topic:  # nothing relevant, and it reads like an unrelated request
                yield _route_event(Route.OUT_OF_SCOPE, "no_answer+off_topic", lang)
                yield from text_events(self._templates.get("out_of_scope", lang))
                return
            yield _route_event(Route.ESCALATE, "no_answer", lang)
            yield Event("retrieved", {"doc_ids": retrieval.doc_ids})
            yield from text_events(self._templates.get("not_found", lang))
            yield escalation_event("no_answer", "normal", lang, None)
            return
        yield from self._grounded(turn, self._with_prior(turn, retrieval))

    def _grounded(self, turn: _Turn, retrieval: Retrieval) -> Iterator[Event]:
        lang = turn.language
        passages = retrieval.passages
        generated = self._generator.generate(turn.query, passages, lang) if self._generator else None
        if generated is not None:
            text = self._filter.reply(generated.text)  # no markup or foreign links, whatever the model wrote
            cited = sorted({int(n) for n in re.findall(r"\[(\d{1,2})\]", text)})
            yield _route_event(Route.ANSWER, "generated", lang)
            yield Event("retrieved", {"doc_ids": retrieval.doc_ids})
            yield from text_events(text)
            yield citations_event([citation_for(passages[n - 1]) for n in cited if 0 < n <= len(passages)])
            return
        extracts = extract_answer(turn.query, readable_first(passages, lang), self._config.max_answer_words)
        reason = "extractive" if self._generator is None else "extractive_fallback"
        yield _route_event(Route.ANSWER, reason, lang)
        yield Event("retrieved", {"doc_ids": retrieval.doc_ids})
        # Quoting English pages to a family writing in another language: say so, and that staff can explain.
        english_only = lang != "en" and all(ex.passage.language == "en" for ex in extracts)
        intro = self._templates.get("answer_intro_english" if english_only else "answer_intro", lang)
        outro = self._templates.get("answer_outro", lang)
        yield from text_events(render_extractive(intro, extracts, outro))
        yield citations_event([citation_for(ex.passage) for ex in extracts])

    # --- helpers -----------------------------------------------------------------------
    def _stands_alone(self, alone: Vectors, combined: Vectors) -> bool:
        """The message matches a reviewed question by itself at least as well as with the earlier topic."""
        if self._curated is None:
            return False
        by_itself, with_topic = self._curated.best(alone), self._curated.best(combined)
        if by_itself is None or by_itself.score < self._config.curated_threshold:
            return False
        return with_topic is None or by_itself.score >= with_topic.score

    def _standalone(self, text: str, conversation: Conversation) -> str:
        """Carry the earlier topic into a follow-up; with an LLM, let it condense the question."""
        query = standalone_query(text, conversation)
        if query != text and self._generator is not None:
            history = [m.text for m in conversation.messages if m.role == "user"]
            query = self._generator.condense(history, text) or query
        return query

    def _retrieve(self, turn: _Turn) -> Retrieval:
        if turn.vector is None:
            return Retrieval([], 0.0)
        return self._retriever.retrieve(turn.vector, turn.query, turn.language, self._config.top_k)

    def _with_prior(self, turn: _Turn, retrieval: Retrieval) -> Retrieval:
        """Retrieval again, with the documents of the closest reviewed question fused in as a prior. The reviewed
        questions exist in all 11 languages, so they bridge what the small multilingual embedder misses across
        languages; the entry's answer was not close enough to serve, but its documents are likely relevant."""
        if not self._config.use_curated or self._curated is None or turn.vector is None:
            return retrieval
        near = self._curated.best(turn.vector)
        if near is None or near.score < self._config.curated_prior:
            return retrieval
        return self._retriever.retrieve(turn.vector, turn.query, turn.language, self._config.top_k,
                                        prior=near.entry.documents)

    def _curated_match(self, turn: _Turn, retrieval: Retrieval) -> CuratedAnswer | None:
        """A curated answer when the question clearly matches one, and retrieval agrees on its documents."""
        if not self._config.use_curated or self._curated is None or turn.vector is None:
            return None
        match = self._curated.best(turn.vector)
        foreign = bool(retrieval.passages) and retrieval.passages[0].language != turn.language
        threshold = self._config.curated_foreign if foreign else self._config.curated_threshold
        if match is None or match.score < threshold:
            return None
        agrees = bool(set(match.entry.documents) & set(retrieval.doc_ids[:self._config.curated_agreement_docs]))
        return match.entry if agrees or match.score >= self._config.curated_sure else None

    def _curated_citations(self, entry: CuratedAnswer, retrieval: Retrieval) -> list[Citation]:
        """The entry's documents that retrieval also found (all of them when it found none)."""
        retrieved = {p.doc_id: p for p in reversed(retrieval.passages)}
        agreed = [d for d in entry.documents if d in retrieved]
        out = []
        for doc_id in agreed or list(entry.documents):
            passage = retrieved.get(doc_id) or self._catalog.get(doc_id)
            if passage is not None:
                out.append(citation_for(replace(passage, text=self._filter.passage(passage.text))))
        return out

    def _remember(self, turn: _Turn, route: str, reply: str, triage: TriageResult) -> None:
        conversation = turn.conversation
        topic = " ".join(turn.query.split()[-30:]) if route in ("answer", "escalate") and turn.text else None
        conversation.messages.append(Message("user", turn.text, turn.language, route, topic))
        conversation.messages.append(Message("assistant", reply, turn.language, route))
        conversation.language = turn.language
        if route == "escalate" and conversation.escalation_state == "none":
            conversation.escalation_state = "offered"
        if triage.erasure:
            self._store.delete(conversation.id)
            conversation.messages.clear()
        else:
            self._store.save(conversation)


def _route_event(route: Route, reason: str, language: str) -> Event:
    return Event("route", {"route": route.value, "reason": reason, "language": language})


def _answer_text(entry: CuratedAnswer, language: str) -> str:
    return entry.answers.get(language) or entry.answers["en"]
