"""Servers for the end-to-end tests, all on loopback: the real `uvicorn server:app` in a subprocess, the app
with a stand-in assistant in a thread, and a plain static host page (for the embed test).

Plain context managers; the fixtures in conftest.py decide their lifetimes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from tests.conftest import REPO_ROOT


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPO_")}
    env.update({"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def build_index(data_dir: Path) -> None:
    """`python -m ingest` into ``data_dir`` (the way `make start` builds it)."""
    result = subprocess.run([sys.executable, "-m", "ingest", "--quiet"], cwd=REPO_ROOT,
                            env=clean_env({"IPO_DATA_DIR": str(data_dir)}), capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def wait_until_ready(base_url: str, timeout_s: float, process: subprocess.Popen[Any] | None = None,
                     path: str = "/readyz") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}{path}", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base_url} not ready after {timeout_s} s")


class ServerProcess:
    def __init__(self, base_url: str, log_path: Path, process: subprocess.Popen[Any]) -> None:
        self.base_url, self.log_path, self.process = base_url, log_path, process

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def uvicorn_process(env: Mapping[str, str], log_path: Path, ready_timeout_s: float = 240) -> Iterator[ServerProcess]:
    """The real entry point, `python -m uvicorn server:app`, configured through IPO_* variables."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "server:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO_ROOT, env=clean_env(env), stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_until_ready(base_url, ready_timeout_s, process)
            yield ServerProcess(base_url, log_path, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def threaded_app(app: Any, ready_path: str = "/readyz") -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a background thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base_url, 60, path=ready_path)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@contextmanager
def static_page(html: str, port: int | None = None) -> Iterator[str]:
    """A one-page site on its own loopback port (another origin than the assistant)."""
    body = html.encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port or free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
