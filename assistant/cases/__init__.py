"""The staff handoff's domain: cases opened from the chat, worked on by staff (in Slack), never leaking
identifiers outside the staff case page."""

from __future__ import annotations

from .desk import CaseDesk
from .events import CaseEvents, NoCaseEvents
from .translation import ChatModelTranslator, Translator

__all__ = ["CaseDesk", "CaseEvents", "ChatModelTranslator", "NoCaseEvents", "Translator"]
