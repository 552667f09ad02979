"""Request limits on the API: JSON only (415) and a body size cap (413), before any handler runs.

The body of an API request is small by design (a message, an intake form), so it is read here in full, up to
the cap, and handed on; a larger one is refused whether or not it announced its length.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import Settings
from .errors import ApiError, error_response

_WITH_BODY = {"POST", "PUT", "PATCH"}


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp, settings: Callable[[], Settings], prefix: str = "/api/") -> None:
        self.app, self._settings, self._prefix = app, settings, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY or not scope["path"].startswith(self._prefix):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        limit = self._settings().max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send, ApiError(413, "too_large"))
            return
        body, too_large = await _read_body(receive, limit)
        if too_large:
            await self._refuse(scope, receive, send, ApiError(413, "too_large"))
            return
        if body and not is_json(request.headers.get("content-type", "")):
            await self._refuse(scope, receive, send, ApiError(415, "unsupported_media"))
            return
        await self.app(scope, _replay(body, receive), send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, error: ApiError) -> None:
        request = Request(scope, receive)
        await error_response(request, error)(scope, receive, send)


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
