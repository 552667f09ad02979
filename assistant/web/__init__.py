"""The web edge: the chat API (SSE), the widget's static files, security middleware. FastAPI lives here."""

from __future__ import annotations

from .app import install_web
from .services import AssistantFactory, ChatAssistant, Services, build_services

__all__ = ["AssistantFactory", "ChatAssistant", "Services", "build_services", "install_web"]
