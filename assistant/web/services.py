"""What the web layer works with, built once in the lifespan: database, repositories, assistant, limits."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio

from ..cases.events import CaseEvents, NoCaseEvents
from ..errors import AssistantError
from ..ports import ConversationStore, Embedder
from ..settings import Settings
from ..storage import (
    ConversationRepository,
    Database,
    Erasure,
    FeedbackRepository,
    IntakeRepository,
    SqlConversationStore,
    migrate,
)
from ..templates import Templates, load_templates
from ..types import Conversation, Event
from .i18n import UiText, load_ui_text
from .ratelimit import Limiter, build_limiter
from .reload import IndexReloader

log = logging.getLogger(__name__)


class ChatAssistant(Protocol):
    """The shape of ``assistant.answering.Assistant`` that the web layer uses."""

    def respond(self, conversation: Conversation, message: str, locale_hint: str | None = None) -> Iterator[Event]:
        ...

    def is_ready(self) -> bool: ...


AssistantFactory = Callable[[Settings, ConversationStore], ChatAssistant]


class RealAssistants:
    """An ``AssistantFactory`` for the real assistant (``assistant.wiring``) that keeps the embedder and the Chroma
    client across builds, so a reload loads no model twice; and the reader of the index pointer."""

    def __init__(self) -> None:
        self._embedder: Embedder | None = None
        self._client: Any = None
        self._lock = threading.Lock()

    def _chroma(self, settings: Settings) -> Any:
        from ..adapters.chroma import build_chroma_client

        with self._lock:
            if self._client is None:
                self._client = build_chroma_client(settings.data_dir, settings.chroma_url)
            return self._client

    def __call__(self, settings: Settings, store: ConversationStore) -> ChatAssistant:
        from ..wiring import build_assistant, build_embedder_for

        with self._lock:
            self._embedder = self._embedder or build_embedder_for(settings)
        return build_assistant(settings, embedder=self._embedder, chroma_client=self._chroma(settings), store=store)

    def pointer(self, settings: Settings) -> Callable[[], str | None]:
        """Reads the active generation: one small read of the index's metadata."""
        from ..adapters.chroma import ChromaStore

        return lambda: ChromaStore(self._chroma(settings), settings.collection_prefix).active_generation()


class AssistantHolder:
    """The assistant being served, or None while it cannot be built (no index yet).

    With an index reloader (``lazy=False``) only the reloader builds, in the background, and ``swap`` replaces
    the assistant in one assignment; ``get`` only reads, so no request ever waits for a build. Without one
    (``lazy=True``), ``get`` builds on first use, at most every ``retry_s``. A turn keeps the assistant it got.
    """

    def __init__(self, build: Callable[[], ChatAssistant], retry_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, lazy: bool = True) -> None:
        self._build, self._retry_s, self._clock, self._lazy = build, retry_s, clock, lazy
        self._served: tuple[ChatAssistant, str | None] | None = None
        self._last_try = float("-inf")
        self._lock = threading.Lock()

    @property
    def generation(self) -> str | None:
        """The index generation being served, when a reloader loaded it."""
        served = self._served
        return served[1] if served is not None else None

    def has_assistant(self) -> bool:
        return self._served is not None

    def swap(self, assistant: ChatAssistant, generation: str | None) -> None:
        self._served = (assistant, generation)

    def get(self) -> ChatAssistant | None:
        served = self._served
        if served is not None or not self._lazy:
            return served[0] if served is not None else None
        if self._clock() - self._last_try < self._retry_s or not self._lock.acquire(blocking=False):
            return None
        try:
            self._last_try = self._clock()
            self._served = (self._build(), None)
            log.info("assistant ready")
        except AssistantError as exc:
            log.warning("assistant not available yet: %s", exc)
        finally:
            self._lock.release()
        return self._served[0] if self._served is not None else None


class TurnGuard:
    """One assistant turn at a time per conversation (in this process)."""

    def __init__(self) -> None:
        self._active: set[str] = set()
        self._lock = threading.Lock()

    def acquire(self, conversation_id: str) -> bool:
        with self._lock:
            if conversation_id in self._active:
                return False
            self._active.add(conversation_id)
            return True

    def release(self, conversation_id: str) -> None:
        with self._lock:
            self._active.discard(conversation_id)


@dataclass
class Limits:
    per_ip: Limiter
    per_conversation: Limiter
    reads_per_ip: Limiter
    close: Callable[[], None] = lambda: None


def build_limits(settings: Settings) -> Limits:
    """Per process, or shared by every worker through Redis when ``IPO_REDIS_URL`` is set."""
    client = None
    if settings.redis_url:
        from ..adapters.redis_ratelimit import build_redis_client

        client = build_redis_client(settings.redis_url)
    return Limits(
        per_ip=build_limiter("ip", settings.rate_limit_per_minute_ip, client),
        per_conversation=build_limiter("conversation", settings.rate_limit_per_minute_conversation, client),
        reads_per_ip=build_limiter("reads", settings.rate_limit_per_minute_ip * 6, client),
        close=client.close if client is not None else lambda: None,
    )


@dataclass
class Services:
    settings: Settings
    db: Database
    conversations: ConversationRepository
    store: SqlConversationStore
    feedback: FeedbackRepository
    intakes: IntakeRepository
    erasure: Erasure
    assistant: AssistantHolder
    templates: Templates
    ui: UiText
    limits: Limits
    turns: TurnGuard
    turn_slots: anyio.CapacityLimiter | None = field(default=None)
    cases: CaseEvents = field(default_factory=NoCaseEvents)  # the staff handoff's hooks (set at start-up)
    reloader: IndexReloader[ChatAssistant] | None = None  # follows the index pointer (reload.py)

    def assistant_slots(self) -> anyio.CapacityLimiter:
        """Threads that may run assistant work at once: about one per core, so CPU-bound turns queue here
        instead of starving the event loop and the quick requests (created lazily, inside the event loop)."""
        if self.turn_slots is None:
            self.turn_slots = anyio.CapacityLimiter(max(2, os.cpu_count() or 2))
        return self.turn_slots

    def close(self) -> None:
        if self.reloader is not None:
            self.reloader.close()
        self.limits.close()
        self.db.dispose()


def build_services(settings: Settings, assistant_factory: AssistantFactory | None = None,
                   index_pointer: Callable[[], str | None] | None = None) -> Services:
    """Everything the web layer uses. With the real assistant (or an ``index_pointer``) and
    ``index_reload_s`` > 0, a reloader builds the assistant now and follows the index pointer afterwards."""
    db = Database.from_url(settings.resolved_database_url)
    migrate(db)
    store = SqlConversationStore(db)
    real = RealAssistants()
    factory = assistant_factory or real
    pointer = index_pointer or (real.pointer(settings) if assistant_factory is None else None)
    if settings.index_reload_s <= 0:
        pointer = None

    def build() -> ChatAssistant:
        return factory(settings, store)

    limits = build_limits(settings)
    holder = AssistantHolder(build, lazy=pointer is None)
    reloader = None
    if pointer is not None:
        reloader = IndexReloader(holder, pointer, build, settings.index_reload_s)
        reloader.check()  # the first build, at start-up
        reloader.start()
    else:
        holder.get()
    return Services(
        settings=settings, db=db, conversations=ConversationRepository(db), store=store,
        feedback=FeedbackRepository(db), intakes=IntakeRepository(db), erasure=Erasure(db),
        assistant=holder, templates=load_templates(), ui=load_ui_text(), limits=limits,
        turns=TurnGuard(), reloader=reloader,
    )
