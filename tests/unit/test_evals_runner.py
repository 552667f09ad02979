from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from evals.cases import Case
from evals.documents import DocumentIndex, KnowledgeDoc
from evals.observation import Observation
from evals.runner import results_document, run_cases
from evals.targets import InProcessTarget
from tests.evals_fakes import Script, ScriptedAssistant, fake_detect

DOCS = DocumentIndex([KnowledgeDoc("costs", "Costs", "https://example.org/costs", "en", "Body.")])
SCRIPTS = {
    "What does it cost?": Script("answer", "The estimate is given in advance and the guarantee is needed.",
                                 retrieved=("costs", "faq"), cited=("costs",)),
    "Hello": Script("answer", "Hello, how can I help you with the hospital?"),
    "and in Dutch?": Script("answer", "De schatting is gratis en het is een garantie.", language="nl",
                            retrieved=("costs",), cited=("costs",)),
}
COSTS = Case(id="costs", turns=("What does it cost?",), lang="en", route="answer",
             sources=("https://example.org/costs",), must_include=("guarantee",), tags=("costs",))
FOLLOW_UP = Case(id="follow-up", turns=("Hello", "and in Dutch?"), lang="nl", route="answer", sources=("costs",))


class Ticking:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.010
        return self.now


def target() -> InProcessTarget:
    return InProcessTarget(ScriptedAssistant(SCRIPTS), clock=Ticking())


def test_each_case_runs_its_turns_in_one_conversation_and_only_the_last_reply_is_scored() -> None:
    results = run_cases([COSTS, FOLLOW_UP], target(), DOCS, fake_detect)
    assert [r.passed for r in results] == [True, True]
    follow = results[1]
    assert follow.reply.startswith("De schatting") and follow.lang_got == "nl" and follow.source_hit is True
    assert follow.latency_ms == pytest.approx(10.0)  # the last turn only, on the ticking clock


def test_the_same_follow_up_without_its_history_is_scored_as_a_failure() -> None:
    alone = Case(id="alone", turns=("and in Dutch?",), lang="nl", route="answer", sources=("costs",))
    (r,) = run_cases([alone], target(), DOCS, fake_detect)
    assert not r.passed and r.route_got == "escalate"


def test_a_target_that_raises_gives_a_failed_case_and_the_run_goes_on() -> None:
    unknown = Case(id="unknown", turns=("no script for this",), lang="en", route="answer")
    results = run_cases([unknown, COSTS], target(), DOCS, fake_detect)
    assert results[0].error is not None and "KeyError" in results[0].error and not results[0].passed
    assert results[1].passed


def test_the_results_document_has_the_fixed_fields_and_is_deterministic() -> None:
    def run() -> str:
        return json.dumps(results_document(run_cases([COSTS, FOLLOW_UP], target(), DOCS, fake_detect)))

    first = run()
    assert first == run()
    document = json.loads(first)
    case = document["cases"][0]
    for field in ("id", "passed", "route_expected", "route_got", "lang_expected", "lang_got", "retrieved",
                  "cited", "source_hit", "must_include_failed", "must_not_matched", "latency_ms", "reply"):
        assert field in case
    assert case["retrieved"] == ["costs", "faq"] and case["cited"] == ["costs"]
    for field in ("cases", "passed", "route_accuracy", "source_hit_rate", "citation_accuracy",
                  "must_include_rate", "must_not_violations", "language_accuracy", "recall_at_5", "mrr",
                  "latency_ms_p50", "latency_ms_p95", "by_route", "by_lang", "by_tag"):
        assert field in document["summary"]


def test_progress_wraps_the_cases() -> None:
    seen: list[str] = []

    def progress(cases: Sequence[Case]) -> Sequence[Case]:
        seen.extend(c.id for c in cases)
        return cases

    run_cases([COSTS], target(), DOCS, fake_detect, progress=progress)
    assert seen == ["costs"]


def test_a_custom_target_only_needs_run() -> None:
    class Fixed:
        name = "fixed"

        def run(self, turns: Sequence[str]) -> Observation:
            return Observation("Ist der Termin und", "answer", "de", (), (), 1.0)

    case = Case(id="de", turns=("x",), lang="de", route="answer")
    assert run_cases([case], Fixed(), DOCS, fake_detect)[0].passed
