"""Security headers and the Content-Security-Policy, on every response.

The chat page allows scripts, styles, images and connections from its own origin only; it may be framed by
the hosts in ``settings.frame_ancestors`` (the hospital's pages embedding the widget) and by itself. The
OpenAPI pages (/docs, /redoc) load FastAPI's documented assets from a CDN and get a policy that allows them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import Settings

log = logging.getLogger(__name__)

# A CSP host-source: scheme://host[:port] with an optional leading wildcard label; nothing else gets in.
_SOURCE = re.compile(r"^(https?://)?(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5}|:\*)?$")
_DOC_PATHS = ("/docs", "/redoc")
_CDN = "https://cdn.jsdelivr.net"


def valid_sources(values: Iterable[str]) -> list[str]:
    good = []
    for value in values:
        source = value.strip().rstrip("/")
        if _SOURCE.match(source):
            good.append(source)
        else:
            log.warning("ignoring invalid frame ancestor %r", value)
    return good


def content_security_policy(frame_ancestors: Iterable[str], docs: bool = False) -> str:
    ancestors = " ".join(["'self'", *valid_sources(frame_ancestors)])
    if docs:
        scripts, styles, images = f"'self' 'unsafe-inline' {_CDN}", f"'self' {_CDN}", "'self' data: https:"
    else:
        scripts, styles, images = "'self'", "'self'", "'self'"
    return "; ".join([
        "default-src 'none'", f"script-src {scripts}", f"style-src {styles}", f"img-src {images}",
        "connect-src 'self'", "font-src 'self'", "manifest-src 'self'", "base-uri 'none'",
        "form-action 'self'", "object-src 'none'", f"frame-ancestors {ancestors}",
    ])


def security_headers(settings: Settings, path: str) -> list[tuple[bytes, bytes]]:
    docs = path.startswith(_DOC_PATHS)
    headers = {
        "content-security-policy": content_security_policy(settings.frame_ancestors, docs=docs),
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "cross-origin-opener-policy": "same-origin",
    }
    if not valid_sources(settings.frame_ancestors):
        headers["x-frame-options"] = "SAMEORIGIN"
    if settings.public_base_url.startswith("https://"):
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    if path.startswith("/api/"):
        headers["cache-control"] = "no-store"
    return [(k.encode(), v.encode()) for k, v in headers.items()]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: Callable[[], Settings]) -> None:
        self.app, self._settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(self._settings(), scope["path"])
        names = {name for name, _ in extra}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
