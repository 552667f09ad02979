from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from evals.__main__ import main
from evals.targets import HttpTarget, TargetError, parse_sse
from tests.evals_fakes import Script, ScriptedApiServer, ScriptedAssistant, fake_detect

SCRIPTS = {
    "Hello": Script("answer", "Hello, how can I help?"),
    "and the costs?": Script("answer", "The estimate is given in advance and a guarantee is needed.",
                             retrieved=("costs", "faq"), cited=("costs",)),
    "My child is not breathing": Script("emergency", "Call 112 now.", retrieved=(), cited=()),
}


def test_the_http_target_streams_sse_events_over_a_real_local_server() -> None:
    with ScriptedApiServer(ScriptedAssistant(SCRIPTS)) as server:
        target = HttpTarget(server.url)
        try:
            observation = target.run(["Hello", "and the costs?"])
        finally:
            target.close()
    assert observation.route == "answer" and observation.language == "en"
    assert observation.reply.strip() == SCRIPTS["and the costs?"].text
    assert observation.retrieved == ("costs", "faq") and observation.cited == ("costs",)
    assert observation.kinds[0] == "route" and observation.kinds[-1] == "done"


def test_the_http_target_waits_out_a_rate_limit() -> None:
    waits: list[float] = []
    with ScriptedApiServer(ScriptedAssistant(SCRIPTS), rate_limit_first=True) as server:
        target = HttpTarget(server.url, sleep=waits.append)
        try:
            observation = target.run(["My child is not breathing"])
        finally:
            target.close()
    assert waits == [0.0] and observation.route == "emergency"


def test_an_error_status_becomes_a_target_error_with_the_status() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"detail": "index not ready"})

    target = HttpTarget("http://testserver", client=httpx.Client(transport=httpx.MockTransport(handler)))
    with pytest.raises(TargetError, match="503"):
        target.run(["Hello"])


def test_sse_parsing_joins_data_lines_and_skips_comments() -> None:
    lines = [": ping", "event: text", 'data: {"text":', 'data: "hi"}', "", "data: [1]", "", "event: done",
             'data: {"language": "en"}']
    assert list(parse_sse(lines)) == [("text", {"text": "hi"}), ("message", {"value": [1]}),
                                      ("done", {"language": "en"})]


def test_the_cli_runs_a_suite_against_a_target_url_and_writes_the_results(
    tmp_path: Path, isolated_env: Path,
) -> None:
    docs = tmp_path / "knowledge" / "docs"
    docs.mkdir(parents=True)
    (docs / "costs.md").write_text("---\nid: costs\ntitle: Costs\nsource: https://example.org/costs\n"
                                   "language: en\n---\nBody.\n", encoding="utf-8")
    suite = tmp_path / "suite.yaml"
    suite.write_text("- {id: follow, turns: [Hello, 'and the costs?'], lang: en, route: answer, "
                     "sources: ['https://example.org/costs'], must_include: [guarantee]}\n"
                     "- {id: sos, turns: [My child is not breathing], lang: en, route: emergency}\n",
                     encoding="utf-8")
    out = tmp_path / "results.json"
    with ScriptedApiServer(ScriptedAssistant(SCRIPTS)) as server:
        code = main(["run", str(suite), "--target", server.url, "--json", str(out), "--no-progress",
                     "--config", f"knowledge_dir={tmp_path / 'knowledge'}", "--fail-under", "route_accuracy=1"],
                    detect=fake_detect)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0
    assert document["summary"]["passed"] == 2 and document["summary"]["source_hit_rate"] == 1.0
    assert document["run"]["target"] == server.url
