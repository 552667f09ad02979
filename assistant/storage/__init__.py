"""Persistence on SQLAlchemy: SQLite (WAL) by default, any SQLAlchemy URL by settings; Alembic migrations."""

from __future__ import annotations

from .conversations import ConversationRepository, ConversationView, StoredMessage
from .database import Database, build_engine
from .erasure import Erasure, ErasureResult
from .feedback import FeedbackRepository
from .intake import Intake, IntakeRepository
from .migrate import migrate
from .store import SqlConversationStore, StoredConversation

__all__ = [
    "ConversationRepository", "ConversationView", "Database", "Erasure", "ErasureResult", "FeedbackRepository",
    "Intake", "IntakeRepository", "SqlConversationStore", "StoredConversation", "StoredMessage", "build_engine",
    "migrate",
]
