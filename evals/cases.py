"""Load and validate evaluation suites (YAML lists of cases, see shared/eval-format.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.types import LANGUAGES, Route

ROUTES: tuple[str, ...] = tuple(r.value for r in Route)
REQUIRED: tuple[str, ...] = ("id", "turns", "lang", "route")
OPTIONAL: tuple[str, ...] = ("sources", "must_include", "must_not_include", "tags")


class CaseError(ValueError):
    """A suite that cannot be run; the message names the file, the case id and the field."""

    def __init__(self, file: str | Path, case_id: str | None, field: str | None, problem: str) -> None:
        where = str(file)
        if case_id is not None:
            where += f": case {case_id!r}"
        if field is not None:
            where += f": field {field!r}"
        super().__init__(f"{where}: {problem}")
        self.file, self.case_id, self.field, self.problem = str(file), case_id, field, problem


@dataclass(frozen=True)
class Case:
    id: str
    turns: tuple[str, ...]
    lang: str
    route: str
    sources: tuple[str, ...] = ()
    must_include: tuple[str, ...] = ()
    must_not_include: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    suite: str = ""  # the file the case was read from


def load_suites(paths: Iterable[str | Path]) -> list[Case]:
    """All cases of the given suites, in order; ids must be unique across the run."""
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for path in paths:
        for case in load_suite(path):
            if case.id in seen:
                raise CaseError(path, case.id, "id", f"duplicate id (also in {seen[case.id]})")
            seen[case.id] = case.suite
            cases.append(case)
    return cases


def load_suite(path: str | Path) -> list[Case]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CaseError(path, None, None, f"cannot read the suite ({exc.strerror or exc})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise CaseError(path, None, None, f"invalid YAML{line}") from exc
    if not isinstance(data, list) or not data:
        raise CaseError(path, None, None, "a suite must be a non-empty YAML list of cases")
    cases = [parse_case(raw, path, index) for index, raw in enumerate(data)]
    ids: set[str] = set()
    for case in cases:
        if case.id in ids:
            raise CaseError(path, case.id, "id", "duplicate id within the suite")
        ids.add(case.id)
    return cases


def parse_case(raw: Any, path: Path, index: int) -> Case:
    if not isinstance(raw, Mapping):
        raise CaseError(path, f"#{index + 1}", None, "a case must be a mapping of fields")
    case_id = raw.get("id")
    if not isinstance(case_id, str) or not case_id.strip():
        raise CaseError(path, f"#{index + 1}", "id", "required, a non-empty string")
    unknown = sorted(str(k) for k in raw if k not in REQUIRED + OPTIONAL)
    if unknown:
        raise CaseError(path, case_id, unknown[0], f"unknown field (allowed: {', '.join(REQUIRED + OPTIONAL)})")
    lang, route = raw.get("lang"), raw.get("route")
    if lang not in LANGUAGES:
        raise CaseError(path, case_id, "lang", f"required, one of {', '.join(LANGUAGES)}; got {lang!r}")
    if route not in ROUTES:
        raise CaseError(path, case_id, "route", f"required, one of {', '.join(ROUTES)}; got {route!r}")
    turns = _strings(raw, "turns", path, case_id, required=True)
    return Case(
        id=case_id, turns=turns, lang=str(lang), route=str(route),
        sources=_strings(raw, "sources", path, case_id),
        must_include=_patterns(raw, "must_include", path, case_id),
        must_not_include=_patterns(raw, "must_not_include", path, case_id),
        tags=_strings(raw, "tags", path, case_id),
        suite=str(path),
    )


def _strings(raw: Mapping[str, Any], field: str, path: Path, case_id: str, required: bool = False) -> tuple[str, ...]:
    value = raw.get(field)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (required and not value):
        need = "a non-empty list" if required else "a list"
        raise CaseError(path, case_id, field, f"must be {need} of strings")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise CaseError(path, case_id, f"{field}[{i}]", f"must be a non-empty string, got {item!r}")
    return tuple(value)


def _patterns(raw: Mapping[str, Any], field: str, path: Path, case_id: str) -> tuple[str, ...]:
    patterns = _strings(raw, field, path, case_id)
    for i, pattern in enumerate(patterns):
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise CaseError(path, case_id, f"{field}[{i}]", f"not a valid regex: {exc}") from exc
    return patterns


def check_sources(cases: Sequence[Case], resolve: Callable[[str], frozenset[str]]) -> None:
    """Every source entry must name a known document (``resolve(entry)`` returns its ids or an empty set)."""
    for case in cases:
        for i, entry in enumerate(case.sources):
            if not resolve(entry):
                raise CaseError(case.suite, case.id, f"sources[{i}]", f"no knowledge document has id or source {entry!r}")
