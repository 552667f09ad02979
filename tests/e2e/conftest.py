"""End-to-end fixtures: the real server (index built once per session), servers with a stand-in assistant,
and headless Chromium from Debian driven by Playwright."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.settings import Settings
from assistant.storage import Database
from server import create_app
from tests.conftest import REPO_ROOT
from tests.e2e.fake_assistant import fake_factory
from tests.e2e.servers import ServerProcess, build_index, threaded_app, uvicorn_process

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
HOSPITAL = "https://www.prinsesmaximacentrum.nl"


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped knowledge base indexed once per session by `python -m ingest` (about 20 s or more)."""
    data_dir = tmp_path_factory.mktemp("e2e-index")
    build_index(data_dir)
    return data_dir


@pytest.fixture(scope="session")
def real_server(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`uvicorn server:app` with the real assistant, configured through the environment like production."""
    work = tmp_path_factory.mktemp("e2e-real")
    env = {
        "IPO_DATA_DIR": str(index_dir),
        "IPO_DATABASE_URL": f"sqlite:///{work / 'ipo.sqlite3'}",
        "IPO_RATE_LIMIT_PER_MINUTE_IP": "2000",
        "IPO_RATE_LIMIT_PER_MINUTE_CONVERSATION": "200",
        "IPO_FRAME_ANCESTORS": json.dumps([HOSPITAL]),
        "IPO_CORS_ORIGINS": json.dumps([HOSPITAL]),
        "IPO_LOG_LEVEL": "INFO",
    }
    with uvicorn_process(env, work / "server.log") as server:
        server.database_url = env["IPO_DATABASE_URL"]  # type: ignore[attr-defined]
        yield server


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as client:
        yield client


@dataclass
class FakeServer:
    base_url: str
    settings: Settings
    factory: Any

    @property
    def assistant(self) -> Any:
        return self.factory.built

    def database(self) -> Database:
        return Database.from_url(self.settings.resolved_database_url)


FakeServerFactory = Callable[..., AbstractContextManager[FakeServer]]


@pytest.fixture
def fake_server(tmp_path: Path) -> FakeServerFactory:
    """``with fake_server(**settings) as server``: the app in a thread with the scripted FakeAssistant."""

    @contextmanager
    def start(delay_s: float = 0.0, **overrides: Any) -> Iterator[FakeServer]:
        data_dir = tmp_path / f"fake-{len(list(tmp_path.iterdir()))}"
        settings = Settings(data_dir=data_dir, **overrides)
        factory = fake_factory(delay_s)
        with threaded_app(create_app(settings, assistant_factory=factory)) as base_url:
            yield FakeServer(base_url, settings, factory)

    return start


# --- browser ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `apt-get install -y chromium fonts-noto-core` (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """``new_page(locale="ar", viewport=(375, 667))``: a fresh browser context (no storage carried over)."""
    contexts: list[Any] = []

    def make(locale: str = "en-US", viewport: tuple[int, int] = (1024, 800)) -> Any:
        context = browser.new_context(locale=locale, viewport={"width": viewport[0], "height": viewport[1]})
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # uncaught page errors, checked by tests
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
