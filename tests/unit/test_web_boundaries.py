"""The web and storage edges keep their frameworks to themselves (see STYLE.md, dependency direction)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

ASSISTANT = REPO_ROOT / "assistant"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules(folder: str) -> list[Path]:
    return sorted((ASSISTANT / folder).rglob("*.py"))


def test_the_web_layer_reaches_the_database_only_through_storage() -> None:
    for path in modules("web"):
        assert not imported_roots(path) & {"sqlalchemy", "alembic"}, path


def test_storage_knows_nothing_of_http() -> None:
    for path in modules("storage"):
        assert not imported_roots(path) & {"fastapi", "starlette", "uvicorn", "httpx"}, path


def test_no_core_module_imports_the_web_or_storage_frameworks() -> None:
    core = [p for p in ASSISTANT.glob("*.py")]
    for path in core:
        assert not imported_roots(path) & {"fastapi", "starlette", "sqlalchemy", "alembic"}, path


def test_the_widget_never_writes_html_from_strings() -> None:
    for path in (ASSISTANT / "web" / "static").glob("*.js"):
        source = path.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in source, (path.name, sink)
