"""Privacy: identifier redaction for logs and Slack, and the retention job (``python -m
assistant.privacy.retention``). Erasure itself lives with the storage (``assistant.storage.erasure``)."""

from __future__ import annotations

from .redaction import LABELS, Redactor, Span, redact

__all__ = ["LABELS", "Redactor", "Span", "redact"]
