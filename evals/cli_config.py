"""Parse the CLI's ``KEY=VALUE`` settings overrides, coercing booleans, numbers and null."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Scalar = bool | int | float | str | None
_TRUE, _FALSE, _NULL = {"true", "yes", "on"}, {"false", "no", "off"}, {"null"}  # "none" is a value (llm_provider)


def coerce(value: str) -> Scalar:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    if lowered in _NULL:
        return None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def parse_overrides(items: Iterable[str], allowed: Sequence[str]) -> dict[str, Scalar]:
    """``["top_k=3", "hybrid=false"]`` → ``{"top_k": 3, "hybrid": False}``; unknown keys are errors."""
    overrides: dict[str, Scalar] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise ValueError(f"--config expects KEY=VALUE, got {item!r}")
        if key not in allowed:
            raise ValueError(f"unknown setting {key!r} (known: {', '.join(sorted(allowed))})")
        overrides[key] = coerce(value)
    return overrides
