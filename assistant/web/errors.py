"""Errors at the web edge: a truthful status and one sentence for the user in their language; details to the log.

Every error body has the same shape: ``{"error": "<code>", "message": "<sentence>"}`` (plus ``fields`` for
invalid input: the names of the fields, never their values).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import AssistantError
from .i18n import UiText, from_accept_language, language_of, load_ui_text

log = logging.getLogger(__name__)

_BY_STATUS = {404: "not_found", 405: "method", 413: "too_large", 415: "unsupported_media", 429: "rate_limited",
              503: "not_ready"}


class ApiError(Exception):
    """Raised by handlers and dependencies; rendered by ``error_response``."""

    def __init__(self, status: int, code: str, headers: dict[str, str] | None = None,
                 fields: list[str] | None = None, **values: object) -> None:
        super().__init__(code)
        self.status, self.code, self.headers, self.fields, self.values = status, code, headers, fields, values


def request_language(request: Request) -> str | None:
    """The language for error sentences: the client's explicit choice, else its Accept-Language header."""
    explicit = language_of(request.headers.get("x-ipo-language"))
    return explicit or from_accept_language(request.headers.get("accept-language"))


def error_body(ui: UiText, code: str, language: str | None, **values: object) -> dict[str, Any]:
    return {"error": code, "message": ui.get(f"error_{code}", language, **values)}


def error_response(request: Request, error: ApiError) -> JSONResponse:
    ui = _ui(request)
    body = error_body(ui, error.code, request_language(request), **error.values)
    if error.fields:
        body["fields"] = error.fields
    headers = {"Cache-Control": "no-store", **(error.headers or {})}
    return JSONResponse(body, status_code=error.status, headers=headers)


def _ui(request: Request) -> UiText:
    ui: UiText | None = getattr(request.app.state, "ui", None)
    if ui is None:
        ui = request.app.state.ui = load_ui_text()
    return ui


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc") and e["loc"][0] == "body"})
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            fields = []
        return error_response(request, ApiError(422, "invalid", fields=fields))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _BY_STATUS.get(exc.status_code, "generic" if exc.status_code >= 500 else "invalid")
        if exc.status_code == 404:
            code = "no_such_page"  # no route matched; unknown conversations raise ApiError("not_found")
        headers = dict(exc.headers) if exc.headers else None
        return error_response(request, ApiError(exc.status_code, code, headers=headers))

    @app.exception_handler(AssistantError)
    async def _assistant(request: Request, exc: AssistantError) -> JSONResponse:
        log.error("assistant error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return error_response(request, ApiError(503, "not_ready", headers={"Retry-After": "10"}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, ApiError(500, "generic"))
