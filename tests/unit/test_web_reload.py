"""Index hot reload, decided in-process: the reloader against a pointer and builder of our own (no Chroma).

The holder is the real ``AssistantHolder``; the "index" is a settable generation id; each build returns a
``GenerationAssistant`` that answers with the generation it was built for, or fails on purpose.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.errors import IndexNotReadyError
from assistant.ports import ConversationStore
from assistant.settings import Settings
from assistant.types import Conversation, Event, Message
from assistant.web.reload import IndexReloader
from assistant.web.services import AssistantHolder, ChatAssistant, build_services

INTERVAL_S = 30.0


class GenerationAssistant:
    """Answers every message with the generation it was built from; stores the turn like the real one."""

    def __init__(self, generation: str, store: ConversationStore | None = None) -> None:
        self.generation, self._store = generation, store

    def is_ready(self) -> bool:
        return True

    def respond(self, conversation: Conversation, message: str, locale_hint: str | None = None) -> Iterator[Event]:
        reply = f"answered from {self.generation}"
        conversation.messages += [Message("user", message, "en", "answer"), Message("assistant", reply, "en", "answer")]
        if self._store is not None:
            self._store.save(conversation)
        yield Event("text", {"text": reply})
        yield Event("done", {"language": "en", "route": "answer", "erase": False})


@dataclass
class FakeIndex:
    """The active-generation pointer and what building from it does (``broken``: the build fails)."""

    active: str | None = "g1"
    unreachable: bool = False
    broken: set[str] = field(default_factory=set)
    builds: list[str] = field(default_factory=list)
    store: ConversationStore | None = None

    def pointer(self) -> str | None:
        if self.unreachable:
            raise ConnectionError("chroma is down")
        return self.active

    def build(self) -> ChatAssistant:
        generation = self.pointer()
        if generation is None:
            raise IndexNotReadyError("no index has been built yet")
        self.builds.append(generation)
        if generation in self.broken:
            raise IndexNotReadyError(f"generation {generation} is unreadable: /srv/private/detail")
        return GenerationAssistant(generation, self.store)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def reloader_for(index: FakeIndex, clock: Clock | None = None) -> tuple[IndexReloader[ChatAssistant], AssistantHolder]:
    holder = AssistantHolder(index.build, lazy=False)
    return IndexReloader(holder, index.pointer, index.build, INTERVAL_S, clock or Clock()), holder


def answer(assistant: ChatAssistant | None) -> str:
    assert assistant is not None
    return "".join(str(e.data.get("text", "")) for e in assistant.respond(Conversation("c1"), "hello"))


def test_a_new_generation_is_swapped_in_and_a_turn_already_started_finishes_on_the_old_one() -> None:
    index = FakeIndex()
    reloader, holder = reloader_for(index)
    assert reloader.check() == "reloaded" and holder.generation == "g1"
    in_flight = holder.get()  # a turn took this assistant before the swap
    index.active = "g2"
    assert reloader.check() == "reloaded"
    assert answer(holder.get()) == "answered from g2" and holder.generation == "g2"
    assert answer(in_flight) == "answered from g1"


def test_an_unchanged_pointer_builds_nothing() -> None:
    index = FakeIndex()
    reloader, holder = reloader_for(index)
    reloader.check()
    served = holder.get()
    assert [reloader.check() for _ in range(5)] == ["unchanged"] * 5
    assert index.builds == ["g1"] and holder.get() is served


def test_a_failed_build_keeps_the_old_generation_serving_and_is_retried_with_back_off(
        caplog: pytest.LogCaptureFixture) -> None:
    index, clock = FakeIndex(broken={"g2"}), Clock()
    reloader, holder = reloader_for(index, clock)
    reloader.check()
    index.active = "g2"
    with caplog.at_level(logging.INFO, logger="assistant.web.reload"):
        outcomes = [reloader.check(), reloader.check(), reloader.check()]
    assert outcomes == ["failed", "failed", "backing_off"]  # the next tick, then one interval later
    assert answer(holder.get()) == "answered from g1" and holder.generation == "g1"
    failure = next(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "g2" in failure and "g1" in failure and "IndexNotReadyError" in failure
    assert "/srv/private" not in caplog.text  # ids and the error's type, not its text
    index.broken.clear()
    clock.now += INTERVAL_S
    assert reloader.check() == "reloaded" and answer(holder.get()) == "answered from g2"
    index.active = "g3"
    assert reloader.check() == "reloaded"  # a success resets the back-off


def test_an_unreachable_index_or_none_yet_changes_nothing_and_the_first_generation_is_loaded_when_it_comes() -> None:
    index = FakeIndex(active=None)
    reloader, holder = reloader_for(index)
    assert reloader.check() == "no_index" and holder.get() is None  # never built on a request either
    index.active = "g1"
    assert reloader.check() == "reloaded" and answer(holder.get()) == "answered from g1"
    index.unreachable = True
    assert reloader.check() == "unreadable" and answer(holder.get()) == "answered from g1"


def test_the_background_thread_follows_the_pointer_until_closed() -> None:
    index = FakeIndex()
    holder = AssistantHolder(index.build, lazy=False)
    reloader = IndexReloader(holder, index.pointer, index.build, interval_s=0.02)
    reloader.check()
    reloader.start()
    try:
        index.active = "g2"
        deadline = time.monotonic() + 10
        while holder.generation != "g2" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert answer(holder.get()) == "answered from g2"
    finally:
        reloader.close()
    index.active = "g3"
    time.sleep(0.1)
    assert holder.generation == "g2" and index.builds == ["g1", "g2"]


def test_build_services_follows_the_pointer_and_conversations_survive_the_swap(tmp_path: Path) -> None:
    index = FakeIndex()
    settings = Settings(data_dir=tmp_path / "data", index_reload_s=0.02)

    def factory(settings: Settings, store: ConversationStore) -> ChatAssistant:
        index.store = store
        return index.build()

    services = build_services(settings, factory, index_pointer=index.pointer)
    try:
        conversation_id, _ = services.conversations.create("en")
        first = services.store.get(conversation_id)
        assert first is not None and answer_in(services.assistant.get(), first) == "answered from g1"
        index.active = "g2"
        deadline = time.monotonic() + 10
        while services.assistant.generation != "g2" and time.monotonic() < deadline:
            time.sleep(0.01)
        again = services.store.get(conversation_id)
        assert again is not None and answer_in(services.assistant.get(), again) == "answered from g2"
        stored = services.store.get(conversation_id)
        assert stored is not None
        assert [m.text for m in stored.messages] == ["hello", "answered from g1", "hello", "answered from g2"]
    finally:
        services.close()


def test_without_a_reload_interval_nothing_follows_the_pointer(tmp_path: Path) -> None:
    index = FakeIndex()
    services = build_services(Settings(data_dir=tmp_path / "data", index_reload_s=0),
                              lambda settings, store: index.build(), index_pointer=index.pointer)
    try:
        assert services.reloader is None and answer(services.assistant.get()) == "answered from g1"
    finally:
        services.close()


def answer_in(assistant: ChatAssistant | None, conversation: Conversation) -> str:
    assert assistant is not None
    return "".join(str(e.data.get("text", "")) for e in assistant.respond(conversation, "hello"))
