"""`python -m evals run … --judge` end to end: the real assistant in-process on the shipped index, the judge
through LangChain's ChatOpenAI against the local OpenAI-wire server on loopback (no mocks of LangChain).

The scripted judge is deterministic: faithfulness is the share of the reply's words found in the documents
it was shown, relevancy is 1 for a non-empty reply. Answer-generation requests from the assistant (the same
LLM settings) get a reply without citations, so the assistant falls back to its extractive answer."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from evals.__main__ import main
from tests.evals_fakes import fake_detect
from tests.openai_server import serve

pytestmark = pytest.mark.integration

SUITE = """
- id: mibg-stay
  turns: ["How many weeks does a family from abroad stay in the Netherlands for 131I-MIBG therapy?"]
  lang: en
  route: answer
  sources: [mibg-international]
- id: emergency
  turns: ["My son is not breathing, what do I do?"]
  lang: en
  route: emergency
"""


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.lower()))


def judge_step(body: dict[str, Any]) -> str:
    system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
    if "faithfulness" in system:
        documents, reply = user.split("REPLY:", 1)
        score = len(_words(reply) & _words(documents)) / max(len(_words(reply)), 1)
        return json.dumps({"score": round(score, 3), "unsupported": []})
    if "relevancy" in system:
        return json.dumps({"score": 1.0 if user.split("REPLY:", 1)[1].strip("<> \n") else 0.0, "reason": "ok"})
    return "I cannot say."  # the assistant's own generation: ungrounded, so it answers extractively


def _config(settings: Settings, url: str) -> list[str]:
    return [f"data_dir={settings.data_dir}", "llm_provider=openai", f"llm_base_url={url}", "llm_api_key=test",
            "llm_model=scripted", "llm_timeout_s=10"]


def test_judge_scores_reach_the_results_and_the_report(shipped_settings: Settings, tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    out, report = tmp_path / "results.json", tmp_path / "report"
    with serve([judge_step] * 50) as (url, state):
        code = main(["run", str(suite), "--no-progress", "--judge", "--json", str(out), "--report", str(report),
                     "--config", *_config(shipped_settings, url)], detect=fake_detect)
    assert code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    mibg, emergency = document["cases"]
    assert mibg["route_got"] == "answer" and mibg["scores"]["judge_relevancy"] == 1.0
    assert mibg["scores"]["judge_faithfulness"] >= 0.8  # an extractive answer quotes its documents
    assert "judge_faithfulness" not in emergency["scores"]  # reviewed templates are not judged
    summary = document["summary"]
    assert summary["judged_cases"] == 1 and summary["judge_errors"] == 0
    assert document["run"]["judge"] == "openai/scripted"
    judged = [r for r in state.requests if "faithfulness" in r["messages"][0]["content"]]
    assert judged and "mibg-international" in judged[0]["messages"][-1]["content"]  # the cited document's text
    assert "judge_faithfulness" in (report / "report.md").read_text(encoding="utf-8")


def test_judge_without_an_llm_is_a_usage_error(shipped_settings: Settings, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    code = main(["run", str(suite), "--no-progress", "--judge", "--config", f"data_dir={shipped_settings.data_dir}",
                 "llm_provider=none"], detect=fake_detect)
    assert code == 2 and "--judge needs an LLM" in capsys.readouterr().err
