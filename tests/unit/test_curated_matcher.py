"""CuratedMatcher: each entry scores by its closest question (+ weight × its answer), the margin is over the
runner-up, and rows naming an unknown entry are ignored."""

from __future__ import annotations

import numpy as np

from assistant.curated import CuratedMatcher
from assistant.types import CuratedAnswer


def _entry(cid: str) -> CuratedAnswer:
    return CuratedAnswer(id=cid, documents=("d",), topics=(), questions={"en": ("q",)}, answers={"en": cid},
                         review={"en": "approved"})


def _unit(*xs: float) -> np.ndarray:
    v = np.asarray(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_best_entry_its_closest_question_and_the_margin_over_the_runner_up() -> None:
    rows = [("a", "en", "q1"), ("a", "en", "q2"), ("b", "en", "q1"), ("zombie", "en", "gone")]
    vectors = np.stack([_unit(1, 0, 0), _unit(0.6, 0.8, 0), _unit(0, 1, 0), _unit(0, 0.9, 0.1)])
    matcher = CuratedMatcher([_entry("a"), _entry("b")], rows, vectors)
    match = matcher.best(_unit(0.5, 0.9, 0))
    assert match is not None and match.entry.id == "a"  # a's second question is the closest of all
    question_sims = vectors[:3] @ _unit(0.5, 0.9, 0)
    assert np.isclose(match.score, max(question_sims[:2]))
    assert np.isclose(match.margin, max(question_sims[:2]) - question_sims[2])


def test_answer_similarity_tells_apart_entries_with_equally_close_questions() -> None:
    rows = [("a", "en", "q"), ("b", "en", "q")]
    same = _unit(1, 0, 0)
    answers = np.stack([_unit(0, 0, 1), _unit(0, 1, 0)])
    matcher = CuratedMatcher([_entry("a"), _entry("b")], rows, np.stack([same, same]), answers)
    match = matcher.best(_unit(1, 0.3, 0))
    assert match is not None and match.entry.id == "b" and match.margin > 0


def test_no_rows_no_match() -> None:
    assert CuratedMatcher([_entry("a")], [], np.zeros((0, 3), np.float32)).best(_unit(1, 0, 0)) is None
