"""Structure-aware chunking: heading paths, whole sentences and list items, size and overlap, stable ids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from itertools import pairwise

from assistant.types import Chunk, Document
from ingest.chunking import chunk_document, embed_text, split_sentences
from tests.conftest import REPO_ROOT


def make_doc(body: str, doc_id: str = "doc-a", title: str = "Guide") -> Document:
    return Document(id=doc_id, title=title, source="https://example.org/guide", institution="Test",
                    language="en", reviewed="2026-01-01", body=body)


def sentence(n: int, words: int = 12) -> str:
    """A distinct sentence of exactly ``words`` words."""
    filler = " ".join(f"w{n}x{k}" for k in range(words - 2))
    return f"Sentence{n} says {filler}."


def paragraph(first: int, count: int, words: int = 12) -> str:
    return " ".join(sentence(n, words) for n in range(first, first + count))


def units(chunk: Chunk) -> list[str]:
    return chunk.text.split("\n")


def words(text: str) -> int:
    return len(text.split())


LONG_DOC = "\n".join([
    "# Guide",
    "",
    "## Applying",
    "",
    paragraph(0, 20),
    "",
    "## Housing",
    "",
    paragraph(100, 20),
])


def test_heading_path_of_nested_sections_is_kept_in_each_chunk() -> None:
    body = "\n".join([
        "# Guide", "", paragraph(0, 4), "",
        "## Treatments", "", "### MIBG therapy", "", paragraph(10, 4), "",
        "### CAR-T", "", paragraph(20, 4), "",
        "## Costs", "", paragraph(30, 4),
    ])
    chunks = chunk_document(make_doc(body), 60, 0)

    def path_of(text: str) -> tuple[str, ...]:
        return next(c.heading_path for c in chunks if text in c.text)

    assert path_of(sentence(0)) == ("Guide",)
    assert path_of(sentence(10)) == ("Guide", "Treatments", "MIBG therapy")
    assert path_of(sentence(20)) == ("Guide", "Treatments", "CAR-T")
    assert path_of(sentence(30)) == ("Guide", "Costs")


def test_a_sentence_is_never_split_across_chunks() -> None:
    source = {sentence(n) for n in [*range(20), *range(100, 120)]}
    chunks = chunk_document(make_doc(LONG_DOC), 50, 12)
    assert len(chunks) > 4
    for chunk in chunks:
        assert all(unit in source for unit in units(chunk)), chunk.text
    assert {u for c in chunks for u in units(c)} == source


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = "Bring papers, e.g. the admission notice. Ask Dr. Smith about it. Then Travel home."
    assert split_sentences(text) == [
        "Bring papers, e.g. the admission notice.", "Ask Dr. Smith about it.", "Then Travel home.",
    ]


def test_a_list_item_is_never_split_even_when_longer_than_the_target() -> None:
    items = [f"- Item{n} " + " ".join(f"detail{n}x{k}." for k in range(30)) for n in range(5)]
    body = "# Guide\n\n## What to bring\n\n" + "\n".join(items)
    chunks = chunk_document(make_doc(body), 40, 0)
    found = [u for c in chunks for u in units(c)]
    assert found == [item.strip() for item in items]


def test_a_wrapped_list_item_continuation_stays_with_its_item() -> None:
    body = "## Papers\n\n- the admission notice,\n  signed by the doctor\n- insurance papers\n"
    chunk = chunk_document(make_doc(body), 100, 0)[0]
    assert units(chunk) == ["- the admission notice, signed by the doctor", "- insurance papers"]


def test_a_sentence_longer_than_the_target_becomes_one_whole_chunk() -> None:
    giant = sentence(7, words=90)
    chunks = chunk_document(make_doc(f"## Long\n\n{sentence(1)} {giant} {sentence(2)}"), 40, 0)
    assert giant in [c.text for c in chunks]


def test_chunks_stay_near_the_target_size() -> None:
    chunks = chunk_document(make_doc(LONG_DOC), 60, 12)
    sizes = [words(c.text) for c in chunks]
    assert all(size <= 60 for size in sizes), sizes
    # Every chunk but the last of a section is filled to within one sentence of the target.
    for chunk, following in pairwise(chunks):
        if chunk.heading_path == following.heading_path:
            assert words(chunk.text) > 60 - 12, sizes


def test_consecutive_chunks_of_a_section_overlap_by_whole_sentences() -> None:
    chunks = chunk_document(make_doc(LONG_DOC), 60, 30)
    pairs = [(a, b) for a, b in pairwise(chunks) if a.heading_path == b.heading_path]
    assert pairs
    for before, after in pairs:
        shared = [u for u in units(after) if u in units(before)]
        assert shared, "no overlap"
        assert shared == units(before)[-len(shared):]  # the tail of one chunk opens the next
        assert sum(words(u) for u in shared) <= 30


def test_no_overlap_crosses_a_heading() -> None:
    chunks = chunk_document(make_doc(LONG_DOC), 60, 30)
    first_housing = next(c for c in chunks if c.heading_path[-1] == "Housing")
    assert units(first_housing)[0] == sentence(100)


def test_tiny_sections_are_folded_into_the_previous_chunk_with_their_heading() -> None:
    body = f"# Guide\n\n## Costs\n\n{paragraph(0, 4)}\n\n## Contact\n\nWrite to the office."
    chunks = chunk_document(make_doc(body), 180, 30)
    assert len(chunks) == 1
    assert units(chunks[0])[-2:] == ["Contact:", "Write to the office."]


def test_chunk_ids_are_identical_on_a_second_run() -> None:
    first = chunk_document(make_doc(LONG_DOC), 60, 12)
    second = chunk_document(make_doc(LONG_DOC), 60, 12)
    assert [c.id for c in first] == [c.id for c in second]
    assert all(c.id.startswith("doc-a:") for c in first)


def test_chunk_ids_do_not_depend_on_the_process_or_its_hash_seed() -> None:
    script = (
        "import json, sys\nfrom tests.unit.test_chunking import LONG_DOC, make_doc\n"
        "from ingest.chunking import chunk_document\n"
        "print(json.dumps([c.id for c in chunk_document(make_doc(LONG_DOC), 60, 12)]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True,
                         text=True, check=True)
    assert json.loads(out.stdout) == [c.id for c in chunk_document(make_doc(LONG_DOC), 60, 12)]


def test_editing_one_sentence_changes_only_the_ids_of_chunks_containing_it() -> None:
    before = chunk_document(make_doc(LONG_DOC), 60, 12)
    edited = LONG_DOC.replace(sentence(105), "Sentence105 now says something entirely different here.")
    after = chunk_document(make_doc(edited), 60, 12)
    changed = {c.id for c in before} - {c.id for c in after}
    assert changed
    assert all(sentence(105) in c.text for c in before if c.id in changed)
    assert all(sentence(105) not in c.text for c in before if c.id not in changed)
    applying_before = [c.id for c in before if c.heading_path[-1] == "Applying"]
    assert applying_before == [c.id for c in after if c.heading_path[-1] == "Applying"]


def test_chunk_ids_are_unique_even_for_repeated_text() -> None:
    body = f"## One\n\n{paragraph(0, 5)}\n\n## Two\n\n{paragraph(0, 5)}"
    chunks = chunk_document(make_doc(body), 180, 0)
    ids = [c.id for c in chunks]
    assert len(ids) == len(set(ids)) == 2


def test_the_same_text_in_another_document_gets_another_id() -> None:
    a = chunk_document(make_doc(LONG_DOC, doc_id="doc-a"), 60, 12)
    b = chunk_document(replace(make_doc(LONG_DOC), id="doc-b"), 60, 12)
    assert not {c.id for c in a} & {c.id for c in b}
    assert all(c.doc_id == "doc-b" for c in b)


def test_positions_follow_the_document_order() -> None:
    chunks = chunk_document(make_doc(LONG_DOC), 60, 12)
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_embed_text_carries_title_and_heading_trail_but_not_the_title_twice() -> None:
    assert embed_text("Costs", ("Costs", "Guarantee"), "A bank guarantee.") == "Costs — Guarantee\nA bank guarantee."
    assert embed_text("Costs", ("Costs",), "Text.") == "Costs\nText."
    chunk = chunk_document(make_doc("# Guide\n\n## Housing\n\nStay nearby."), 180, 0)[0]
    assert chunk.metadata["embed_text"] == "Guide — Housing\nStay nearby."


def test_embed_text_ends_with_the_document_topics() -> None:
    doc = replace(make_doc("## Housing\n\nStay nearby."), topics=("housing", "stay"))
    assert chunk_document(doc, 180, 0)[0].metadata["embed_text"] == "Guide — Housing\nStay nearby.\nhousing, stay"


def test_a_change_to_what_is_embedded_changes_the_id_even_if_the_text_is_the_same() -> None:
    before = chunk_document(make_doc(LONG_DOC), 60, 12)
    renamed = chunk_document(make_doc(LONG_DOC.replace("## Housing", "## Accommodation")), 60, 12)
    assert [c.text for c in before] == [c.text for c in renamed]
    changed = [a.id != b.id for a, b in zip(before, renamed, strict=True)]
    assert changed == [c.heading_path[-1] == "Housing" for c in before]


def test_non_latin_sentences_are_split_at_their_own_punctuation() -> None:
    text = "Лечение длится шесть недель. Семья живёт рядом. Ответ придёт позже."
    assert split_sentences(text) == ["Лечение длится шесть недель.", "Семья живёт рядом.", "Ответ придёт позже."]
    arabic = "يستمر العلاج ستة أسابيع. تقيم العائلة بالقرب من المستشفى؟ نعم."
    assert len(split_sentences(arabic)) == 3
