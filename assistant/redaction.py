"""Identifier redaction now lives in ``assistant.privacy`` (one implementation for logs and Slack).

Kept as a re-export so existing imports (``from assistant.redaction import Redactor``) keep working; new code
imports ``assistant.privacy``.
"""

from __future__ import annotations

from .privacy.redaction import LABELS, Redactor, Span, merge, redact

__all__ = ["LABELS", "Redactor", "Span", "merge", "redact"]
