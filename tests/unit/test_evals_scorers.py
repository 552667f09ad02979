from __future__ import annotations

import math
from dataclasses import replace

import pytest

from evals.cases import Case
from evals.observation import Observation, observe
from evals.results import CaseResult
from evals.scorers import (
    citations_correct,
    ndcg_at_k,
    reciprocal_rank,
    reply_language,
    score_case,
    source_hit,
    strip_links,
)
from evals.summary import confusion_matrix, percentile, summarize
from tests.evals_fakes import fake_detect

ANSWER = Case(id="a1", turns=("q",), lang="en", route="answer", sources=("costs",),
              must_include=("guarantee",), must_not_include=("certainly accepted",), tags=("costs",))


def obs(reply: str = "The guarantee is needed and the estimate is free.", route: str | None = "answer",
        retrieved: tuple[str, ...] = ("costs", "faq"), cited: tuple[str, ...] = ("costs",),
        language: str | None = "en", latency: float = 10.0) -> Observation:
    return Observation(reply=reply, route=route, language=language, retrieved=retrieved, cited=cited,
                       latency_ms=latency)


def result(case_id: str, route: str = "answer", got: str | None = "answer", lang: str = "en",
           lang_got: str | None = "en", passed: bool = True, tags: tuple[str, ...] = (), **kw: object) -> CaseResult:
    base = CaseResult(id=case_id, passed=passed, route_expected=route, route_got=got, lang_expected=lang,
                      lang_got=lang_got, retrieved=(), cited=(), source_hit=None, must_include_failed=(),
                      must_not_matched=(), latency_ms=10.0, reply="", tags=tags)
    return replace(base, **kw)  # type: ignore[arg-type]


def test_a_case_passes_when_route_language_sources_and_patterns_all_hold() -> None:
    r = score_case(ANSWER, obs(), {"costs"}, fake_detect)
    assert r.passed and r.source_hit is True and r.hit_at_k is True and r.citation_ok is True
    assert r.reciprocal_rank == 1.0 and r.must_include_ok is True and r.lang_got == "en"


@pytest.mark.parametrize(("observation", "problem"), [
    (obs(route="escalate"), "route"),
    (obs(reply="De garantie is nodig en het is een schatting."), "language"),
    (obs(cited=()), "source"),
    (obs(retrieved=("faq",), cited=("costs",)), "source"),
    (obs(reply="The estimate is free."), "must_include"),
    (obs(reply="The guarantee: you are certainly accepted."), "must_not"),
])
def test_a_case_fails_when_any_check_it_names_fails(observation: Observation, problem: str) -> None:
    r = score_case(ANSWER, observation, {"costs"}, fake_detect)
    assert not r.passed
    if problem == "must_include":
        assert r.must_include_failed == ("guarantee",)
    if problem == "must_not":
        assert r.must_not_matched == ("certainly accepted",)


def test_a_source_must_be_in_the_top_k_to_count() -> None:
    late = obs(retrieved=("a", "b", "costs"), cited=("costs",))
    assert score_case(ANSWER, late, {"costs"}, fake_detect, k=2).source_hit is False
    assert score_case(ANSWER, late, {"costs"}, fake_detect, k=3).source_hit is True


def test_ranking_and_citation_scores_do_not_apply_to_cases_without_sources() -> None:
    case = Case(id="e1", turns=("help",), lang="en", route="emergency")
    r = score_case(case, obs(route="emergency", retrieved=(), cited=()), set(), fake_detect)
    assert r.passed
    assert (r.source_hit, r.hit_at_k, r.reciprocal_rank, r.ndcg_at_10, r.citation_ok, r.must_include_ok) == (
        None, None, None, None, None, None)


def test_reply_language_ignores_links_and_falls_back_to_the_route_language_only_when_undetected() -> None:
    assert strip_links("Mail info@example.org or see https://x.org/the/is/and now") == "Mail   or see   now"
    assert reply_language(obs(reply="de het een https://the.is/and", language="en"), fake_detect) == "nl"
    assert reply_language(obs(reply="https://the.is/and", language="ar"), fake_detect) == "ar"
    assert reply_language(obs(reply="", language=None), fake_detect) is None


def test_ranking_scorers_on_hand_made_rankings() -> None:
    assert reciprocal_rank({"b"}, ["a", "b"]) == 0.5 and reciprocal_rank({"z"}, ["a"]) == 0.0
    assert ndcg_at_k({"a"}, ["a", "b"]) == 1.0 and ndcg_at_k(set(), ["a"]) == 0.0
    assert ndcg_at_k({"b"}, ["a", "b"]) == pytest.approx(1 / math.log2(3))
    assert ndcg_at_k({"a", "b"}, ["a", "x", "b"]) == pytest.approx((1 + 0.5) / (1 + 1 / math.log2(3)))
    assert source_hit({"a"}, ["a"], {"a"}, 5) and not source_hit({"a"}, ["a"], {"b"}, 5)
    assert citations_correct({"a", "b"}, {"a", "b"}, ["a"]) and not citations_correct({"a"}, {"a", "c"}, ["a", "c"])


