"""The engines of the scale-out path, started natively the way docker-compose.yml starts them: a Chroma server,
PostgreSQL (Debian's package) and Redis (Debian's package), each on 127.0.0.1 and a free port, each with its
own throw-away directory, each stopped when its ``with`` block ends. ``make services`` installs the packages.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.servers import free_port

CHROMA = Path(sys.executable).parent / "chroma"
START_LIMIT_S = 120  # a start-up limit, not a timing assertion


def _wait(ready: Callable[[], bool], process: subprocess.Popen[Any] | None, what: str, log: Path,
          limit_s: float = START_LIMIT_S) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        if ready():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} not ready within {limit_s} s: {log.read_text(errors='replace')[-2000:]}")


def _stop(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --- Chroma ---------------------------------------------------------------------------------------------
@contextmanager
def chroma_server() -> Iterator[str]:
    """`chroma run --path DIR --host 127.0.0.1 --port P`; yields its URL (the value of IPO_CHROMA_URL)."""
    if not CHROMA.exists():
        pytest.fail(f"the `chroma` console script is missing at {CHROMA} (it ships with chromadb)")
    with tempfile.TemporaryDirectory(prefix="ipo-chroma-") as root:
        port, log = free_port(), Path(root) / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen([str(CHROMA), "run", "--path", f"{root}/db", "--host", "127.0.0.1",
                                        "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
            url = f"http://127.0.0.1:{port}"
            try:
                _wait(lambda: _answers(f"{url}/api/v2/heartbeat"), process, "chroma run", log)
                yield url
            finally:
                _stop(process)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


# --- PostgreSQL -----------------------------------------------------------------------------------------
def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL server binaries are missing: `make services` (apt-get install postgresql)")
    return Path(found[-1]).parent


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the `postgres` user that Debian's package adds."""
    if os.geteuid() != 0:
        return args
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(args)]


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throw-away cluster (trust auth, socket in its own directory, TCP on 127.0.0.1 only); yields a
    SQLAlchemy URL for psycopg (the value of IPO_DATABASE_URL)."""
    import psycopg  # noqa: F401  (psycopg[binary] is a dev dependency: `make setup-test`)
    pg_bin, port = _pg_bin(), free_port()
    work = Path(tempfile.mkdtemp(prefix="ipo-pg-"))
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
    data, log = work / "data", work / "server.log"
    try:
        subprocess.run(_as_postgres([str(pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                     "-E", "UTF8", "--no-sync"]), check=True, capture_output=True, timeout=180)
        options = f"'-p {port} -k {work} -c listen_addresses=127.0.0.1 -c fsync=off'"
        subprocess.run(_as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log),
                                     "-w", "-t", str(START_LIMIT_S), "start"]), check=True, capture_output=True,
                       timeout=START_LIMIT_S + 30)
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(_as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                           capture_output=True, timeout=60)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fresh_database(url: str, name: str) -> str:
    """A new, empty database in the cluster behind ``url``; returns its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


# --- Redis ----------------------------------------------------------------------------------------------
@contextmanager
def redis_server() -> Iterator[str]:
    """`redis-server --bind 127.0.0.1 --port P --save ''` (nothing persisted); yields redis://127.0.0.1:P/0."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: `make services` (apt-get install redis-server)")
    import redis  # the redis client is a dev dependency: `make setup-test`
    with tempfile.TemporaryDirectory(prefix="ipo-redis-") as root:
        port, log = free_port(), Path(root) / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                        "--appendonly", "no", "--dir", root], stdout=out, stderr=subprocess.STDOUT)
            url = f"redis://127.0.0.1:{port}/0"

            def pong() -> bool:
                try:
                    with redis.Redis.from_url(url, socket_timeout=1) as client:
                        return bool(client.ping())
                except redis.RedisError:
                    return False

            try:
                _wait(pong, process, "redis-server", log)
                yield url
            finally:
                _stop(process)


# --- the application ------------------------------------------------------------------------------------
@contextmanager
def uvicorn_workers(env: dict[str, str], log_path: Path, workers: int = 2) -> Iterator[str]:
    """`uvicorn server:app --workers N` (the production command) configured by IPO_* variables; ready once
    every worker has finished its start-up and /readyz answers. Yields the base URL."""
    from tests.conftest import REPO_ROOT
    from tests.e2e.servers import clean_env

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "server:app", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers), "--timeout-worker-healthcheck", "120"],
            cwd=REPO_ROOT, env=clean_env(env), stdout=log, stderr=subprocess.STDOUT)

        def ready() -> bool:
            started = log_path.read_text(encoding="utf-8", errors="replace").count("Application startup complete")
            return started >= workers and _answers(f"{base_url}/readyz")

        try:
            _wait(ready, process, f"uvicorn with {workers} workers", log_path, limit_s=360)
            yield base_url
        finally:
            _stop(process)
