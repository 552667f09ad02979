"""The few specific errors the core raises; the edges translate them."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the core raises on purpose."""


class IndexNotReadyError(AssistantError):
    """No active index generation exists (run ingestion first) or the vector store is unreachable."""


class EmbedderMismatchError(AssistantError):
    """The index was built with another embedder (name or dimension) than the one configured."""


class LLMUnavailableError(AssistantError):
    """The configured LLM failed, timed out, or its circuit breaker is open."""


class StoreLockedError(AssistantError):
    """Another process holds the embedded vector store for writing."""
