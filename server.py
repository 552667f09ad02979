"""The ASGI entry point: `uvicorn server:app`. The lifespan builds everything once.

``create_app(settings, assistant_factory=…)`` lets tests pass configuration and a stand-in assistant of the
same shape; production uses ``build_assistant`` from ``assistant.wiring``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from assistant.logging_setup import configure_logging as configure_json_logging
from assistant.settings import Settings, load_settings
from assistant.slack import install_slack, start_handoff
from assistant.web import AssistantFactory, build_services, install_web
from assistant.web.staff import install_staff_pages

DESCRIPTION = (
    "Chat API of the International Patient Office assistant (Princess Máxima Center). Create a conversation, "
    "then post messages with its bearer token; replies stream as Server-Sent Events. Unknown conversations "
    "and wrong tokens both answer 404."
)


def configure_logging(level: str) -> None:
    """Redacting JSON lines (ids, sizes, timings; never a family's words), unless logging is already set up
    (``uvicorn --log-config``, a test harness): then only our level is applied."""
    if logging.getLogger().handlers:
        logging.getLogger("assistant").setLevel(level.upper())
    else:
        configure_json_logging(level)


def create_app(settings: Settings | None = None, *, assistant_factory: AssistantFactory | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolved = settings or load_settings()
        configure_logging(resolved.log_level)
        app.state.settings = resolved
        services = await run_in_threadpool(build_services, resolved, assistant_factory)
        app.state.services, app.state.ui = services, services.ui
        app.state.handoff = await run_in_threadpool(start_handoff, resolved, services)  # cases + Slack
        try:
            yield
        finally:
            app.state.handoff.close()
            services.close()

    app = FastAPI(title="IPO Assistant", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    install_web(app)
    install_staff_pages(app)
    install_slack(app)
    return app


app = create_app()
