"""LLM chat models through LangChain: OpenAI-compatible servers, Anthropic, Ollama."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import SecretStr

from ..errors import LLMUnavailableError
from ..settings import Settings


class LangChainChatModel:
    """Adapts a LangChain chat model to our ChatModel port (system + user in, text chunks out)."""

    def __init__(self, model: Any, name: str) -> None:
        self._model = model
        self.name = name

    def stream(self, system: str, user: str) -> Iterator[str]:
        from langchain_core.messages import HumanMessage, SystemMessage

        finished = False
        for chunk in self._model.stream([SystemMessage(content=system), HumanMessage(content=user)]):
            metadata = getattr(chunk, "response_metadata", None) or {}
            finished = finished or bool(metadata.get("finish_reason") or metadata.get("done")
                                        or metadata.get("stop_reason"))
            content = chunk.content
            if isinstance(content, str):
                if content:
                    yield content
            else:  # a list of content blocks
                for block in content:
                    text = block.get("text", "") if isinstance(block, dict) else str(block)
                    if text:
                        yield text
        if not finished:  # the stream was cut before the model said it was done: not a complete answer
            raise LLMUnavailableError("the model's stream ended without a finish reason")


def build_chat_model(settings: Settings) -> LangChainChatModel | None:
    provider = settings.llm_provider
    if provider == "none":
        return None
    timeout = settings.llm_timeout_s
    model: Any
    if provider == "openai":
        from langchain_openai import ChatOpenAI

        model = ChatOpenAI(
            model=settings.llm_model, base_url=settings.llm_base_url, api_key=SecretStr(settings.llm_api_key or "none"),
            timeout=timeout, max_retries=0, temperature=0, streaming=True,
        )
    elif provider == "anthropic":
        from langchain_anthropic import ChatAnthropic

        model = ChatAnthropic(  # type: ignore[call-arg]
            model=settings.llm_model, api_key=SecretStr(settings.llm_api_key or ""), base_url=settings.llm_base_url,
            timeout=timeout, max_retries=0, temperature=0,
        )
    else:
        from langchain_ollama import ChatOllama

        model = ChatOllama(model=settings.llm_model, base_url=settings.llm_base_url, temperature=0,
                           client_kwargs={"timeout": timeout})
    return LangChainChatModel(model, f"{provider}/{settings.llm_model}")
