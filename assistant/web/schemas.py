"""Request and response bodies of the web API (these also make the OpenAPI schema)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..storage import ConversationView, StoredMessage

LanguageCode = Literal["en", "nl", "ar", "ru", "uk", "tr", "id", "pl", "es", "fr", "de"]

_LOCALE = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8}){0,3}$"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NewConversation(Strict):
    locale: str | None = Field(default=None, pattern=_LOCALE, description="The page's language, e.g. 'nl-NL'.")


class ConversationCreated(BaseModel):
    id: str
    token: str = Field(description="Send as 'Authorization: Bearer <token>' on every call for this conversation.")


class NewMessage(Strict):
    text: str = Field(description="The family's message (length limit: settings.max_message_chars).")
    locale: str | None = Field(default=None, pattern=_LOCALE, description="A hint for the reply language.")


class MessageOut(BaseModel):
    id: int
    role: str
    text: str
    language: str | None
    route: str | None
    created_at: datetime
    citations: list[dict[str, Any]]

    @classmethod
    def of(cls, message: StoredMessage) -> MessageOut:
        return cls(id=message.id, role=message.role, text=message.text, language=message.language,
                   route=message.route, created_at=message.created_at, citations=message.citations)


class ConversationOut(BaseModel):
    id: str
    language: str | None
    escalation_state: str
    case_id: str | None
    messages: list[MessageOut]

    @classmethod
    def of(cls, view: ConversationView) -> ConversationOut:
        return cls(id=view.id, language=view.language, escalation_state=view.escalation_state,
                   case_id=view.case_id, messages=[MessageOut.of(m) for m in view.messages])


class MessagesOut(BaseModel):
    messages: list[MessageOut]


class FeedbackIn(Strict):
    message_id: int = Field(ge=1, description="The reply's id (from the 'done' event or the history).")
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=1000)


class HandoffIn(Strict):
    """The intake form. Only ``name``, ``email`` and ``consent`` are required (minimum collection)."""

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    country: str | None = Field(default=None, max_length=100)
    child_age: int | None = Field(default=None, ge=0, le=25)
    diagnosis: str | None = Field(default=None, max_length=2000)
    preferred_language: LanguageCode | None = None
    consent: bool = Field(description="Must be true: the family agrees that staff receive these details.")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value

    @field_validator("name", "country", "diagnosis")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        return _CONTROL.sub("", value) if value is not None else None


class HandoffOut(BaseModel):
    case_id: str
    message: str = Field(description="The reviewed confirmation text, in the family's language.")
    message_id: int


class ErrorOut(BaseModel):
    error: str
    message: str
    fields: list[str] | None = None
