"""The ASGI entry point: `uvicorn server:app`. The lifespan builds everything once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from assistant.settings import Settings, load_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from assistant.wiring import build_assistant

        app.state.settings = settings or load_settings()
        app.state.assistant = build_assistant(app.state.settings)
        yield

    app = FastAPI(title="IPO Assistant", lifespan=lifespan)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        ready = bool(getattr(app.state, "assistant", None)) and app.state.assistant.is_ready()
        return JSONResponse({"ready": ready}, status_code=200 if ready else 503)

    return app


app = create_app()
