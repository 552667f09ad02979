"""Chat turns over HTTP: time to the first SSE byte, to the first event, to the first text, and the full turn.

    python -m bench.bench_http [--data-dir DIR | --url URL] [--concurrency 1,20,100] [--turns 5] [--think-s 0]

Without ``--url`` it starts `uvicorn server:app` on a free loopback port (rate limits raised, a fresh SQLite
database) on the index in ``--data-dir`` (built there first with `python -m ingest` if it has none; default:
a temporary directory). Each of N concurrent conversations sends ``--turns`` questions one after another,
pausing about ``--think-s`` seconds between its turns (a person reading the answer and typing; the
conversations' first turns are spread over one such pause); 0 = back to back, every conversation at once,
the worst case. A level stops early after ``--max-seconds``. Client and server share the machine's cores.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "How do I apply for treatment?", "Wie viel kostet die Behandlung?", "Combien de temps dure la thérapie MIBG ?",
    "كيف يمكنني التقديم للعلاج؟", "Где семья может жить во время лечения?", "Чи може один з батьків ночувати?",
    "Tedavi için hangi belgeler gerekli?", "Apakah ada penerjemah di rumah sakit?", "Czy potrzebna jest wiza?",
    "¿Quién paga el tratamiento?", "Waar kunnen we verblijven tijdens de behandeling?", "Which airport is closest?",
]


@dataclass
class Sample:
    first_byte: float
    first_event: float
    first_text: float
    total: float


@dataclass
class Level:
    concurrency: int
    think_s: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def one_turn(client: httpx.Client, base: str, conversation: dict[str, str], text: str) -> Sample:
    started = time.perf_counter()
    first_byte = first_event = first_text = 0.0
    done = False
    url = f"{base}/api/conversations/{conversation['id']}/messages"
    headers = {"Authorization": f"Bearer {conversation['token']}", "Accept": "text/event-stream"}
    with client.stream("POST", url, json={"text": text}, headers=headers) as response:
        if response.status_code != 200:
            raise RuntimeError(f"status {response.status_code}")
        for line in response.iter_lines():
            now = time.perf_counter() - started
            first_byte = first_byte or now
            if line.startswith("event:"):
                first_event = first_event or now
                kind = line.partition(":")[2].strip()
                if kind == "text":
                    first_text = first_text or now
                done = done or kind == "done"
    if not done:
        raise RuntimeError("stream ended without done")
    return Sample(first_byte, first_event, first_text, time.perf_counter() - started)


# Idle sockets are dropped before uvicorn's 5 s keep-alive timeout closes them: equal timeouts race (ReadError).
CLIENT_LIMITS = httpx.Limits(keepalive_expiry=1.0)


def worker(base: str, level: Level, index: int, turns: int, deadline: float) -> None:
    if level.think_s:  # people do not all press Enter in the same millisecond: starts spread over one pause
        time.sleep(level.think_s * index / level.concurrency)
    with httpx.Client(timeout=httpx.Timeout(120.0, connect=10.0), limits=CLIENT_LIMITS) as client:
        try:
            conversation = client.post(f"{base}/api/conversations", json={}).json()
        except httpx.HTTPError:
            with level.lock:
                level.errors += 1
            return
        for n in range(turns):
            if n and level.think_s:  # think times spread around the mean, the same in every run
                time.sleep(level.think_s * (0.5 + ((index * 31 + n * 17) % 100) / 100))
            if time.monotonic() > deadline:
                return
            try:
                sample = one_turn(client, base, conversation, QUESTIONS[(index * 7 + n) % len(QUESTIONS)])
                with level.lock:
                    level.samples.append(sample)
            except (httpx.HTTPError, RuntimeError):
                with level.lock:
                    level.errors += 1


def warm_up(base: str, rounds: int) -> None:
    """Every question once per round, each in a fresh conversation (language models load lazily)."""
    with httpx.Client(timeout=httpx.Timeout(300.0, connect=10.0)) as client:
        for _ in range(rounds):
            for question in QUESTIONS:
                conversation = client.post(f"{base}/api/conversations", json={}).json()
                one_turn(client, base, conversation, question)


def run_level(base: str, concurrency: int, turns: int, max_seconds: float, think_s: float = 0.0) -> Level:
    level = Level(concurrency, think_s)
    deadline = time.monotonic() + max_seconds
    threads = [threading.Thread(target=worker, args=(base, level, i, turns, deadline)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    level.wall_s = time.perf_counter() - started
    return level


def render(levels: list[Level], cores: int) -> str:
    def ms(values: list[float], q: float) -> str:
        return f"{percentile(values, q) * 1000:.0f}"

    lines = [
        f"Chat turns over HTTP on loopback ({cores} cores shared by client and server; times in ms)",
        "",
        "| concurrent | turns | errors | first byte p50 / p95 | first event p50 / p95 | first text p50 / p95 "
        "| full turn p50 / p95 | turns/s | think s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for level in levels:
        s = level.samples
        columns = [[x.first_byte for x in s], [x.first_event for x in s], [x.first_text for x in s if x.first_text],
                   [x.total for x in s]]
        cells = " | ".join(f"{ms(c, 50)} / {ms(c, 95)}" for c in columns)
        rate = len(s) / level.wall_s if level.wall_s else 0.0
        lines.append(f"| {level.concurrency} | {len(s)} | {level.errors} | {cells} | {rate:.1f} | {level.think_s:g} |")
    return "\n".join(lines)


def env_for(data_dir: Path, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPO_")}
    env.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", IPO_DATA_DIR=str(data_dir),
               IPO_DATABASE_URL=f"sqlite:///{database}", IPO_RATE_LIMIT_PER_MINUTE_IP="1000000",
               IPO_RATE_LIMIT_PER_MINUTE_CONVERSATION="100000", IPO_LOG_LEVEL="WARNING")
    return env


@contextmanager
def local_server(data_dir: Path, workers: int = 1) -> Iterator[str]:
    import socket

    with tempfile.TemporaryDirectory(prefix="ipo-bench-db-") as db_dir:
        env = env_for(data_dir, Path(db_dir) / "bench.sqlite3")
        if not (data_dir / "chroma").exists():
            print(f"building the index in {data_dir} …", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "ingest", "--quiet"], cwd=REPO_ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        process = subprocess.Popen([sys.executable, "-m", "uvicorn", "server:app", "--host", "127.0.0.1",
                                    "--port", str(port), "--no-access-log", "--log-level", "warning",
                                    "--workers", str(workers), "--timeout-worker-healthcheck", "60"],
                                   cwd=REPO_ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, process)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("server not ready in time")


def run(data_dir: Path, levels: list[tuple[int, float]], turns: int = 5, max_seconds: float = 120.0,
        warmup: int = 1, workers: int = 1, url: str | None = None) -> list[Level]:
    """Each (concurrency, think seconds) level in turn against one server (started here unless ``url``)."""
    with nullserver(url) if url else local_server(data_dir, workers) as base:
        warm_up(base, warmup)
        return [run_level(base, c, turns, max_seconds, think) for c, think in levels]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_http", description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="bench a running server instead of starting one")
    parser.add_argument("--data-dir", type=Path, help="index directory (default: a fresh temporary one)")
    parser.add_argument("--concurrency", default="1,20,100", help="comma-separated levels (default 1,20,100)")
    parser.add_argument("--think-s", type=float, default=0.0, help="mean pause between a conversation's turns")
    parser.add_argument("--turns", type=int, default=5, help="questions per conversation (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds of all questions (default 1)")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="cap per level (default 120)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    levels_wanted = [int(c) for c in args.concurrency.split(",") if c.strip()]
    with tempfile.TemporaryDirectory(prefix="ipo-bench-") as tmp:
        levels = run(args.data_dir or Path(tmp) / "data", [(c, args.think_s) for c in levels_wanted], args.turns,
                     args.max_seconds, args.warmup, args.workers, args.url)
    print(render(levels, os.cpu_count() or 1))
    if args.json:
        args.json.write_text(json.dumps([{"concurrency": lv.concurrency, "think_s": lv.think_s, "errors": lv.errors,
                                          "wall_s": lv.wall_s,
                                          "samples": [vars(s) for s in lv.samples]} for lv in levels], indent=1))
    return 1 if any(level.errors for level in levels) else 0


@contextmanager
def nullserver(url: str) -> Iterator[str]:
    yield url.rstrip("/")


if __name__ == "__main__":
    raise SystemExit(main())
