"""Front matter: parsed into a Document, or refused with one clear reason."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.frontmatter import SourceError, document_from, split_front_matter

META = {
    "id": "costs", "title": "Costs", "source": "https://example.org/costs", "institution": "Princess Máxima Center",
    "language": "en", "reviewed": "2026-01-15",
}
GOOD = """---
id: costs
title: Costs and guarantee
source: https://example.org/costs
institution: Princess Máxima Center
language: en
reviewed: 2026-01-15
topics: [costs, guarantee]
expires: 2027-12-31
---
# Costs

A paying party must guarantee the costs.
"""


def test_a_valid_document_keeps_every_field() -> None:
    meta, body = split_front_matter(GOOD)
    doc = document_from(meta, body, "knowledge/docs/costs.md")
    assert (doc.id, doc.title, doc.language, doc.institution) == (
        "costs", "Costs and guarantee", "en", "Princess Máxima Center")
    assert doc.reviewed == "2026-01-15"
    assert doc.expires == date(2027, 12, 31)
    assert doc.topics == ("costs", "guarantee")
    assert doc.body == "# Costs\n\nA paying party must guarantee the costs."
    assert doc.origin == "knowledge/docs/costs.md"


def test_windows_line_endings_are_accepted() -> None:
    meta, body = split_front_matter(GOOD.replace("\n", "\r\n"))
    assert meta["id"] == "costs"
    assert "paying party" in body


def test_expires_is_optional() -> None:
    assert document_from(dict(META), "Body text.", "x.md").expires is None


@pytest.mark.parametrize("text", ["# Costs\n\nNo front matter here.\n", "", "---\nid: x\nno closing fence\n"])
def test_missing_front_matter_is_refused(text: str) -> None:
    with pytest.raises(SourceError, match="missing front matter"):
        split_front_matter(text)


def test_invalid_yaml_names_the_line() -> None:
    text = "---\nid: costs\ntitle: [unclosed\nlanguage: en\n---\nBody\n"
    with pytest.raises(SourceError, match=r"invalid front matter YAML at line \d+"):
        split_front_matter(text)


def test_front_matter_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(SourceError, match="expected key: value pairs"):
        split_front_matter("---\n- just\n- a list\n---\nBody\n")


def test_every_missing_required_field_is_named() -> None:
    meta = {k: v for k, v in META.items() if k not in ("source", "reviewed")}
    with pytest.raises(SourceError, match="lacks required field\\(s\\): source, reviewed"):
        document_from(meta, "Body.", "x.md")


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("id", "Costs Page", "must be a lowercase slug"),
    ("id", "x", "must be a lowercase slug"),
    ("language", "pt", "'pt' is not one of en, nl"),
    ("reviewed", "15-01-2026", "'reviewed' is not a date"),
    ("expires", "soon", "'expires' is not a date"),
    ("topics", "costs", "'topics' must be a list"),
])
def test_an_invalid_field_is_refused_with_its_name(field: str, value: str, reason: str) -> None:
    with pytest.raises(SourceError, match=reason):
        document_from({**META, field: value}, "Body.", "x.md")


def test_an_empty_body_is_refused() -> None:
    with pytest.raises(SourceError, match="body is empty"):
        document_from(dict(META), "  \n\n", "x.md")


def test_a_yaml_date_is_normalised_to_iso_text() -> None:
    meta, body = split_front_matter(GOOD)
    assert isinstance(meta["reviewed"], date)  # YAML parses it as a date
    assert document_from(meta, body, "x.md").reviewed == "2026-01-15"
