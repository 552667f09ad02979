from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from evals.baseline import compare
from evals.cases import Case
from evals.documents import DocumentIndex
from evals.report import write_report
from evals.runner import results_document, run_cases
from evals.targets import InProcessTarget
from tests.evals_fakes import Script, ScriptedAssistant, fake_detect

SCRIPTS = {
    "costs?": Script("answer", "The guarantee is needed.", retrieved=("costs",), cited=("costs",)),
    "help, not breathing": Script("answer", "The <script>alert(1)</script> is | here", retrieved=("faq",)),
    "hoe aanmelden?": Script("answer", "De aanmelding is een formulier en het gaat via de arts.", "nl",
                             retrieved=("apply",), cited=("apply",)),
}
CASES = [
    Case(id="costs", turns=("costs?",), lang="en", route="answer", sources=("costs",), tags=("costs",)),
    Case(id="sos", turns=("help, not breathing",), lang="en", route="emergency", tags=("safety",)),
    Case(id="apply-nl", turns=("hoe aanmelden?",), lang="nl", route="answer", sources=("apply",)),
]


def run() -> dict[str, Any]:
    target = InProcessTarget(ScriptedAssistant(SCRIPTS))
    return results_document(run_cases(CASES, target, DocumentIndex([]), fake_detect), run={"target": "fake"})


def test_the_report_is_written_as_markdown_and_self_contained_html_with_embedded_pngs(tmp_path: Path) -> None:
    md, page = write_report(run(), tmp_path / "report")
    assert md.name == "report.md" and page.name == "report.html"
    html = page.read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 3
    assert all(base64.b64decode(i).startswith(b"\x89PNG\r\n\x1a\n") for i in images)
    assert "http://" not in html and "https://" not in html  # nothing loaded from elsewhere
    text = md.read_text(encoding="utf-8")
    assert "## Failing cases (1)" in text and "sos" in text and "Confusion matrix" in text


def test_replies_are_escaped_in_html_and_markdown(tmp_path: Path) -> None:
    md, page = write_report(run(), tmp_path)
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "is \\| here" in md.read_text(encoding="utf-8")


def test_the_baseline_comparison_marks_regressions_and_newly_failing_cases(tmp_path: Path) -> None:
    current = run()
    baseline = run()
    baseline["summary"]["route_accuracy"] = 1.0
    for case in baseline["cases"]:
        case["passed"] = True
    comparison = compare(current, baseline)
    md, page = write_report(current, tmp_path, baseline, comparison, ["regression: route_accuracy dropped"])
    text, html = md.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")
    assert "Summary vs baseline" in text and "**⚠ route_accuracy**" in text and "REGRESSION" in text
    assert "**⚠ sos**" in text and "passed → FAILS" in text
    assert '<tr class="flag"><td>route_accuracy</td>' in html and "GATE FAILED" in html
