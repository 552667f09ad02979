"""The optional LLM failing, against the real server (`uvicorn server:app`) and a scripted OpenAI-wire server,
both on loopback: a 30-second hang, an HTTP 500 and a stream dropped midway each end in an honest extractive
answer from the documents within 10 seconds; after three failures the circuit breaker opens (the LLM is not
called at all and answers come at once), and after its reset time one trial call closes it again."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.servers import ServerProcess, uvicorn_process
from tests.e2e.sse_client import Turn, new_conversation, post_message
from tests.openai_server import ScriptedOpenAI, serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

QUESTION = "Where can parents cook for themselves while their child is admitted?"
RESET_S = 4.0
TIMEOUT_S = 3.0
HONEST = re.compile(r"internationalcare@prinsesmaximacentrum\.nl|\[\d\]|Máxima", re.I)


def grounded(body: dict[str, Any]) -> str:
    """A reply that quotes the first sentence of passage [1] and cites it: it passes the grounding check."""
    prompt = body["messages"][-1]["content"]
    first = re.search(r"\[1\] .*?\n<<<\n(.+?)\n>>>", prompt, re.S)
    sentence = re.split(r"(?<=[.!?])\s", (first.group(1) if first else "").strip().splitlines()[0])[0]
    return f"{sentence.rstrip('.')} [1]."


@dataclass
class Stack:
    server: ServerProcess
    llm: ScriptedOpenAI
    http: httpx.Client

    def ask(self) -> tuple[Turn, float]:
        conversation_id, token = new_conversation(self.http, self.server.base_url)  # no history: no condense call
        started = time.monotonic()
        turn = post_message(self.http, self.server.base_url, conversation_id, token, QUESTION, locale="en")
        return turn, time.monotonic() - started


@pytest.fixture(scope="module")
def stack(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work = tmp_path_factory.mktemp("reliability-llm")
    with serve([]) as (url, llm):
        env = {"IPO_DATA_DIR": str(index_dir), "IPO_DATABASE_URL": f"sqlite:///{work / 'ipo.sqlite3'}",
               "IPO_LLM_PROVIDER": "openai", "IPO_LLM_BASE_URL": url, "IPO_LLM_API_KEY": "test",
               "IPO_LLM_MODEL": "scripted", "IPO_LLM_TIMEOUT_S": str(TIMEOUT_S), "IPO_LLM_BREAKER_FAILURES": "3",
               "IPO_LLM_BREAKER_RESET_S": str(RESET_S), "IPO_CURATED": "false",
               "IPO_RATE_LIMIT_PER_MINUTE_IP": "1000", "IPO_LOG_LEVEL": "INFO"}
        with uvicorn_process(env, work / "server.log") as server, \
                httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
            yield Stack(server, llm, http)


def _reason(turn: Turn) -> str:
    assert turn.status == 200 and turn.kinds()[-1] == "done", (turn.status, turn.body, turn.kinds())
    return str(turn.first("route")["reason"])


def test_failures_degrade_honestly_and_the_breaker_opens_then_recovers(stack: Stack) -> None:
    stack.llm.script[:] = [grounded]
    turn, _ = stack.ask()
    assert _reason(turn) == "generated"  # the LLM path works: what follows is a real degradation

    # A 30-second hang (twice: the call and its one retry), cut by the 3-second timeout.
    stack.llm.script[:] = [("sleep", 30, "late [1]."), ("sleep", 30, "late [1].")]
    turn, elapsed = stack.ask()
    assert _reason(turn) == "extractive_fallback" and elapsed < 10, elapsed
    print(f"llm hang 30 s (timeout {TIMEOUT_S} s, one retry): extractive answer after {elapsed:.2f} s")
    assert HONEST.search(turn.text()) and turn.first("citations")["items"]

    # A 500: the third failure in a row opens the breaker.
    stack.llm.script[:] = [("status", 500)]
    turn, elapsed = stack.ask()
    assert _reason(turn) == "extractive_fallback" and elapsed < 10
    print(f"llm HTTP 500: extractive answer after {elapsed:.2f} s; breaker opens")

    # Open: the LLM is not called; the answer comes from the documents at once.
    calls = len(stack.llm.requests)
    turn, elapsed = stack.ask()
    assert _reason(turn) == "extractive_fallback" and len(stack.llm.requests) == calls and elapsed < 5
    print(f"breaker open: no LLM call, extractive answer after {elapsed:.2f} s")
    opened = time.monotonic()

    # After the reset time, one trial call (half-open) succeeds and closes the breaker again.
    time.sleep(max(0.0, RESET_S - (time.monotonic() - opened)) + 0.5)
    stack.llm.script[:] = [grounded, grounded]
    turn, _ = stack.ask()
    assert _reason(turn) == "generated" and len(stack.llm.requests) == calls + 1
    turn, _ = stack.ask()
    assert _reason(turn) == "generated"
    assert "llm skipped: circuit open" in stack.server.log_text()


def test_a_stream_dropped_midway_ends_in_the_extractive_answer_not_half_a_reply(stack: Stack) -> None:
    calls = len(stack.llm.requests)
    stack.llm.script[:] = [("drop", "Parents can cook for themselves in the shared kitchens [1]."),
                           ("drop", "Parents can cook for themselves in the shared kitchens [1].")]
    turn, elapsed = stack.ask()
    assert _reason(turn) == "extractive_fallback" and elapsed < 10 and len(stack.llm.requests) > calls
    print(f"llm dropped mid-stream: extractive answer after {elapsed:.2f} s")
    assert "interrupted" not in turn.kinds() and turn.first("citations")["items"]  # whole, cited, honest
    assert HONEST.search(turn.text())


FILLER = ("The International Patient Office can tell you more about this and about everything else you need to "
          "know before you travel to the Netherlands with your child.")


def truncated_after_one_grounded_sentence(body: dict[str, Any]) -> tuple[str, str]:
    return "drop", f"{grounded(body)} {FILLER} {FILLER}"


def test_a_stream_cut_after_a_complete_sentence_is_not_served_as_a_complete_answer(stack: Stack) -> None:
    stack.llm.script[:] = [truncated_after_one_grounded_sentence, truncated_after_one_grounded_sentence]
    turn, _ = stack.ask()
    assert _reason(turn) == "extractive_fallback"
