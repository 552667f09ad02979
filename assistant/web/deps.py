"""FastAPI dependencies: the services, the caller's conversation (token check), rate limits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request

from .errors import ApiError
from .ratelimit import Limiter, retry_after_header
from .services import ChatAssistant, Services

MAX_ID_CHARS = 64


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def client_ip(request: Request) -> str:
    """The peer address (uvicorn's --proxy-headers puts the real client here behind a trusted proxy)."""
    return request.client.host if request.client else "unknown"


def _check(limiter: Limiter, key: str) -> None:
    wait = limiter.hit(key)
    if wait is not None:
        raise ApiError(429, "rate_limited", headers=retry_after_header(wait))


def limit_ip(request: Request, services: ServicesDep) -> None:
    _check(services.limits.per_ip, client_ip(request))


def limit_reads(request: Request, services: ServicesDep) -> None:
    _check(services.limits.reads_per_ip, client_ip(request))


def owned_conversation(
    services: ServicesDep,
    conversation_id: Annotated[str, Path()],
    authorization: Annotated[str | None, Header()] = None,
) -> str:
    """The conversation id when the bearer token belongs to it; 404 alike for unknown ids and wrong tokens."""
    token = bearer_token(authorization)
    if token is None or len(conversation_id) > MAX_ID_CHARS or not services.conversations.authenticate(
            conversation_id, token):
        raise ApiError(404, "not_found")
    return conversation_id


OwnedConversation = Annotated[str, Depends(owned_conversation)]


def limit_conversation(conversation_id: OwnedConversation, services: ServicesDep) -> None:
    _check(services.limits.per_conversation, conversation_id)


def ready_assistant(services: ServicesDep) -> ChatAssistant:
    assistant = services.assistant.get()
    if assistant is None or not assistant.is_ready():
        raise ApiError(503, "not_ready", headers={"Retry-After": "10"})
    return assistant
