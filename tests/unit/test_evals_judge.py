"""The optional LLM judge: verdict parsing, which cases it judges, how scores reach the summary and report."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from evals.documents import DocumentIndex, KnowledgeDoc
from evals.judge import Judge, parse_verdict
from evals.report import write_report
from evals.runner import results_document, run_cases
from evals.targets import InProcessTarget
from tests.evals_fakes import fake_detect
from tests.unit.test_evals_runner import COSTS, FOLLOW_UP, SCRIPTS, ScriptedAssistant

BODIES = {"costs": "The estimate is given in advance and the guarantee is needed before treatment starts."}


class WordJudge:
    """A deterministic judge: faithfulness = share of reply words found in the documents it was shown;
    relevancy = 1 for a reply of five words or more, else 0.5. Fails when told to."""

    name = "word-judge"

    def __init__(self, fail: bool = False) -> None:
        self.fail, self.calls = fail, 0

    def stream(self, system: str, user: str) -> Iterator[str]:
        self.calls += 1
        if self.fail:
            raise TimeoutError
        words = lambda t: set(re.findall(r"\w+", t.lower()))  # noqa: E731
        if "faithfulness" in system:
            docs, reply = user.split("REPLY:", 1)
            score = len(words(reply) & words(docs)) / max(len(words(reply)), 1)
            yield json.dumps({"score": round(score, 2), "unsupported": []})
        else:
            reply = user.split("REPLY:", 1)[1]
            yield "Verdict: " + json.dumps({"score": 1 if len(words(reply)) >= 5 else 0.5, "reason": "x"})


@pytest.mark.parametrize(("text", "score"), [
    ('{"score": 0.75, "unsupported": ["x"]}', 0.75), ('Sure! {"score": 1}', 1.0), ('{"score": 7}', 1.0),
    ('{"score": -1}', 0.0), ("no json here", None), ('{"score": "high"}', None), ('{"score": true}', None),
    ("{not json}", None),
])
def test_a_verdict_is_the_first_json_object_with_a_numeric_score(text: str, score: float | None) -> None:
    assert parse_verdict(text).score == score


def _docs() -> DocumentIndex:
    return DocumentIndex([KnowledgeDoc("costs", "Costs", "https://example.org/costs", "en", BODIES["costs"])])


def _target() -> InProcessTarget:
    return InProcessTarget(ScriptedAssistant(SCRIPTS))


def test_answered_cases_get_both_scores_and_the_summary_their_means(tmp_path: Path) -> None:
    judge = WordJudge()
    results = run_cases([COSTS, FOLLOW_UP], _target(), _docs(), fake_detect, judge=Judge(judge, BODIES))
    costs, follow_up = results
    assert costs.judge_faithfulness == 1.0 and costs.judge_relevancy == 1.0  # every word is in the document
    assert follow_up.judge_faithfulness is not None and follow_up.judge_faithfulness < 0.5  # Dutch words: not
    summary = results_document(results)["summary"]
    assert summary["judged_cases"] == 2 and summary["judge_errors"] == 0
    assert summary["judge_faithfulness"] == pytest.approx((1.0 + follow_up.judge_faithfulness) / 2, abs=1e-4)
    write_report(results_document(results), tmp_path)
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Judged low (1)" in markdown and "follow-up" in markdown.split("Judged low (1)")[1]


def test_without_a_judge_the_results_carry_no_judge_fields() -> None:
    document = results_document(run_cases([COSTS], _target(), _docs(), fake_detect))
    assert not any(k.startswith("judge") for k in document["summary"])
    assert not any(k.startswith("judge") for k in document["cases"][0]["scores"])


def test_a_failing_judge_is_counted_and_the_run_goes_on() -> None:
    results = run_cases([COSTS], _target(), _docs(), fake_detect, judge=Judge(WordJudge(fail=True), BODIES))
    assert results[0].passed and results[0].judge_faithfulness is None and results[0].judge_errors == 2
    assert results_document(results)["summary"]["judge_errors"] == 2


def test_only_answers_are_judged() -> None:
    judge = WordJudge()
    result = run_cases([COSTS], _target(), _docs(), fake_detect)[0]
    from dataclasses import replace

    escalated = replace(result, route_got="escalate")
    assert Judge(judge, BODIES).judge(escalated) == escalated and judge.calls == 0
