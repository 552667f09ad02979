"""Install the web edge on a FastAPI app: middleware (outermost first: security headers, CORS, request
limits), error handlers, the API and the pages. Settings are read from ``app.state`` at request time, so the
app object can exist before the lifespan has loaded them."""

from __future__ import annotations

from fastapi import FastAPI

from ..settings import Settings
from . import api
from .cors import CorsMiddleware
from .errors import install_error_handlers
from .limits import RequestLimitsMiddleware
from .pages import mount_pages
from .security import SecurityHeadersMiddleware


def install_web(app: FastAPI) -> None:
    def settings() -> Settings:
        return app.state.settings  # type: ignore[no-any-return]

    install_error_handlers(app)
    app.add_middleware(RequestLimitsMiddleware, settings=settings)
    app.add_middleware(CorsMiddleware, settings=settings)
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    app.include_router(api.router)
    mount_pages(app)
