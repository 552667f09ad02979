"""CORS for the API: only the origins in ``settings.cors_origins``; no cookies are used, so no credentials.

The widget itself runs in a frame served from this origin and needs no CORS; the allowlist is for hospital
pages that call the API directly.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import Settings

ALLOW_METHODS = "GET, POST, DELETE"
ALLOW_HEADERS = "Authorization, Content-Type, Accept, X-IPO-Language"
EXPOSE_HEADERS = "Retry-After"


class CorsMiddleware:
    def __init__(self, app: ASGIApp, settings: Callable[[], Settings], prefix: str = "/api/") -> None:
        self.app, self._settings, self._prefix = app, settings, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self._prefix):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = origin.rstrip("/") in {o.rstrip("/") for o in self._settings().cors_origins}
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(origin if allowed else None)(scope, receive, send)
            return
        if not allowed:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"access-control-allow-origin", origin.encode()),
                                      (b"access-control-expose-headers", EXPOSE_HEADERS.encode()),
                                      (b"vary", b"Origin")]
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    def _preflight(origin: str | None) -> Response:
        if origin is None:
            return Response(status_code=403, headers={"Vary": "Origin"})
        return Response(status_code=204, headers={
            "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": ALLOW_METHODS,
            "Access-Control-Allow-Headers": ALLOW_HEADERS, "Access-Control-Max-Age": "600", "Vary": "Origin",
        })
