"""The chat as a full page at /, the embed script, the static assets, and the health probes."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from .deps import ServicesDep

STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter()


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/widget.js", include_in_schema=False)
def widget_script() -> FileResponse:
    """The one-line embed: <script src="https://…/widget.js" defer></script>."""
    return FileResponse(STATIC_DIR / "widget.js", media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=300"})


@router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "alive"}


@router.get("/readyz", tags=["health"])
def readyz(services: ServicesDep) -> JSONResponse:
    """The index is loaded and answers queries (503 until it does)."""
    assistant = services.assistant.get()
    ready = assistant is not None and assistant.is_ready()
    return JSONResponse({"ready": ready}, status_code=200 if ready else 503,
                        headers={"Cache-Control": "no-store"})


def mount_pages(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
