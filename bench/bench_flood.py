"""Cost of adversarial long messages (OWASP LLM10, unbounded consumption) on the embedded assistant.

For messages of the web API's maximum length (2,000 characters) shaped to be expensive, prints the time of a
whole turn, of the query embedding and of the triage rules. Usage: ``python -m bench.bench_flood [CHARS]``
(the index in IPO_DATA_DIR must exist). Each figure is the best of three runs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial

from assistant.answering import Assistant
from assistant.settings import load_settings
from assistant.triage import rule_hits
from assistant.wiring import build_assistant


def shapes(chars: int) -> dict[str, str]:
    question = "What documents do we need for the application? "
    return {
        "ordinary question": "What documents do we need for the application?",
        "question repeated": (question * (chars // len(question) + 1))[:chars],
        "one word repeated": ("buffalo " * (chars // 8 + 1))[:chars],
        "one digit repeated": "9" * chars,
        "digits and letters": ("9a" * chars)[:chars],
        "emoji": "\U0001f600" * (chars // 2),
    }


def best(run: Callable[[], object], times: int = 3) -> float:
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def _turn(assistant: Assistant, text: str) -> None:
    list(assistant.respond(assistant.new_conversation(), text))


def main(argv: list[str]) -> int:
    chars = int(argv[1]) if len(argv) > 1 else 2000
    assistant = build_assistant(load_settings())
    list(assistant.respond(assistant.new_conversation(), "hello"))  # warm up
    embed, lexicons = assistant._embedder, assistant._triage._lexicons  # a benchmark looks inside
    print(f"{'input':20} {'chars':>6} {'tokens':>7} {'turn s':>8} {'embed s':>8} {'rules s':>8}")
    for name, text in shapes(chars).items():
        tokens = getattr(getattr(embed, "_model", None), "token_count", lambda _t, _q: -1)(text, True)
        turn = best(partial(_turn, assistant, text))
        embedding = best(partial(embed.embed_queries, [text]))
        rules = best(partial(rule_hits, lexicons, text))
        print(f"{name:20} {len(text):>6} {tokens:>7} {turn:>8.2f} {embedding:>8.2f} {rules:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
