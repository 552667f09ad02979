from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals.__main__ import main
from evals.baseline import compare
from evals.gate_file import load_gate_file
from evals.gates import Threshold, check_thresholds, parse_threshold


def doc(passed: dict[str, bool], **summary: Any) -> dict[str, Any]:
    base = {"cases": len(passed), "passed": sum(passed.values()), "route_accuracy": 0.9,
            "source_hit_rate": 0.8, "must_not_violations": 0, "citation_accuracy": None,
            "latency_ms_p50": 30.0, "by_lang": {"en": {"cases": 2, "passed": 2, "pass_rate": 1.0}}}
    base.update(summary)
    cases: list[dict[str, Any]] = [
        {"id": i, "passed": ok, "route_expected": "answer", "route_got": "answer", "lang_expected": "en",
         "lang_got": "en", "retrieved": [], "cited": [], "source_hit": None, "must_include_failed": [],
         "must_not_matched": [], "latency_ms": 30.0, "reply": "r"} for i, ok in passed.items()]
    return {"summary": base, "cases": cases}


def test_thresholds_are_floors_for_rates_and_ceilings_for_counts_and_latencies() -> None:
    summary = {"route_accuracy": 0.9, "must_not_violations": 2, "latency_ms_p95": 80.0, "mrr": None,
               "by_lang": {"ar": {"pass_rate": 0.5}}}
    assert check_thresholds(summary, [Threshold("route_accuracy", 0.9), Threshold("latency_ms_p95", 100)]) == []
    failures = check_thresholds(summary, [
        Threshold("route_accuracy", 0.95), Threshold("must_not_violations", 0), Threshold("mrr", 0.5),
        Threshold("by_lang.ar.pass_rate", 0.8)])
    assert len(failures) == 4
    assert "under" in failures[0] and "above" in failures[1] and "null" in failures[2]


@pytest.mark.parametrize("text", ["route_accuracy", "route_accuracy=high", "nonsense=1", "by_lang.en.bogus=1"])
def test_a_malformed_threshold_is_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_threshold(text)


def test_thresholds_parse_dotted_paths_and_recall_at_k() -> None:
    assert parse_threshold("by_route.emergency.pass_rate=1") == Threshold("by_route.emergency.pass_rate", 1.0)
    assert parse_threshold("recall_at_3=0.5").metric == "recall_at_3"
    assert parse_threshold("route_metrics.escalate.precision=0.8").value == 0.8


def test_a_rate_drop_beyond_the_tolerance_or_more_violations_is_a_regression() -> None:
    before = doc({"a": True, "b": True}, route_accuracy=0.90, source_hit_rate=0.80, must_not_violations=0)
    slight = doc({"a": True, "b": True}, route_accuracy=0.885, source_hit_rate=0.80, must_not_violations=0)
    assert compare(slight, before).regressions == []
    worse = doc({"a": True, "b": False}, route_accuracy=0.85, source_hit_rate=0.90, must_not_violations=1,
                latency_ms_p50=900.0)
    comparison = compare(worse, before)
    assert comparison.regressions == ["route_accuracy dropped from 0.9 to 0.85",
                                      "must_not_violations rose from 0 to 1"]
    assert comparison.newly_failing == ["b"] and comparison.newly_passing == []


def test_a_metric_null_on_one_side_is_not_a_regression() -> None:
    assert compare(doc({}, source_hit_rate=None), doc({}, source_hit_rate=0.9)).regressions == []


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_exit_codes_of_the_cli_for_thresholds_regressions_and_bad_input(tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", doc({"a": True}))
    worse = write(tmp_path / "worse.json", doc({"a": False}, route_accuracy=0.5))
    assert main(["report", str(good), "--report", str(tmp_path / "r1"), "--fail-under", "route_accuracy=0.9"]) == 0
    assert main(["report", str(good), "--report", str(tmp_path / "r2"), "--fail-under", "route_accuracy=0.95"]) == 1
    assert main(["report", str(worse), "--report", str(tmp_path / "r3"), "--baseline", str(good)]) == 1
    assert main(["report", str(good), "--report", str(tmp_path / "r4"), "--baseline", str(worse)]) == 0
    assert main(["report", str(worse), "--report", str(tmp_path / "r5"), "--baseline", str(good),
                 "--tolerance", "0.5"]) == 0
    assert main(["report", str(good), "--report", str(tmp_path / "r6"), "--fail-under", "bogus=1"]) == 2
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert main(["report", str(tmp_path / "broken.json"), "--report", str(tmp_path / "r7")]) == 2


def test_an_invalid_suite_exits_with_2_and_names_file_case_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_env: Path,
) -> None:
    suite = tmp_path / "bad.yaml"
    suite.write_text("- {id: x1, turns: [hi], lang: en, route: answr}\n", encoding="utf-8")
    assert main(["run", str(suite), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert str(suite) in err and "'x1'" in err and "'route'" in err


def test_an_unknown_config_key_exits_with_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             isolated_env: Path) -> None:
    suite = tmp_path / "ok.yaml"
    suite.write_text("- {id: x1, turns: [hi], lang: en, route: answer}\n", encoding="utf-8")
    assert main(["run", str(suite), "--no-progress", "--config", "top_kk=3"]) == 2
    assert "top_kk" in capsys.readouterr().err


def test_the_gate_file_expands_globs_and_turns_thresholds_into_arguments(tmp_path: Path) -> None:
    (tmp_path / "suites").mkdir()
    for name in ("b.yaml", "a.yaml"):
        (tmp_path / "suites" / name).write_text("[]", encoding="utf-8")
    gate = tmp_path / "gate.yaml"
    gate.write_text("suites: [suites/*.yaml]\nconfig: {top_k: 3}\nthresholds: {route_accuracy: 0.9}\n"
                    "baseline: base.json\n", encoding="utf-8")
    loaded = load_gate_file(gate, root=tmp_path)
    assert [p.name for p in loaded.suites] == ["a.yaml", "b.yaml"]
    assert loaded.config == ["top_k=3"] and loaded.thresholds == ["route_accuracy=0.9"]
    assert loaded.baseline == tmp_path / "base.json" and loaded.report is None
    gate.write_text("suites: [nothing/*.yaml]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="matches no file"):
        load_gate_file(gate, root=tmp_path)
