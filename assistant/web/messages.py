"""POST a message → the assistant's reply as Server-Sent Events (see ``sse.py`` for the stream's shape)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from .deps import OwnedConversation, ServicesDep, limit_conversation, limit_ip, ready_assistant
from .errors import ApiError, request_language
from .i18n import language_of
from .schemas import NewMessage
from .services import ChatAssistant
from .sse import TurnResponse, TurnStream

router = APIRouter()

SSE_DOC = {
    200: {
        "description": "An event stream: route, retrieved, text (deltas), citations, escalation, then done "
                       "(with message_id); or error / interrupted with a sentence for the user.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    409: {"description": "The previous reply in this conversation is still being written."},
}


@router.post("/conversations/{conversation_id}/messages", tags=["chat"], responses=SSE_DOC,  # type: ignore[arg-type]
             dependencies=[Depends(limit_ip), Depends(limit_conversation)])
def post_message(conversation_id: OwnedConversation, body: NewMessage, request: Request, services: ServicesDep,
                 assistant: ChatAssistant = Depends(ready_assistant)) -> TurnResponse:  # noqa: B008
    """Send the family's message; the reply streams back as it is produced."""
    if not body.text:
        raise ApiError(422, "message_empty", fields=["text"])
    limit = services.settings.max_message_chars
    if len(body.text) > limit:
        raise ApiError(422, "message_too_long", fields=["text"], max=limit)
    if not services.turns.acquire(conversation_id):
        raise ApiError(409, "busy")
    conversation = services.store.get(conversation_id)
    if conversation is None:  # erased between the token check and now
        services.turns.release(conversation_id)
        raise ApiError(404, "not_found")
    language = language_of(body.locale) or request_language(request) or conversation.language
    turn = TurnStream(services, assistant, conversation, body.text, body.locale, language)
    return TurnResponse(turn)