def test_events_fold_into_reply_route_language_retrieved_and_distinct_citations() -> None:
    o = observe([("route", {"route": "answer", "language": "nl"}), ("retrieved", {"doc_ids": ["a", "b", "a"]}),
                 ("text", {"text": "Hallo "}), ("text", {"text": "daar"}),
                 ("citations", {"items": [{"doc_id": "a"}, {"doc_id": "a"}, {"doc_id": "b"}]}),
                 ("done", {"language": "en"})], 5.0)
    assert (o.reply, o.route, o.language, o.retrieved, o.cited) == ("Hallo daar", "answer", "nl", ("a", "b"),
                                                                    ("a", "b"))
    assert observe([("done", {"language": "de"})], 1.0).language == "de"


def test_an_empty_run_has_null_rates_and_no_division_by_zero() -> None:
    s = summarize([])
    assert s["cases"] == 0 and s["passed"] == 0 and s["must_not_violations"] == 0
    for key in ("route_accuracy", "source_hit_rate", "citation_accuracy", "must_include_rate",
                "language_accuracy", "recall_at_5", "mrr", "ndcg_at_10", "latency_ms_p50", "latency_ms_p95",
                "emergency_recall", "medical_advice_recall", "escalate_precision"):
        assert s[key] is None, key
    assert s["by_route"] == {} and s["by_lang"] == {} and s["by_tag"] == {}


def test_rates_are_over_the_cases_where_they_apply() -> None:
    results = [
        result("a", source_hit=True, hit_at_k=True, reciprocal_rank=1.0, ndcg_at_10=1.0, citation_ok=True,
               must_include_ok=True, tags=("costs",)),
        result("b", passed=False, source_hit=False, hit_at_k=True, reciprocal_rank=0.5, ndcg_at_10=0.5,
               must_include_ok=False, must_not_matched=("x", "y"), tags=("costs", "typo")),
        result("c", route="emergency", got="emergency", lang="nl", lang_got="en", passed=False),
        result("d", route="escalate", got="answer", lang="nl", lang_got="nl", passed=False),
    ]
    s = summarize(results)
    assert (s["cases"], s["passed"], s["pass_rate"]) == (4, 1, 0.25)
    assert s["route_accuracy"] == 0.75 and s["language_accuracy"] == 0.75
    assert s["source_hit_rate"] == 0.5 and s["recall_at_5"] == 1.0 and s["mrr"] == 0.75
    assert s["citation_accuracy"] == 1.0  # only case a has citations scored
    assert s["must_include_rate"] == 0.5 and s["must_not_violations"] == 2
    assert s["emergency_recall"] == 1.0 and s["medical_advice_recall"] is None
    assert s["escalate_precision"] is None  # nothing was routed to escalate
    assert s["route_metrics"]["answer"] == {"support": 2, "predicted": 3, "recall": 1.0, "precision": 0.6667}
    assert s["by_route"]["emergency"]["source_hit_rate"] is None
    assert list(s["by_route"]) == ["answer", "escalate", "emergency"]
    assert s["by_lang"]["nl"]["cases"] == 2 and s["by_lang"]["nl"]["passed"] == 0
    assert s["by_tag"]["costs"]["cases"] == 2 and s["by_tag"]["typo"]["must_not_violations"] == 2


def test_the_confusion_matrix_counts_expected_against_given_routes() -> None:
    results = [result("a"), result("b", got="escalate"), result("c", route="emergency", got=None),
               result("d", route="emergency", got="emergency")]
    matrix = confusion_matrix(results)
    assert list(matrix) == ["answer", "escalate", "emergency", "medical_advice", "out_of_scope", "none"]
    assert matrix["answer"] == {"answer": 1, "escalate": 1, "emergency": 0, "medical_advice": 0,
                                "out_of_scope": 0, "none": 0}
    assert matrix["emergency"]["none"] == 1 and matrix["emergency"]["emergency"] == 1
    assert sum(sum(row.values()) for row in matrix.values()) == len(results)


def test_percentiles_interpolate_and_are_null_for_no_values() -> None:
    assert percentile([], 50) is None and percentile([7.0], 95) == 7.0
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert percentile([float(i) for i in range(11)], 95) == 9.5


def test_errored_cases_fail_and_are_left_out_of_latency() -> None:
    s = summarize([result("a", latency_ms=100.0), result("b", passed=False, got=None, error="boom",
                                                          latency_ms=5000.0)])
    assert s["errors"] == 1 and s["latency_ms_p95"] == 100.0
