"""The LLM path through LangChain's ChatOpenAI against a local OpenAI-wire server with scripted replies."""

from __future__ import annotations

import pytest

from assistant.answering import Assistant
from assistant.ports import Embedder
from assistant.settings import Settings
from assistant.types import Event
from tests.openai_server import serve

pytestmark = pytest.mark.integration
QUESTION = "How many weeks does a family from abroad stay in the Netherlands for 131I-MIBG therapy?"


def citing(template: str, needle: str = "4 to 6 weeks"):  # type: ignore[no-untyped-def]
    """A scripted step that cites, as [n], the passage of the prompt that contains ``needle``."""
    import re

    def build(body: dict) -> str:  # type: ignore[type-arg]
        prompt = body["messages"][-1]["content"]
        blocks = re.split(r"\n(?=\[\d+\] )", prompt)
        numbers = [m.group(1) for b in blocks if needle in b and (m := re.match(r"\[(\d+)\]", b))]
        if not numbers:  # retrieval did not bring the passage: say so, the test then fails on it
            return f"NEEDLE {needle!r} NOT IN THE PROMPT"
        return template.replace("[n]", f"[{numbers[0]}]")

    return build


def reply(events: list[Event]) -> str:
    return "".join(e.data["text"] for e in events if e.kind == "text")


def build(settings: Settings, embedder: Embedder, url: str, timeout: float = 5.0) -> Assistant:
    from assistant.wiring import build_assistant

    llm = settings.model_copy(update={
        "llm_provider": "openai", "llm_base_url": url, "llm_api_key": "test", "llm_model": "scripted",
        "llm_timeout_s": timeout, "curated": False,
    })
    return build_assistant(llm, embedder=embedder)


def ask(assistant: Assistant, text: str = QUESTION) -> list[Event]:
    return list(assistant.respond(assistant.new_conversation(), text))


def test_a_grounded_streamed_reply_passes_with_its_citations(shipped_settings: Settings, e5_embedder: Embedder) -> None:
    with serve([citing("The whole stay in the Netherlands takes about 4 to 6 weeks on average [n].")]) as (url, state):
        events = ask(build(shipped_settings, e5_embedder, url))
    assert events[0].data["reason"] == "generated", reply(events)
    assert "4 to 6 weeks" in reply(events)
    assert state.requests[0]["stream"] is True
    assert next(e for e in events if e.kind == "citations").data["items"]


def test_an_invented_price_is_removed(shipped_settings: Settings, e5_embedder: Embedder) -> None:
    text = ("The whole stay in the Netherlands takes about 4 to 6 weeks on average [n]. "
            "The programme has two hospital admissions and three outpatient appointments [n]. "
            "The therapy costs 48,500 euro per child [n].")
    with serve([citing(text)]) as (url, _):
        events = ask(build(shipped_settings, e5_embedder, url))
    assert "48,500" not in reply(events) and "4 to 6 weeks" in reply(events)


@pytest.mark.parametrize("failure", [("status", 500), ("drop", "The stay takes about 4 to 6 weeks on average [1].")])
def test_server_error_or_dropped_stream_falls_back_to_the_extractive_answer(
    shipped_settings: Settings, e5_embedder: Embedder, failure: tuple[object, ...],
) -> None:
    with serve([failure, failure]) as (url, _):
        events = ask(build(shipped_settings, e5_embedder, url))
    assert events[0].data["route"] == "answer"
    assert events[0].data["reason"] == "extractive_fallback", reply(events)
    assert "MIBG" in reply(events)


def test_a_timeout_falls_back_within_the_configured_limit(shipped_settings: Settings, e5_embedder: Embedder) -> None:
    import time

    with serve([("sleep", 4, "late [1]."), ("sleep", 4, "late [1].")]) as (url, _):
        assistant = build(shipped_settings, e5_embedder, url, timeout=1.0)
        started = time.monotonic()
        events = ask(assistant)
        elapsed = time.monotonic() - started
    assert events[0].data["reason"] == "extractive_fallback"
    assert elapsed < 8  # two attempts of 1 s each, far below the 4 s the server would take
