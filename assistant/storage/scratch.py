"""Throw-away conversations: a staff question asked through ``/ipo ask`` runs through the assistant like a
family's turn (which stores it), and is removed right after. Not a family's data, so no erasure audit."""

from __future__ import annotations

from sqlalchemy import delete

from .database import Database
from .models import ConversationRow


def discard_conversation(db: Database, conversation_id: str) -> None:
    """Delete the conversation and, through ON DELETE CASCADE, its messages."""
    db.write(lambda session: session.execute(delete(ConversationRow).where(ConversationRow.id == conversation_id)))
