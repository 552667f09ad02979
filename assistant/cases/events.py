"""What the chat tells the case desk: the hooks the web layer calls. A Protocol, so the web layer depends on
this shape only; ``NoCaseEvents`` is the stand-in until the desk is started (and in tests of the chat alone).

Hooks never raise into the chat: a family's turn must not fail because case bookkeeping did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class CaseEvents(Protocol):
    def escalated(self, conversation_id: str, escalation: Mapping[str, Any]) -> None:
        """The assistant raised an ``escalation`` event (reason, urgency, language, summary)."""

    def handed_off(self, conversation_id: str, case_id: str, language: str) -> None:
        """The family consented and the intake was stored under ``case_id``."""

    def family_wrote(self, conversation_id: str) -> None:
        """A turn of the family was stored (relayed to the case thread when a case is active)."""


class NoCaseEvents:
    def escalated(self, conversation_id: str, escalation: Mapping[str, Any]) -> None:
        return None

    def handed_off(self, conversation_id: str, case_id: str, language: str) -> None:
        return None

    def family_wrote(self, conversation_id: str) -> None:
        return None
