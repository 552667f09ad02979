"""The chat API under /api: conversations, history, staff replies (poll), feedback, erasure.

Posting a message (SSE) lives in ``messages.py``, the handoff to a person in ``handoff.py``; this module
assembles them into one router.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from ..types import LANGUAGES
from . import handoff, messages
from .deps import (
    MAX_ID_CHARS,
    OwnedConversation,
    ServicesDep,
    bearer_token,
    limit_ip,
    limit_reads,
)
from .errors import ApiError
from .i18n import language_of
from .schemas import (
    ConversationCreated,
    ConversationOut,
    ErrorOut,
    FeedbackIn,
    MessageOut,
    MessagesOut,
    NewConversation,
)

log = logging.getLogger(__name__)

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (404, 413, 415, 422, 429, 503)
}
POLL_INTERVAL_S = 5

router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/config", tags=["chat"])
def config(services: ServicesDep) -> dict[str, Any]:
    """What the widget needs to know: limits, languages, how often to look for staff replies."""
    return {"max_message_chars": services.settings.max_message_chars, "languages": list(LANGUAGES),
            "poll_interval_s": POLL_INTERVAL_S}


@router.post("/conversations", status_code=201, tags=["chat"], dependencies=[Depends(limit_ip)])
def create_conversation(services: ServicesDep, body: NewConversation | None = None) -> ConversationCreated:
    """Start a conversation. Keep the token: every later call for this conversation needs it."""
    language = language_of(body.locale) if body else None
    conversation_id, token = services.conversations.create(language)
    log.info("conversation %s created", conversation_id)
    return ConversationCreated(id=conversation_id, token=token)


@router.get("/conversations/{conversation_id}", tags=["chat"], dependencies=[Depends(limit_reads)])
def history(conversation_id: OwnedConversation, services: ServicesDep) -> ConversationOut:
    """The conversation so far (the widget restores itself from this after a reload)."""
    view = services.conversations.view(conversation_id)
    if view is None:
        raise ApiError(404, "not_found")
    return ConversationOut.of(view)


@router.get("/conversations/{conversation_id}/messages", tags=["chat"], dependencies=[Depends(limit_reads)])
def messages_after(conversation_id: OwnedConversation, services: ServicesDep,
                   after: Annotated[int, Query(ge=0, le=2**62)] = 0) -> MessagesOut:
    """Messages newer than ``after`` (an id): how the widget picks up replies from staff."""
    view = services.conversations.view(conversation_id, after=after)
    if view is None:
        raise ApiError(404, "not_found")
    return MessagesOut(messages=[MessageOut.of(m) for m in view.messages])


@router.post("/conversations/{conversation_id}/feedback", status_code=204, tags=["chat"],
             dependencies=[Depends(limit_ip)])
def feedback(conversation_id: OwnedConversation, body: FeedbackIn, services: ServicesDep) -> Response:
    """Thumbs up or down (and an optional comment) on one reply; a second vote replaces the first."""
    if not services.feedback.record(conversation_id, body.message_id, body.rating, body.comment or None):
        raise ApiError(422, "invalid", fields=["message_id"])
    log.info("feedback %s on message %d of conversation %s", body.rating, body.message_id, conversation_id)
    return Response(status_code=204)


@router.delete("/conversations/{conversation_id}", status_code=204, tags=["privacy"],
               dependencies=[Depends(limit_ip)])
def erase(conversation_id: str, services: ServicesDep, request: Request,
          authorization: Annotated[str | None, Header()] = None) -> Response:
    """Erase the conversation and everything it holds (messages, feedback, intake). Repeating it is fine."""
    token = bearer_token(authorization)
    if token is None or len(conversation_id) > MAX_ID_CHARS:
        raise ApiError(404, "not_found")
    if services.conversations.authenticate(conversation_id, token):
        services.erasure.erase(conversation_id, reason="api")
    elif not services.erasure.was_erased_by(conversation_id, token):
        raise ApiError(404, "not_found")
    return Response(status_code=204)


router.include_router(messages.router)
router.include_router(handoff.router)
