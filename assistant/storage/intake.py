"""The intake a family fills in to talk to a person: stored only with consent; opens (or updates) a case.

One intake per conversation: asking again updates it and keeps the case id. The case id is short enough to
read out on the phone. The ``cases`` workflow table (Slack handoff) references ``intakes.case_id``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .database import Database
from .models import ConversationRow, IntakeRow, utcnow

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def new_case_id() -> str:
    return "IPO-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class Intake:
    name: str
    email: str
    country: str | None = None
    child_age: int | None = None
    diagnosis: str | None = None
    preferred_language: str | None = None


class IntakeRepository:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db, self._clock = db, clock

    def open_case(self, conversation_id: str, intake: Intake, consent_version: str) -> str:
        """Store the intake (consent given now) and return the conversation's case id."""
        return self._db.write(lambda session: self._open(session, conversation_id, intake, consent_version))

    def _open(self, session: Session, conversation_id: str, intake: Intake, consent_version: str) -> str:
        now = self._clock()
        row = session.scalar(select(IntakeRow).where(IntakeRow.conversation_id == conversation_id))
        if row is None:
            row = IntakeRow(conversation_id=conversation_id, case_id=self._free_case_id(session), created_at=now)
            session.add(row)
        row.name, row.email, row.country = intake.name, intake.email, intake.country
        row.child_age, row.diagnosis = intake.child_age, intake.diagnosis
        row.preferred_language = intake.preferred_language
        row.consent_at, row.consent_version, row.updated_at = now, consent_version, now
        conversation = session.get(ConversationRow, conversation_id)
        if conversation is not None:
            conversation.case_id, conversation.escalation_state = row.case_id, "case_open"
            conversation.updated_at = now
        return row.case_id

    @staticmethod
    def _free_case_id(session: Session) -> str:
        while True:
            case_id = new_case_id()
            if session.scalar(select(IntakeRow.id).where(IntakeRow.case_id == case_id)) is None:
                return case_id

    def get(self, conversation_id: str) -> Intake | None:
        with self._db.read() as session:
            row = session.scalar(select(IntakeRow).where(IntakeRow.conversation_id == conversation_id))
            if row is None:
                return None
            return Intake(row.name, row.email, row.country, row.child_age, row.diagnosis, row.preferred_language)
