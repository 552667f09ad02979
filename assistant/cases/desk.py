"""CaseDesk: the staff handoff's one entry point, for the chat (CaseEvents hooks) and for staff (Slack).

It turns what happens into case changes (``storage.case_workflow``), redacts everything that will be shown in
Slack, translates staff replies when an LLM is configured, and wakes the outbox worker after a change. No
Slack code here: notifications are outbox items that the Slack edge renders and delivers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from ..privacy import Redactor
from ..replies import staff_summary
from ..storage import IntakeRepository
from ..storage.case_workflow import CaseWorkflow, Outcome, Signal
from ..storage.cases import ACTIVE, URGENCIES, CaseRepository, CaseView, HistoryEntry
from ..types import LANGUAGES
from .translation import Translator

log = logging.getLogger(__name__)


class CaseDesk:
    def __init__(self, cases: CaseRepository, workflow: CaseWorkflow, intakes: IntakeRepository,
                 redactor: Redactor | None = None, translator: Translator | None = None) -> None:
        self.cases, self._workflow, self._intakes = cases, workflow, intakes
        self._redactor = redactor or Redactor()
        self._translator = translator
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every change that queued notifications (the outbox worker's wake-up)."""
        self._listeners.append(listener)

    @property
    def translates(self) -> bool:
        return self._translator is not None

    # --- CaseEvents: hooks of the chat ---------------------------------------------------------
    def escalated(self, conversation_id: str, escalation: Mapping[str, Any]) -> None:
        self._guard("escalated", conversation_id, lambda: self._escalated(conversation_id, escalation))

    def handed_off(self, conversation_id: str, case_id: str, language: str) -> None:
        def run() -> None:
            lang = language if language in LANGUAGES else "en"
            fallback = Signal("human_requested", "normal", lang, staff_summary("human_requested", lang, None))
            case = self._workflow.open(conversation_id, case_id, fallback)
            log.info("case %s %s for conversation %s (urgency=%s)", case.id, case.status, conversation_id,
                     case.urgency)
            self._changed()

        self._guard("handed_off", conversation_id, run)

    def family_wrote(self, conversation_id: str) -> None:
        def run() -> None:
            case = self.cases.for_conversation(conversation_id)  # a read: most turns have no active case
            if case is not None and case.status in ACTIVE and self._workflow.relay(
                    conversation_id, self._redact_for(conversation_id)):
                self._changed()

        self._guard("family_wrote", conversation_id, run)

    def _escalated(self, conversation_id: str, escalation: Mapping[str, Any]) -> None:
        language = str(escalation.get("language") or "en")
        language = language if language in LANGUAGES else "en"
        reason = str(escalation.get("reason") or "human_requested")[:32]
        urgency = str(escalation.get("urgency") or "normal")
        summary = str(escalation.get("summary") or staff_summary(reason, language, None))
        signal = Signal(reason, urgency if urgency in URGENCIES else "normal", language,
                        self._redactor.redact(summary)[:1000])
        if self._workflow.escalate(conversation_id, signal) is not None:
            self._changed()

    # --- staff actions ---------------------------------------------------------------------------
    def claim(self, case_id: str, staff: str) -> Outcome:
        return self._after(self._workflow.claim(case_id, staff))

    def resolve(self, case_id: str, staff: str) -> Outcome:
        return self._after(self._workflow.resolve(case_id, staff))

    def reply(self, case_id: str, staff: str, text: str) -> Outcome:
        """Send ``text`` to the family's chat (translated when an LLM is configured); the thread gets it
        redacted."""
        case = self.cases.get(case_id)
        if case is None:
            return Outcome(None, False, "not_found")
        translated = self._translator.translate(text, case.language) if self._translator else None
        sent = translated or text
        thread_text = self._redact_for(case.conversation_id)(sent)
        outcome = self._workflow.reply(case_id, staff, sent, thread_text, case.language if translated else None)
        log.info("staff reply on case %s (chars=%d, translated=%s)", case_id, len(sent), bool(translated))
        return self._after(outcome)

    def note(self, case_id: str, staff: str, text: str) -> bool:
        return self._workflow.note(case_id, staff, text[:4000])

    # --- reading ---------------------------------------------------------------------------------
    def get(self, case_id: str) -> CaseView | None:
        return self.cases.get(case_id)

    def queue(self, limit: int = 50) -> list[CaseView]:
        return self.cases.queue(limit)

    def history(self, case_id: str) -> list[HistoryEntry]:
        return self.cases.history(case_id)

    def case_for_thread(self, channel: str, ts: str) -> str | None:
        return self.cases.by_thread(channel, ts)

    # --- helpers ---------------------------------------------------------------------------------
    def _redact_for(self, conversation_id: str) -> Callable[[str], str]:
        """Redaction that also removes what the family gave in the intake (name, e-mail, diagnosis)."""
        intake = self._intakes.get(conversation_id)
        known = [intake.name, intake.email] if intake else []
        if intake and intake.diagnosis:  # its distinctive words, wherever the family repeats them
            known += [word for word in intake.diagnosis.split() if len(word) >= 5]
        return lambda text: self._redactor.redact(text, known)

    def _after(self, outcome: Outcome) -> Outcome:
        if outcome.changed:
            self._changed()
        return outcome

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    @staticmethod
    def _guard(hook: str, conversation_id: str, run: Callable[[], None]) -> None:
        try:
            run()
        except Exception as exc:  # never into the chat; no message text in the log (only the error type)
            log.error("case hook %s failed for conversation %s: %s", hook, conversation_id, type(exc).__name__)
