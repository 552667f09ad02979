from __future__ import annotations

from pathlib import Path

import pytest

from evals.cases import CaseError, check_sources, load_suite, load_suites
from evals.documents import DocumentIndex, KnowledgeDoc

GOOD = """
- id: en-basic
  turns: ["What are the conditions?"]
  lang: en
  route: answer
  sources: [ipo-conditions, https://example.org/costs/]
  must_include: ["paying party|guarantee"]
  must_not_include: ["will (definitely|certainly) be accepted"]
  tags: [conditions]
- id: nl-emergency
  turns: ["Mijn kind ademt niet"]
  lang: nl
  route: emergency
"""


def write(tmp_path: Path, text: str, name: str = "suite.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> CaseError:
    with pytest.raises(CaseError) as info:
        load_suite(write(tmp_path, text))
    return info.value


def test_a_valid_suite_from_any_path_loads_with_defaults_for_optional_fields(tmp_path: Path) -> None:
    cases = load_suite(write(tmp_path, GOOD))
    assert [c.id for c in cases] == ["en-basic", "nl-emergency"]
    assert cases[0].sources == ("ipo-conditions", "https://example.org/costs/")
    assert cases[1].sources == () and cases[1].tags == () and cases[1].turns == ("Mijn kind ademt niet",)
    assert cases[0].suite == str(tmp_path / "suite.yaml")


@pytest.mark.parametrize(("text", "case_id", "field"), [
    ("- {id: a, turns: [hi], lang: xx, route: answer}", "a", "lang"),
    ("- {id: a, turns: [hi], lang: en, route: maybe}", "a", "route"),
    ("- {id: a, turns: [], lang: en, route: answer}", "a", "turns"),
    ("- {id: a, turns: hi, lang: en, route: answer}", "a", "turns"),
    ("- {id: a, turns: [hi, ''], lang: en, route: answer}", "a", "turns[1]"),
    ("- {id: a, lang: en, route: answer}", "a", "turns"),
    ("- {id: a, turns: [hi], lang: en, route: answer, must_include: ['(unclosed']}", "a", "must_include[0]"),
    ("- {id: a, turns: [hi], lang: en, route: answer, must_not_include: [42]}", "a", "must_not_include[0]"),
    ("- {id: a, turns: [hi], lang: en, route: answer, sources: ipo}", "a", "sources"),
    ("- {id: a, turns: [hi], lang: en, route: answer, tags: [ok, null]}", "a", "tags[1]"),
    ("- {id: a, turns: [hi], lang: en, route: answer, must_includes: [x]}", "a", "must_includes"),
    ("- {turns: [hi], lang: en, route: answer}", "#1", "id"),
])
def test_a_malformed_case_is_rejected_naming_file_case_and_field(
    tmp_path: Path, text: str, case_id: str, field: str,
) -> None:
    error = error_of(tmp_path, text)
    assert (error.file, error.case_id, error.field) == (str(tmp_path / "suite.yaml"), case_id, field)
    assert str(tmp_path / "suite.yaml") in str(error) and repr(case_id) in str(error) and repr(field) in str(error)


def test_a_duplicate_id_within_a_suite_is_rejected(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD + GOOD)
    assert (error.case_id, error.field) == ("en-basic", "id")


def test_a_duplicate_id_across_suites_names_both_files(tmp_path: Path) -> None:
    first, second = write(tmp_path, GOOD, "a.yaml"), write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(CaseError) as info:
        load_suites([first, second])
    assert info.value.file == str(second) and str(first) in str(info.value)


@pytest.mark.parametrize("text", ["", "{id: a}", "- [not, a, mapping]", "- {id: a\n  turns"])
def test_a_file_that_is_not_a_list_of_mappings_is_rejected(tmp_path: Path, text: str) -> None:
    error = error_of(tmp_path, text)
    assert error.file == str(tmp_path / "suite.yaml")


def test_a_missing_suite_file_is_a_case_error(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="cannot read"):
        load_suite(tmp_path / "nope.yaml")


def test_sources_may_name_a_document_by_id_or_by_source_url(tmp_path: Path) -> None:
    docs = DocumentIndex([KnowledgeDoc("ipo-conditions", "Conditions", "https://example.org/cond", "en", "x"),
                          KnowledgeDoc("costs", "Costs", "https://example.org/costs", "en", "y")])
    cases = load_suite(write(tmp_path, GOOD))
    check_sources(cases, docs.resolve)
    assert docs.relevant(cases[0].sources) == {"ipo-conditions", "costs"}


def test_a_source_that_names_no_document_is_rejected_with_its_index(tmp_path: Path) -> None:
    docs = DocumentIndex([KnowledgeDoc("ipo-conditions", "Conditions", "https://example.org/cond", "en", "x")])
    with pytest.raises(CaseError) as info:
        check_sources(load_suite(write(tmp_path, GOOD)), docs.resolve)
    assert (info.value.case_id, info.value.field) == ("en-basic", "sources[1]")


def test_documents_are_read_from_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\nid: a\ntitle: A\nsource: https://x.org/a/\nlanguage: en\n---\n# A\nBody.\n")
    (tmp_path / "notes.md").write_text("no front matter\n")
    index = DocumentIndex.from_dir(tmp_path)
    assert len(index) == 1 and index.resolve("https://X.org/a") == {"a"} and index.resolve("b") == frozenset()


def test_the_shipped_suites_are_valid_against_the_knowledge_base() -> None:
    root = Path(__file__).resolve().parents[2]
    suites = sorted((root / "evals" / "suites").glob("*.yaml"))
    if not suites:
        pytest.skip("no shipped suites yet")
    cases = load_suites(suites)
    check_sources(cases, DocumentIndex.from_dir(root / "knowledge" / "docs").resolve)
    assert cases
