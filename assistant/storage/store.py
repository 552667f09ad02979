"""SqlConversationStore: the core's ConversationStore port on the database.

``get`` returns a StoredConversation that remembers how many of its messages are already stored, so ``save``
only appends the new ones (messages are never rewritten; staff messages added meanwhile keep their place).
``delete`` is the full erasure (messages, feedback, intake, …) with an audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..types import Conversation, Message
from .database import Database
from .erasure import Erasure
from .models import ConversationRow, MessageRow, utcnow

EscalationState = Literal["none", "offered", "consented", "case_open"]
Role = Literal["user", "assistant", "staff"]
_STATES = ["none", "offered", "consented", "case_open"]


@dataclass
class StoredConversation(Conversation):
    persisted: int = 0  # messages[:persisted] are in the database
    message_ids: list[int] = field(default_factory=list)  # ids of messages[-len(message_ids):]

    @property
    def last_reply_id(self) -> int | None:
        """The id of the newest stored assistant message of this object (the reply just saved)."""
        offset = len(self.messages) - len(self.message_ids)
        for index in range(len(self.messages) - 1, offset - 1, -1):
            if self.messages[index].role == "assistant":
                return self.message_ids[index - offset]
        return None


class SqlConversationStore:
    def __init__(self, db: Database, context_messages: int = 40, clock: Callable[[], datetime] = utcnow) -> None:
        self._db, self._context, self._clock = db, context_messages, clock
        self._erasure = Erasure(db, clock)

    def get(self, conversation_id: str) -> StoredConversation | None:
        with self._db.read() as session:
            row = session.get(ConversationRow, conversation_id)
            if row is None:
                return None
            rows = list(session.scalars(
                select(MessageRow).where(MessageRow.conversation_id == conversation_id)
                .order_by(MessageRow.id.desc()).limit(self._context)
            ))[::-1]
        messages = [Message(cast(Role, r.role), r.text, r.language, r.route, r.topic) for r in rows]
        return StoredConversation(
            id=row.id, messages=messages, language=row.language,
            escalation_state=cast(EscalationState, row.escalation_state), case_id=row.case_id,
            persisted=len(messages), message_ids=[r.id for r in rows],
        )

    def save(self, conversation: Conversation) -> None:
        now = self._clock()

        def work(session: Session) -> list[int]:
            row = session.get(ConversationRow, conversation.id)
            if row is None:  # a conversation the web layer did not create: it has no token, so no API access
                row = ConversationRow(id=conversation.id, token_hash="", created_at=now)
                session.add(row)
            row.language, row.updated_at = conversation.language, now
            # A case opened meanwhile (handoff, Slack) is never undone by a turn that started before it.
            row.case_id = conversation.case_id or row.case_id
            row.escalation_state = max(conversation.escalation_state, row.escalation_state or "none",
                                       key=_STATES.index)
            start = self._stored_count(session, conversation)
            rows = [MessageRow(conversation_id=conversation.id, role=m.role, text=m.text, language=m.language,
                               route=m.route, topic=m.topic, created_at=now)
                    for m in conversation.messages[start:]]
            session.add_all(rows)
            session.flush()
            return [r.id for r in rows]

        new_ids = self._db.write(work)
        if isinstance(conversation, StoredConversation):
            conversation.persisted = len(conversation.messages)
            conversation.message_ids.extend(new_ids)

    def _stored_count(self, session: Session, conversation: Conversation) -> int:
        if isinstance(conversation, StoredConversation):
            return conversation.persisted
        # A plain Conversation carries its whole history: store what the database lacks.
        count = session.scalar(select(func.count()).select_from(MessageRow)
                               .where(MessageRow.conversation_id == conversation.id))
        return int(count or 0)

    def delete(self, conversation_id: str) -> bool:
        return self._erasure.erase(conversation_id, reason="chat").erased
