"""The Chroma server in place of the embedded store: `python -m ingest` and `uvicorn server:app` reach it through
IPO_CHROMA_URL alone, and the families get the same answers, word for word and citation for citation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.servers import uvicorn_process
from tests.e2e.sse_client import Turn, new_conversation, post_message

pytestmark = pytest.mark.e2e

QUESTIONS = [
    "How do I apply for treatment at the Máxima?", "Wer bezahlt die Behandlung?",
    "Can one parent stay overnight with our child?", "Is there an interpreter for Arabic?",
    "Do we need a visa for the treatment?", "How long does MIBG therapy take?",
    "Which airport is closest to the hospital?", "Waar kunnen we verblijven tijdens de behandeling?",
    "My child has a high fever after chemo, what should I give?",
]


def summary(report: str) -> str:
    """The ingestion summary without its timing line."""
    return "\n".join(line for line in report.splitlines() if not re.match(r"^seconds\s", line))


def canonical(turn: Turn) -> list[tuple[str, dict[str, Any]]]:
    """What the family sees, without ids and timings."""
    assert turn.status == 200 and turn.kinds()[-1] == "done", (turn.status, turn.body, turn.kinds())
    return [(kind, {k: v for k, v in data.items() if k not in ("message_id", "latency_ms")})
            for kind, data in turn.events]


def answers(env: dict[str, str], work: Path) -> list[list[tuple[str, dict[str, Any]]]]:
    server_env = {k: v for k, v in env.items() if k.startswith("IPO_")}
    server_env.update(IPO_DATABASE_URL=f"sqlite:///{work / 'ipo.sqlite3'}", IPO_RATE_LIMIT_PER_MINUTE_IP="1000",
                      IPO_RATE_LIMIT_PER_MINUTE_CONVERSATION="1000")
    with uvicorn_process(server_env, work / "server.log") as server, \
            httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
        out = []
        for question in QUESTIONS:  # each question in a fresh conversation: no follow-up context
            conversation_id, token = new_conversation(http, server.base_url)
            out.append(canonical(post_message(http, server.base_url, conversation_id, token, question)))
        return out


def test_ingesting_into_the_server_reports_what_the_embedded_store_reports(
        server_index: dict[str, str], embedded_index: dict[str, str]) -> None:
    assert summary(server_index["summary"]) == summary(embedded_index["summary"])
    assert not (Path(server_index["IPO_DATA_DIR"]) / "chroma").exists()  # nothing embedded on this side


def test_the_assistant_answers_the_same_through_the_chroma_server(
        server_index: dict[str, str], embedded_index: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    (tmp_path / "embedded").mkdir()
    remote = answers(server_index, tmp_path / "server")
    local = answers(embedded_index, tmp_path / "embedded")
    for question, got, expected in zip(QUESTIONS, remote, local, strict=True):
        assert got == expected, question
    routes = [next(data["route"] for kind, data in turn if kind == "route") for turn in remote]
    assert routes.count("answer") >= 4, routes
    assert any(kind == "citations" and data.get("items") for turn in remote for kind, data in turn)
    assert not (Path(server_index["IPO_DATA_DIR"]) / "chroma").exists()
