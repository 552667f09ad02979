"""Case state changes, each in one transaction with the Slack notifications it causes (outbox items).

open → claimed → resolved; a resolved case is reopened when the family asks for a person again. One case per
conversation: a second escalation updates the case (urgency only ever goes up) instead of opening another.
Escalations raised before the family consented wait in ``escalations`` and shape the case when it opens.
With ``notify=False`` (Slack off) cases are kept all the same, without outbox items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from .case_models import CaseHistoryRow, CaseRow, EscalationRow
from .cases import ACTIVE, URGENCIES, CaseView, to_view
from .database import Database
from .models import ConversationRow, MessageRow, utcnow
from .outbox import add_item


@dataclass(frozen=True)
class Signal:
    """An escalation as the assistant raised it: the summary is English and holds no family words."""

    reason: str
    urgency: str
    language: str
    summary: str


@dataclass(frozen=True)
class Outcome:
    case: CaseView | None
    changed: bool
    detail: str  # done | not_found | unchanged | resolved
    message_id: int | None = None


def _higher(a: str, b: str) -> str:
    return max(a, b, key=lambda u: URGENCIES.index(u) if u in URGENCIES else 1)


class CaseWorkflow:
    def __init__(self, db: Database, notify: bool, clock: Callable[[], datetime] = utcnow) -> None:
        self._db, self._notify_on, self._clock = db, notify, clock

    # --- from the chat ---------------------------------------------------------------------
    def escalate(self, conversation_id: str, signal: Signal) -> CaseView | None:
        """Update the conversation's active case, or keep the signal until the family consents."""
        def work(session: Session) -> CaseView | None:
            now = self._clock()
            row = session.scalar(select(CaseRow).where(CaseRow.conversation_id == conversation_id,
                                                       CaseRow.status.in_(ACTIVE)))
            if row is None:
                session.add(EscalationRow(conversation_id=conversation_id, reason=signal.reason,
                                          urgency=signal.urgency, language=signal.language,
                                          summary=signal.summary, created_at=now))
                return None
            self._escalated(session, row, signal, now, "escalated")
            return to_view(row)

        return self._db.write(work)

    def open(self, conversation_id: str, case_id: str, fallback: Signal) -> CaseView:
        """The family consented (intake stored under ``case_id``): open, reopen or update the case."""
        return self._db.write(lambda session: self._open(session, conversation_id, case_id, fallback))

    def _open(self, session: Session, conversation_id: str, case_id: str, fallback: Signal) -> CaseView:
        now = self._clock()
        signal = self._pending_signal(session, conversation_id) or fallback
        newest = session.scalar(select(func.max(MessageRow.id))
                                .where(MessageRow.conversation_id == conversation_id)) or 0
        row = session.get(CaseRow, case_id)
        if row is None:
            row = CaseRow(id=case_id, conversation_id=conversation_id, status="open", urgency=signal.urgency,
                          reason=signal.reason, language=signal.language, summary=signal.summary,
                          escalations=1, relayed_message_id=newest, created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            self._history(session, case_id, "opened", None, None, now)
            self._notify(session, case_id, "card_post", {}, now)
        elif row.status == "resolved":
            row.status, row.assignee, row.claimed_at, row.resolved_at = "open", None, None, None
            row.urgency, row.relayed_message_id = signal.urgency, newest
            self._escalated(session, row, signal, now, "reopened")
        else:
            self._escalated(session, row, signal, now, "escalated")
        return to_view(row)

    def relay(self, conversation_id: str, redact: Callable[[str], str]) -> int:
        """Queue the family's messages newer than the last relayed one to the case thread, redacted."""
        def work(session: Session) -> int:
            row = session.scalar(select(CaseRow).where(CaseRow.conversation_id == conversation_id,
                                                       CaseRow.status.in_(ACTIVE)))
            if row is None:
                return 0
            messages = session.scalars(select(MessageRow).where(
                MessageRow.conversation_id == conversation_id, MessageRow.role == "user",
                MessageRow.id > row.relayed_message_id).order_by(MessageRow.id)).all()
            now = self._clock()
            for message in messages:
                self._notify(session, row.id, "thread", {"event": "family_message", "text": redact(message.text)},
                             now)
                row.relayed_message_id = message.id
            return len(messages)

        return self._db.write(work)

    # --- from staff ------------------------------------------------------------------------
    def claim(self, case_id: str, staff: str) -> Outcome:
        def work(session: Session) -> Outcome:
            row = session.get(CaseRow, case_id)
            if row is None or row.status == "resolved" or (row.status == "claimed" and row.assignee == staff):
                return _unchanged(row)
            now, previous = self._clock(), row.assignee
            self._claim(session, row, staff, now)
            self._notify(session, case_id, "thread", {"event": "claimed", "actor": staff, "previous": previous},
                         now)
            return Outcome(to_view(row), True, "done")

        return self._db.write(work)

    def resolve(self, case_id: str, staff: str) -> Outcome:
        def work(session: Session) -> Outcome:
            row = session.get(CaseRow, case_id)
            if row is None or row.status == "resolved":
                return _unchanged(row)
            now = self._clock()
            row.status, row.resolved_at, row.updated_at = "resolved", now, now
            row.assignee = row.assignee or staff
            self._history(session, case_id, "resolved", staff, None, now)
            self._notify(session, case_id, "card_update", {}, now)
            self._notify(session, case_id, "thread", {"event": "resolved", "actor": staff}, now)
            return Outcome(to_view(row), True, "done")

        return self._db.write(work)

    def reply(self, case_id: str, staff: str, text: str, thread_text: str, translated_to: str | None) -> Outcome:
        """Store the staff reply in the family's chat (role ``staff``); an open case becomes claimed."""
        def work(session: Session) -> Outcome:
            row = session.get(CaseRow, case_id)
            if row is None:
                return _unchanged(row)
            now = self._clock()
            message = MessageRow(conversation_id=row.conversation_id, role="staff", text=text,
                                 language=row.language, route="staff_reply", created_at=now)
            session.add(message)
            session.execute(update(ConversationRow).where(ConversationRow.id == row.conversation_id)
                            .values(updated_at=now))
            if row.status == "open":
                self._claim(session, row, staff, now)
            self._history(session, case_id, "replied", staff, None, now)
            self._notify(session, case_id, "thread", {"event": "staff_reply", "actor": staff, "text": thread_text,
                                                      "translated_to": translated_to}, now)
            session.flush()
            return Outcome(to_view(row), True, "done", int(message.id))

        return self._db.write(work)

    def note(self, case_id: str, staff: str, text: str) -> bool:
        """An internal note (staff talk in the case thread): kept for the staff page, never sent anywhere."""
        def work(session: Session) -> bool:
            if session.get(CaseRow, case_id) is None:
                return False
            self._history(session, case_id, "note", staff, text, self._clock())
            return True

        return self._db.write(work)

    # --- helpers -----------------------------------------------------------------------------
    def _escalated(self, session: Session, row: CaseRow, signal: Signal, now: datetime, kind: str) -> None:
        row.urgency = _higher(row.urgency, signal.urgency)
        row.reason, row.summary, row.language = signal.reason, signal.summary, signal.language or row.language
        row.escalations += 1
        row.updated_at = now
        self._history(session, row.id, kind, None, None, now)
        self._notify(session, row.id, "card_update", {}, now)
        self._notify(session, row.id, "thread", {"event": kind, "reason": signal.reason, "urgency": signal.urgency},
                     now)

    def _claim(self, session: Session, row: CaseRow, staff: str, now: datetime) -> None:
        row.status, row.assignee, row.claimed_at, row.updated_at = "claimed", staff, now, now
        self._history(session, row.id, "claimed", staff, None, now)
        self._notify(session, row.id, "card_update", {}, now)

    @staticmethod
    def _pending_signal(session: Session, conversation_id: str) -> Signal | None:
        rows = session.scalars(select(EscalationRow).where(EscalationRow.conversation_id == conversation_id)
                               .order_by(EscalationRow.id)).all()
        if not rows:
            return None
        session.execute(delete(EscalationRow).where(EscalationRow.conversation_id == conversation_id))
        latest, urgency = rows[-1], "low"
        for r in rows:
            urgency = _higher(urgency, r.urgency)
        return Signal(latest.reason, urgency, latest.language, latest.summary)

    @staticmethod
    def _history(session: Session, case_id: str, kind: str, actor: str | None, note: str | None,
                 now: datetime) -> None:
        session.add(CaseHistoryRow(case_id=case_id, kind=kind, actor=actor, note=note, at=now))

    def _notify(self, session: Session, case_id: str, kind: str, payload: dict[str, Any], now: datetime) -> None:
        if self._notify_on:
            add_item(session, case_id, kind, payload, now)


def _unchanged(row: CaseRow | None) -> Outcome:
    if row is None:
        return Outcome(None, False, "not_found")
    return Outcome(to_view(row), False, "resolved" if row.status == "resolved" else "unchanged")
