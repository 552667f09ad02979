"""What the evals observe of one reply: the streamed events folded into plain fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Observation:
    """The scored (last) reply of a case."""

    reply: str
    route: str | None
    language: str | None  # the route (or done) event's language
    retrieved: tuple[str, ...]
    cited: tuple[str, ...]
    latency_ms: float
    escalation: Mapping[str, Any] | None = None
    error: str | None = None  # an "error" event's message, or the exception the target raised
    kinds: tuple[str, ...] = field(default=())  # the event kinds in order, for debugging


def _distinct(items: Iterable[Any]) -> tuple[str, ...]:
    out: list[str] = []
    for item in items:
        text = str(item)
        if item is not None and text not in out:
            out.append(text)
    return tuple(out)


def observe(events: Iterable[tuple[str, Mapping[str, Any]]], latency_ms: float) -> Observation:
    """Fold ``(kind, data)`` pairs: text deltas joined, first route, last retrieved, cited doc ids."""
    text: list[str] = []
    route: str | None = None
    language: str | None = None
    done_language: str | None = None
    retrieved: tuple[str, ...] = ()
    cited: list[str] = []
    escalation: Mapping[str, Any] | None = None
    error: str | None = None
    kinds: list[str] = []
    for kind, data in events:
        kinds.append(kind)
        if kind == "text":
            text.append(str(data.get("text", "")))
        elif kind == "route" and route is None:
            route = _str_or_none(data.get("route"))
            language = _str_or_none(data.get("language"))
        elif kind == "retrieved":
            retrieved = _distinct(data.get("doc_ids") or ())
        elif kind == "citations":
            cited.extend(str(item.get("doc_id")) for item in data.get("items") or () if item.get("doc_id"))
        elif kind == "escalation":
            escalation = dict(data)
        elif kind == "done":
            done_language = _str_or_none(data.get("language"))
        elif kind == "error":
            error = str(data.get("message") or data.get("detail") or "error event")
    return Observation(
        reply="".join(text), route=route, language=language or done_language, retrieved=retrieved,
        cited=_distinct(cited), latency_ms=latency_ms, escalation=escalation, error=error, kinds=tuple(kinds),
    )


def failed(error: str, latency_ms: float) -> Observation:
    """The observation of a case whose target raised."""
    return Observation(reply="", route=None, language=None, retrieved=(), cited=(), latency_ms=latency_ms,
                       error=error)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
